import Testing

@testable import Engine

/// Word splits of each pre-tokenizer against Fixtures/tokenizer-reference.json: Python `regex` with
/// the published gpt2 / llama3 / qwen2 patterns, and HF tokenizers' smollm pre-tokenizer (see
/// bench/tokenizer_reference.py). Hand-picked strings (contractions, digit groups, newlines,
/// Unicode whitespace, numbers like ½) plus seeded random mixes.
@Suite("Tokenizer pre-tokenizers")
struct TokenizerPreTokenizerTests {
    func check(_ name: String, _ preTokenizer: PreTokenizer) throws {
        let set = try #require(try TokenizerTestSupport.reference().splits[name])
        #expect(set.cases.count >= 50)
        for testCase in set.cases {
            #expect(preTokenizer.split(testCase.text) == testCase.words, "\(name): \(testCase.text.debugDescription)")
        }
    }

    @Test func gpt2MatchesReferenceRegex() throws { try check("gpt2", .gpt2) }
    @Test func smollmMatchesHuggingFace() throws { try check("smollm", .smollm) }
    @Test func llama3MatchesReferenceRegex() throws { try check("llama3", .llama3) }
    @Test func qwen2MatchesReferenceRegex() throws { try check("qwen2", .qwen2) }

    @Test func digitGroupingDiffersByFamily() throws {
        // Hand-checked: llama3 groups up to 3 digits, qwen2 and smollm isolate each digit.
        #expect(PreTokenizer.llama3.split("1234567") == ["123", "456", "7"])
        #expect(PreTokenizer.qwen2.split("1234") == ["1", "2", "3", "4"])
        #expect(PreTokenizer.smollm.split("x 12") == ["x", " ", "1", "2"])
        #expect(PreTokenizer.gpt2.split("x 12") == ["x", " 12"])
        #expect(PreTokenizer.llama3.split("I'M") == ["I", "'M"])
        #expect(PreTokenizer.gpt2.split("I'M") == ["I", "'", "M"])
    }

    @Test func namesMapToPreTokenizers() throws {
        #expect(try PreTokenizer(name: "llama-bpe") == .llama3)
        #expect(try PreTokenizer(name: "smollm") == .smollm)
        #expect(throws: TokenizerError.self) { try PreTokenizer(name: "") }
    }
}
