import Testing

@testable import Engine

@Suite("Tokenizer streaming decoder")
struct TokenizerStreamingTests {
    @Test func multiByteTextStreamsWithoutReplacementCharacters() throws {
        let tokenizer = try TokenizerTestSupport.smolLM2.get()
        let text = "東京は日本の首都です。 emoji 🧙\u{200D}♂️🔥 done"
        let ids = tokenizer.encode(text)
        var decoder = tokenizer.makeStreamingDecoder()
        var pieces: [String] = []
        for id in ids { pieces.append(decoder.append(id)) }
        pieces.append(decoder.finish())
        #expect(pieces.joined() == text)
        #expect(!pieces.contains { $0.contains("\u{FFFD}") })
        // Some token ended mid-character, so something was held back at least once.
        #expect(pieces.dropLast().contains(""))
        #expect(ids.count > text.count / 2)
    }

    @Test func finishFlushesAnUnfinishedCharacterAsReplacement() throws {
        let tokenizer = try TokenizerTestSupport.smolLM2.get()
        let ids = tokenizer.encode("a東")
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        var text = ""
        for id in ids.dropLast() { text += decoder.append(id) }
        #expect(text == "a")
        #expect(decoder.finish() == "\u{FFFD}")
        #expect(decoder.finish() == "")
    }

    @Test func skipsSpecialTokensWhenAsked() throws {
        let tokenizer = try TokenizerTestSupport.smolLM2.get()
        var decoder = tokenizer.makeStreamingDecoder(skipSpecial: true)
        var text = ""
        for id in tokenizer.encode("<|im_start|>assistant\nOK<|im_end|>") { text += decoder.append(id) }
        text += decoder.finish()
        #expect(text == "assistant\nOK")
    }

    @Test func completePrefixHoldsBackOnlyCompletableSequences() {
        #expect(StreamingDecoder.completePrefixLength([0x61, 0xE6, 0x9D]) == 1)
        #expect(StreamingDecoder.completePrefixLength([0x61, 0xE6, 0x9D, 0xB1]) == 4)
        #expect(StreamingDecoder.completePrefixLength([0xF0, 0x9F, 0xA7]) == 0)
        #expect(StreamingDecoder.completePrefixLength([0x9D, 0x9D]) == 2)  // stray continuations
        #expect(StreamingDecoder.completePrefixLength([0xFF]) == 1)  // never valid
    }
}
