import Foundation
import Engine

/// Paths the tests read: the package root, the fixtures in it, and the cached default model.
enum TestPaths {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static let shared = packageRoot.appendingPathComponent("Tests/Fixtures")  // copies of the shared references (Tests/Fixtures/README.md)
    static let golden = shared.appendingPathComponent("golden")
    static let fixtures = packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures")

    /// The default model; the test command fetches it (scripts/fetch-model.sh), so its absence is a failure.
    static var model: URL {
        if let path = ProcessInfo.processInfo.environment["TUNEBENCH_TEST_MODEL"] { return URL(fileURLWithPath: path) }
        return ModelCache.defaultModel
    }

    static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }
}

/// The default model, loaded once for the tests that run it, and tokens of the golden text.
enum DefaultModel {
    static let model: LlamaModel? = try? LlamaModel(path: TestPaths.model.path)

    /// The first `count` tokens of the golden perplexity text.
    static func tokens(_ count: Int) throws -> [Int32] {
        let text = try String(contentsOf: TestPaths.golden.appendingPathComponent("perplexity-text.txt"), encoding: .utf8)
        let gguf = try GGUFFile(path: TestPaths.model.path)
        return Array(try Tokenizer(gguf: gguf).encode(text, addBOS: false).prefix(count))
    }
}

