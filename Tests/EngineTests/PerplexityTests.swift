import Foundation
import Testing
@testable import Engine

/// Perplexity of Tests/Fixtures/golden/perplexity-text.txt (first 1024 tokens, no BOS, one window) within 1%
/// of llama.cpp's value in perplexity.json.
@Test func perplexityMatchesLlamaCpp() throws {
    let golden = try #require(try TestPaths.json(TestPaths.golden.appendingPathComponent("perplexity.json")) as? [String: Any])
    let expected = try #require(golden["perplexity"] as? Double)
    let count = try #require(golden["tokens"] as? Int)
    let text = try String(contentsOf: TestPaths.golden.appendingPathComponent("perplexity-text.txt"), encoding: .utf8)
    let gguf = try GGUFFile(path: TestPaths.model.path)
    let tokens = Array(try Tokenizer(gguf: gguf).encode(text, addBOS: false).prefix(count))
    #expect(tokens.count == count)
    let model = try LlamaModel(path: TestPaths.model.path)
    let result = try Perplexity.evaluate(model: model, tokens: tokens, context: count, threads: 2)
    print("perplexity \(result.perplexity) (llama.cpp \(expected)), mean NLL \(result.meanNLL)")
    #expect(abs(result.perplexity - expected) / expected < 0.01)
    #expect(result.scoredTokens == count - 1)
}
