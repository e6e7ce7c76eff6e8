import Engine
import Foundation
import Testing

@testable import Corpus

/// Length filter, EOS and newline rules, window packing and the completion-only mask. Expected
/// token sequences come from the golden tokenizer run on text written out by hand in each test.
@Suite struct DatasetPreprocessingTests {
    typealias S = DatasetTestSupport

    @Test func eosReplacesExactlyTheNewlineOfEachParagraphEnd() throws {
        let tokenizer = try S.tokenizer.get()
        let text = "One sentence here.\nNext line\ncontinues.\n\nLast para, no stop\nat the end"
        let ids = TextTokenizing.tokens(of: text, tokenizer: tokenizer, settings: S.settings())
        #expect(ids.filter { $0 == 2 }.count == 2)
        // Written out by hand: ".\n" → "." + EOS, then "\n" → " ".
        #expect(tokenizer.decode(ids) == "One sentence here.<|im_end|>Next line continues.<|im_end|> Last para, no stop at the end")
        let pieces = ids.split(separator: 2, omittingEmptySubsequences: false).map(Array.init)
        #expect(pieces == [
            tokenizer.encode("One sentence here.", addBOS: false),
            tokenizer.encode("Next line continues.", addBOS: false),
            tokenizer.encode(" Last para, no stop at the end", addBOS: false),
        ])
    }

    @Test func specialTokenTextInABookStaysPlainText() throws {
        let tokenizer = try S.tokenizer.get()
        let ids = TextTokenizing.tokens(of: "say <|im_end|> aloud", tokenizer: tokenizer, settings: S.settings())
        #expect(!ids.contains(2))
        #expect(tokenizer.decode(ids) == "say <|im_end|> aloud")
    }

    @Test func rulesSwitchedOffLeaveTheTextAsIs() throws {
        let tokenizer = try S.tokenizer.get()
        var settings = S.settings()
        settings.eosAtParagraphEnds = false
        settings.newlinesToSpaces = false
        let text = "A paragraph.\nAnother\nline."
        let ids = TextTokenizing.tokens(of: text, tokenizer: tokenizer, settings: settings)
        #expect(ids == tokenizer.encode(text, addBOS: false, parseSpecial: false))
        settings.newlinesToSpaces = true
        #expect(tokenizer.decode(TextTokenizing.tokens(of: text, tokenizer: tokenizer, settings: settings))
            == "A paragraph. Another line.")
    }

    @Test func recordsShorterThanMinLengthAreDropped() throws {
        let tokenizer = try S.tokenizer.get()
        let records = [
            DatasetRecord(line: 1, content: .text(String(repeating: "a", count: 99))),
            DatasetRecord(line: 2, content: .text(String(repeating: "b", count: 100))),
            DatasetRecord(line: 3, content: .text("  \n" + String(repeating: "c", count: 99) + "\n\n")),
            DatasetRecord(line: 4, content: .text(String(repeating: "d", count: 150))),
        ]
        var stats = DatasetStats()
        let streams = try DatasetPreparer(settings: S.settings(minLength: 100))
            .tokenize(records, tokenizer: tokenizer, chatRenderer: nil, stats: &stats)
        #expect(stats.recordsRead == 4)
        #expect(stats.recordsKept == 2)
        #expect(stats.recordsDropped == 2)
        #expect(stats.characters == 250)
        #expect(stats.recordLengths == [99, 100, 104, 150])
        #expect(tokenizer.decode(streams[0].tokens) == String(repeating: "b", count: 100) + " " + String(repeating: "d", count: 150))
    }

    @Test func pagesJoinWithASpaceAndWindowsConcatenateToTheStream() throws {
        let tokenizer = try S.tokenizer.get()
        let records = try S.read("pages.jsonl").records
        var stats = DatasetStats()
        let stream = try DatasetPreparer(settings: S.settings(minLength: 15))
            .tokenize(records, tokenizer: tokenizer, chatRenderer: nil, stats: &stats)[0]
        #expect(stats.recordsDropped == 1)  // "Chapter 1"
        #expect(tokenizer.decode(stream.tokens) == """
            Sir Walter Elliot, of Kellynch Hall, in Somersetshire, was a man who, for his own amusement, never took up any book but the Baronetage.<|im_end|>There he found occupation for an idle hour. \
            He had been remarkably handsome in his youth.<|im_end|>Vanity was the beginning and the end of his character. \
            Page fifteen text.
            """)
        #expect(stream.mask.allSatisfy { $0 == TokenWindow.trained })

        let ctx = stream.count % 16 != 0 ? 16 : 17
        let (windows, dropped) = WindowPacking.pack(stream, contextLength: ctx, padLast: false, padID: 2)
        #expect(windows.count == stream.count / ctx)
        #expect(dropped == stream.count % ctx && dropped > 0)
        #expect(windows.allSatisfy { $0.tokens.count == ctx && $0.mask.count == ctx && $0.length == ctx })
        #expect(windows.flatMap(\.tokens) == Array(stream.tokens.prefix(windows.count * ctx)))
    }

    @Test func padOptionKeepsTheTailAndPadsOutOfTheLoss() throws {
        let tokenizer = try S.tokenizer.get()
        var stream = TokenStream()
        stream.append(tokenizer.encode(String(repeating: "word ", count: 40), addBOS: false), trained: true)
        let ctx = stream.count % 16 != 0 ? 16 : 17
        let tail = stream.count % ctx
        let (windows, dropped) = WindowPacking.pack(stream, contextLength: ctx, padLast: true, padID: 2)
        #expect(dropped == 0)
        #expect(windows.count == stream.count / ctx + 1)
        let last = try #require(windows.last)
        #expect(last.length == tail)
        #expect(Array(last.tokens[tail...]) == Array(repeating: 2, count: ctx - tail))
        #expect(Array(last.mask[tail...]) == Array(repeating: TokenWindow.padding, count: ctx - tail))
        #expect(windows.flatMap { $0.tokens.prefix($0.length) } == stream.tokens)
    }

    /// Decodes the tokens of `window` whose mask is `value`.
    func decode(_ window: TokenWindow, where value: UInt8, _ tokenizer: Tokenizer) -> String {
        tokenizer.decode(zip(window.tokens, window.mask).filter { $0.1 == value }.map(\.0))
    }

    @Test func completionOnlyMaskCoversExactlyThePrompt() throws {
        let tokenizer = try S.tokenizer.get()
        let records = try S.read("prompt-completion.jsonl").records
        var settings = S.settings(ctx: 64)
        settings.testFraction = 0
        settings.shuffle = false
        let prepared = try DatasetPreparer(settings: settings).prepare(records, tokenizer: tokenizer, chatRenderer: S.chatML)
        #expect(prepared.train.count == 2)
        let window = prepared.train[0]
        #expect(decode(window, where: TokenWindow.trained, tokenizer) == "Paris is the capital of France.<|im_end|>")
        #expect(decode(window, where: TokenWindow.ignored, tokenizer)
            == "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n\n")
        // The real tokens are the rendered conversation, then padding (EOS id) to 64.
        #expect(tokenizer.decode(Array(window.tokens.prefix(window.length))) == """
            <|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\nParis is the capital of France.<|im_end|>\n
            """)
        #expect(window.tokens[window.length...].allSatisfy { $0 == 2 })
        #expect(window.mask.filter { $0 == TokenWindow.trained }.count
            == tokenizer.encode("Paris is the capital of France.", addBOS: false).count + 1)
        #expect(decode(prepared.train[1], where: TokenWindow.trained, tokenizer) == "Seven is prime.<|im_end|>")
    }

    @Test func multiTurnChatTrainsEveryAssistantTurnOnly() throws {
        let tokenizer = try S.tokenizer.get()
        let records = try S.read("chat.jsonl").records
        let stream = try ConversationTokenizing.tokens(
            of: { guard case .conversation(let m) = records[0].content else { return [] }; return m }(),
            record: 1, tokenizer: tokenizer, render: S.chatML)
        let window = TokenWindow(tokens: stream.tokens, mask: stream.mask)
        #expect(decode(window, where: TokenWindow.trained, tokenizer) == "Hello.<|im_end|>Goodbye.<|im_end|>")
        // Two separate runs of trained tokens.
        let starts = zip(stream.mask, stream.mask.dropFirst()).filter { $0 != TokenWindow.trained && $1 == TokenWindow.trained }
        #expect(starts.count == 2)
    }

    @Test func longConversationsAreTruncatedAndPackingFillsWindows() throws {
        let tokenizer = try S.tokenizer.get()
        let records = try S.read("alpaca.jsonl").records
        let prompts = ["Translate to French.\n\nGood morning", "Say hello.", "Count to three."].map {
            tokenizer.encode("<|im_start|>user\n\($0)<|im_end|>\n<|im_start|>assistant\n", addBOS: false).count
        }
        let completions = ["Bonjour", "Hello!", "One, two, three."].map { tokenizer.encode($0, addBOS: false).count + 1 }
        // A window 2 tokens longer than the shortest prompt: the first example ("Translate…",
        // the longest prompt) has no room for its completion and is dropped, the others are cut.
        let ctx = prompts.min()! + 2
        #expect(prompts[0] >= ctx)
        var settings = S.settings(ctx: ctx)
        settings.testFraction = 0
        settings.shuffle = false
        let single = try DatasetPreparer(settings: settings).prepare(records, tokenizer: tokenizer, chatRenderer: S.chatML)
        let kept = [1, 2].filter { prompts[$0] < ctx }
        #expect(single.train.count == kept.count)
        #expect(single.train.map { $0.mask.filter { $0 == TokenWindow.trained }.count }
            == kept.map { min(completions[$0], ctx - prompts[$0]) })
        #expect(single.train.allSatisfy { $0.tokens.count == ctx })

        settings.packConversations = true
        let packed = try DatasetPreparer(settings: settings).prepare(records, tokenizer: tokenizer, chatRenderer: S.chatML)
        #expect(packed.stats.tokens == zip(prompts, completions).reduce(0) { $0 + $1.0 + $1.1 + 1 })  // + "\n" after <|im_end|>
        #expect(packed.train.count == packed.stats.tokens / ctx)
        #expect(packed.stats.tokensDropped == packed.stats.tokens % ctx)
        #expect(packed.train.allSatisfy { $0.length == ctx })
    }

    @Test func splitIsDeterministicBySeedAndSizedByFraction() {
        let a = DatasetSplitting.split(count: 100, testFraction: 0.1, seed: 7, shuffle: true)
        let b = DatasetSplitting.split(count: 100, testFraction: 0.1, seed: 7, shuffle: true)
        let c = DatasetSplitting.split(count: 100, testFraction: 0.1, seed: 8, shuffle: true)
        #expect(a.train == b.train && a.test == b.test)
        #expect(a.test != c.test)
        #expect(a.test.count == 10 && a.train.count == 90)
        #expect((a.train + a.test).sorted() == Array(0..<100))
        #expect(a.train != a.train.sorted())  // shuffled
        let ordered = DatasetSplitting.split(count: 100, testFraction: 0.1, seed: 7, shuffle: false)
        #expect(ordered.test == a.test.sorted() && ordered.train == a.train.sorted())
        #expect(DatasetSplitting.split(count: 33, testFraction: 0.25, seed: 1, shuffle: true).test.count == 8)
        #expect(DatasetSplitting.split(count: 5, testFraction: 0.01, seed: 1, shuffle: true).test.count == 1)
        #expect(DatasetSplitting.split(count: 5, testFraction: 0, seed: 1, shuffle: true).test.isEmpty)
    }

    @Test func histogramBinsLengths() {
        let histogram = LengthHistogram(lengths: [0, 9, 10, 19, 95], bins: 10)
        #expect(histogram.binWidth == 10)
        #expect(histogram.counts == [2, 2, 0, 0, 0, 0, 0, 0, 0, 1])
        let lines = histogram.lines(width: 8)
        #expect(lines[0] == " 0– 9 │████████ 2")
        #expect(lines[9] == "90–99 │████ 1")
    }
}
