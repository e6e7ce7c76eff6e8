import Foundation
import Testing

@testable import Engine

@Suite("Tokenizer")
struct TokenizerTests {
    typealias Support = TokenizerTestSupport

    @Test func goldenCasesMatchHuggingFaceAndLlamaCpp() throws {
        let tokenizer = try Support.smolLM2.get()
        let cases = try Support.goldenCases()
        #expect(cases.count > 20)
        for testCase in cases {
            #expect(tokenizer.encode(testCase.text, addBOS: false) == testCase.ids, "\(testCase.text.debugDescription)")
        }
    }

    /// The GGUF path: a `TokenizerVocabulary` as the GGUF reader fills it (SmolLM2's GGUF keys:
    /// pre = "smollm", bos 1, eos 2, unk 0, pad 2, add_bos false), tokens/types/merges taken from the
    /// golden tokenizer.json. Also checks the vocabulary the JSON loader builds.
    @Test func ggufStyleVocabularyGivesGoldenIDs() throws {
        let fromJSON = try TokenizerVocabulary(huggingFaceJSON: Support.tokenizerJSON)
        #expect(fromJSON.tokens.count == 49152)
        #expect(fromJSON.merges.count == 48900)
        #expect(fromJSON.preTokenizer == "smollm")
        #expect(fromJSON.tokenTypes.filter { $0 == TokenType.control }.count == 17)
        #expect(fromJSON.tokens[2] == "<|im_end|>")

        let vocabulary = TokenizerVocabulary(
            tokens: fromJSON.tokens, tokenTypes: fromJSON.tokenTypes, merges: fromJSON.merges,
            preTokenizer: "smollm", bosID: 1, eosID: 2, unknownID: 0, paddingID: 2, addBOS: false, addEOS: false)
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.bosID == 1 && tokenizer.eosID == 2)
        for testCase in try Support.goldenCases() {
            #expect(tokenizer.encode(testCase.text) == testCase.ids, "\(testCase.text.debugDescription)")
            #expect(tokenizer.encode(testCase.text, addBOS: true) == [1] + testCase.ids)
        }

        var withRules = vocabulary
        withRules.addBOS = true
        withRules.addEOS = true
        let ruled = try Tokenizer(vocabulary: withRules)
        #expect(ruled.encode("Hello world") == [1, 19556, 905, 2])
        #expect(ruled.encode("Hello world", addBOS: false) == [19556, 905, 2])
    }

    @Test func decodeInvertsEncodeOnEveryGoldenString() throws {
        let tokenizer = try Support.smolLM2.get()
        for testCase in try Support.goldenCases() {
            #expect(tokenizer.decode(testCase.ids) == testCase.text, "\(testCase.text.debugDescription)")
            #expect(tokenizer.decode(tokenizer.encode(testCase.text)) == testCase.text)
        }
    }

    /// Reference ids made by HF tokenizers with `encode_special_tokens = True`.
    @Test func specialTokenTextIsPlainWhenParsingIsOff() throws {
        let tokenizer = try Support.smolLM2.get()
        let cases = try Support.reference().plain_special
        #expect(cases.count == 3)
        for testCase in cases {
            let ids = tokenizer.encode(testCase.text, parseSpecial: false)
            #expect(ids == testCase.ids, "\(testCase.text.debugDescription)")
            #expect(!ids.contains { tokenizer.isSpecial($0) })
            #expect(tokenizer.decode(ids) == testCase.text)
        }
    }

    /// Words over `BytePairMerge.scanLimit` symbols take the priority-queue path; ids from HF.
    @Test func longWordsMatchHuggingFace() throws {
        let tokenizer = try Support.smolLM2.get()
        let cases = try Support.reference().long_words
        #expect(cases.count == 6)
        for testCase in cases {
            #expect(tokenizer.encode(testCase.text) == testCase.ids, "\(testCase.text.prefix(20))…")
        }
    }

    /// The two merge strategies agree on every word of the golden texts and on seeded random words.
    @Test func heapAndScanMergesAgree() throws {
        let vocabulary = try TokenizerVocabulary(huggingFaceJSON: Support.tokenizerJSON)
        var table = MergeTable(capacityFor: vocabulary.merges.count)
        var idOf: [String: Int32] = [:]
        for (id, token) in vocabulary.tokens.enumerated() { idOf[token] = Int32(id) }
        for (rank, merge) in vocabulary.merges.enumerated() {
            let parts = merge.split(separator: " ", maxSplits: 1).map(String.init)
            guard let l = idOf[parts[0]], let r = idOf[parts[1]], let m = idOf[parts[0] + parts[1]] else { continue }
            table.insert(left: l, right: r, rank: UInt32(rank), merged: m)
        }
        var words = try Support.goldenCases().flatMap { $0.text.split(separator: " ").map(String.init) }
        var state: UInt64 = 12345  // fixed-seed LCG, so a failure reproduces
        let letters = Array("etaoinshrdlucmfwypvbgkqjxzETAOIN")
        for length in [2, 5, 17, 70, 200] {
            for _ in 0..<20 {
                words.append(String((0..<length).map { _ in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return letters[Int(state >> 59)]
                }))
            }
        }
        var scratch = BytePairMerge.HeapScratch()
        table.withLookup { lookup in
            for word in words {
                let initial = word.utf8.map { idOf[ByteLevel.encode([$0])]! }
                var scanned = initial, heaped = initial
                let n1 = scanned.withUnsafeMutableBufferPointer { BytePairMerge.mergeByScan($0, lookup) }
                let n2 = heaped.withUnsafeMutableBufferPointer { BytePairMerge.mergeWithHeap($0, lookup, &scratch) }
                #expect(Array(scanned[..<n1]) == Array(heaped[..<n2]), "\(word)")
            }
        }
    }

    @Test func specialTokensAreMatchedLongestFirst() throws {
        // Hand-built vocabulary: specials "<a>" and "<a>b>" overlap; the longer one must win.
        let bytes = (0..<256).map { ByteLevel.encode([UInt8($0)]) }
        let tokens = bytes + ["<a>", "<a>b>"]
        let types = [Int32](repeating: TokenType.normal, count: 256) + [TokenType.control, TokenType.control]
        let tokenizer = try Tokenizer(vocabulary: TokenizerVocabulary(
            tokens: tokens, tokenTypes: types, merges: [], preTokenizer: "gpt2"))
        #expect(tokenizer.encode("x<a>b>y") == [120, 257, 121])
        #expect(tokenizer.encode("x<a>c") == [120, 256, 99])
        #expect(tokenizer.encode("<a>", parseSpecial: false) == [60, 97, 62])
    }

    @Test func piecesLookupsAndSpecialFlags() throws {
        let tokenizer = try Support.smolLM2.get()
        // Ids from the golden tokenizer.json / tokenizer-cases.json ("Hello world" = 19556, 905).
        #expect(tokenizer.id(for: "Ġworld") == 905)
        #expect(tokenizer.piece(for: 905) == " world")
        #expect(tokenizer.id(for: "<|im_end|>") == 2)
        #expect(tokenizer.piece(for: 2) == "<|im_end|>")
        #expect(tokenizer.isSpecial(0) && tokenizer.isSpecial(16))
        #expect(!tokenizer.isSpecial(17) && !tokenizer.isSpecial(905))
        #expect(tokenizer.piece(for: -1) == "" && tokenizer.piece(for: 49152) == "")
        #expect(tokenizer.id(for: "no such token") == nil)

        let chat = tokenizer.encode("<|im_start|>user\nHi<|im_end|>\n")
        #expect(tokenizer.decode(chat, skipSpecial: true) == "user\nHi\n")
        #expect(tokenizer.decode(chat) == "<|im_start|>user\nHi<|im_end|>\n")
    }

    @Test func decodeReplacesInvalidUTF8() throws {
        let tokenizer = try Support.smolLM2.get()
        // "東" is E6 9D B1; the first token of its encoding is a partial sequence on its own.
        let ids = tokenizer.encode("東")
        #expect(ids.count > 1)
        #expect(tokenizer.decode([ids[0]]) == "\u{FFFD}")
    }

    @Test func unknownPreTokenizerIsRejectedWithTheSupportedNames() throws {
        let vocabulary = TokenizerVocabulary(tokens: ["a"], tokenTypes: [1], merges: [], preTokenizer: "mystery")
        #expect {
            _ = try Tokenizer(vocabulary: vocabulary)
        } throws: { error in
            guard let error = error as? TokenizerError,
                  case .unknownPreTokenizer(let name, let supported) = error else { return false }
            return name == "mystery" && supported.contains("smollm") && supported.contains("llama3")
                && error.description.contains("qwen2")
        }
    }

    @Test func malformedVocabulariesAreRejected() {
        #expect(throws: TokenizerError.tokenTypeCountMismatch(tokens: 2, tokenTypes: 1)) {
            try Tokenizer(vocabulary: TokenizerVocabulary(tokens: ["a", "b"], tokenTypes: [1], merges: [], preTokenizer: "gpt2"))
        }
        #expect(throws: TokenizerError.malformedMerge(index: 0, text: "ab")) {
            try Tokenizer(vocabulary: TokenizerVocabulary(tokens: ["a", "b"], tokenTypes: [], merges: ["ab"], preTokenizer: "gpt2"))
        }
        #expect(throws: TokenizerError.specialIDOutOfRange(name: "EOS", id: 5, vocabularySize: 2)) {
            try Tokenizer(vocabulary: TokenizerVocabulary(tokens: ["a", "b"], tokenTypes: [], merges: [], preTokenizer: "gpt2", eosID: 5))
        }
    }
}

/// The tokenizer built from the model file's own `tokenizer.ggml.*` keys gives the golden ids too.
@Suite struct TokenizerFromGGUFTests {
    @Test func goldenCasesFromTheModelFile() throws {
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: TestPaths.model.path))
        let root = try #require(try TestPaths.json(TestPaths.golden.appendingPathComponent("tokenizer-cases.json")) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count >= 20)
        for c in cases {
            let text = try #require(c["text"] as? String)
            let ids = try #require(c["ids"] as? [Int]).map(Int32.init)
            #expect(tokenizer.encode(text) == ids, "\(text.debugDescription)")
        }
        #expect(tokenizer.bosID == 1 && tokenizer.eosID == 2 && !tokenizer.addsBOS)
    }
}
