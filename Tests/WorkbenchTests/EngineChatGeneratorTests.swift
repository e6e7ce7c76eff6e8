import Engine
import Foundation
import Testing
@testable import Workbench

/// The Chat pane's engine-backed generator. The first test needs no model; the second uses the
/// cached default model when present and asked for (skipped otherwise) and compares with llama.cpp's greedy reply
/// in Tests/Fixtures/golden/generation.json (its chat case: SmolLM2's template puts in the default system
/// prompt when the conversation has none).
@Suite(.serialized) struct EngineChatGeneratorTests {
    static let modelPath = ModelCache.defaultModel.path
    static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url
    }

    @Test func aMissingModelAndAnAdapterAreReportedWithWhatToDo() throws {
        let gen = EngineChatGenerator(contextLength: 256, threads: 1)
        let request = ChatRequest(modelPath: "/nonexistent/m.gguf", adapterPath: nil, messages: [ChatMessage(role: "user", content: "hi")],
                                  sampling: .greedy, maxTokens: 4)
        #expect(throws: ChatError.modelMissing("/nonexistent/m.gguf")) { try gen.reply(to: request, shouldStop: { false }, emit: { _ in }) }
        #expect(ChatError.modelMissing("/x.gguf").description.contains("/model PATH"))

        // A missing adapter is refused with a clear message before the model is loaded.
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("m.gguf")
        _ = FileManager.default.createFile(atPath: model.path, contents: Data())
        var adapted = request
        adapted.modelPath = model.path
        adapted.adapterPath = "/nonexistent/runs/x"
        #expect(throws: ChatError.adapterMissing("/nonexistent/runs/x")) { try gen.reply(to: adapted, shouldStop: { false }, emit: { _ in }) }
    }

    /// Loading the model and decoding take about 100 s in a debug build, so this runs only when
    /// TUNEBENCH_MODEL_TESTS=1 is set (and the model is cached).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: modelPath)
        && ProcessInfo.processInfo.environment["TUNEBENCH_MODEL_TESTS"] == "1"))
    func greedyReplyMatchesLlamaCpp() throws {
        let data = try Data(contentsOf: Self.packageRoot.appendingPathComponent("Tests/Fixtures/golden/generation.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let chat = try #require(cases.first { ($0["prompt"] as? String)?.contains("boiling point") == true })
        let expected = try #require(chat["greedy_text"] as? String)

        let gen = EngineChatGenerator(contextLength: 512, threads: 2)
        var streamed: [String] = []
        let request = ChatRequest(modelPath: Self.modelPath, adapterPath: nil,
                                  messages: [ChatMessage(role: "user", content: "What is the boiling point of water?")],
                                  sampling: .greedy, maxTokens: 6)
        // Six tokens keep the debug-build test short; the engine's own golden test covers all 48
        // (and the near-tie after "100°C (" where f32 and llama.cpp's activations part ways).
        let stats = try gen.reply(to: request, shouldStop: { false }) { streamed.append($0) }
        let text = streamed.joined()
        #expect(text.count >= 20 && expected.hasPrefix(text), "\(text.debugDescription)")
        #expect(streamed.count > 1)  // streamed in pieces, not all at the end
        #expect(stats.generatedTokens == 6)
    }
}
