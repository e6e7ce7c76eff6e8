import Foundation

@testable import Engine

/// Paths and shared objects for the tokenizer tests. Data is found from this file's location:
/// the package root is the first ancestor holding Package.swift; goldens are in Tests/Fixtures/golden.
enum TokenizerTestSupport {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
              url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static let golden = packageRoot.appendingPathComponent("Tests/Fixtures/golden")
    static let tokenizerJSON = golden.appendingPathComponent("smollm2-tokenizer.json")
    static let fixtures = packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures")

    /// The golden SmolLM2 tokenizer, loaded once for all tests.
    static let smolLM2: Result<Tokenizer, Error> = Result { try Tokenizer(huggingFaceJSON: tokenizerJSON) }

    struct GoldenCases: Decodable {
        struct Case: Decodable {
            let text: String
            let ids: [Int32]
        }
        let cases: [Case]
    }

    /// `tokenizer-cases.json`: HF tokenizers and llama.cpp ids (they agree), no BOS, specials parsed.
    static func goldenCases() throws -> [GoldenCases.Case] {
        let data = try Data(contentsOf: golden.appendingPathComponent("tokenizer-cases.json"))
        return try JSONDecoder().decode(GoldenCases.self, from: data).cases
    }

    struct Reference: Decodable {
        struct SplitCase: Decodable {
            let text: String
            let words: [String]
        }
        struct SplitSet: Decodable {
            let pattern: String
            let cases: [SplitCase]
        }
        struct PlainSpecial: Decodable {
            let text: String
            let ids: [Int32]
        }
        let splits: [String: SplitSet]
        let plain_special: [PlainSpecial]
        let long_words: [PlainSpecial]
    }

    /// `Fixtures/tokenizer-reference.json`, made by bench/tokenizer_reference.py (Python `regex`
    /// with the published patterns, and HF `tokenizers`).
    static func reference() throws -> Reference {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("tokenizer-reference.json"))
        return try JSONDecoder().decode(Reference.self, from: data)
    }
}
