import Corpus
import Engine
import Foundation
import Testing
import Workspace
@testable import Pipeline

private func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tb-pipe-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The one job builder, `FineTuneSpec(workspace:)`, which `tunebench train` and the Train pane share.
@Suite struct FineTuneSpecTests {
    /// A workspace whose model and prepared dataset exist (as files the builder checks for).
    private func workspace(_ configure: (inout WorkspaceSettings) -> Void) throws -> Workspace {
        let dir = try temporaryFolder()
        try Data().write(to: dir.appendingPathComponent("base.gguf"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("dataset"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("dataset/\(DatasetManifest.fileName)"))
        var settings = WorkspaceSettings()
        settings.model.path = "base.gguf"
        configure(&settings)
        return Workspace(directory: dir, settings: settings)
    }

    @Test func theJobIsExactlyTheWorkspacesSettings() throws {
        let ws = try workspace { s in
            s.lora = LoRAConfig(rank: 4, alpha: 8, dropout: 0.1, targets: [.value, .gate], useRSLoRA: true)
            s.training.weightDecay = 0.05
            s.training.saveEvery = 1
            s.training.schedule = .linear
            s.training.samplePrompt = "Once"
            s.training.baseQuant = .q8_0
            s.training.seed = 9
        }
        defer { try? FileManager.default.removeItem(at: ws.directory) }
        let spec = try FineTuneSpec(workspace: ws, threads: 1)
        #expect(spec.lora == ws.settings.lora)
        #expect(spec.training == ws.settings.training)
        #expect(spec.adapterSeed == 9)
        #expect(spec.modelPath == ws.directory.appendingPathComponent("base.gguf").path)
        #expect(spec.datasetDirectory == ws.datasetURL)
        #expect(spec.runDirectory.deletingLastPathComponent().path == ws.runsURL.path)
    }

    @Test func whatIsMissingIsOneLine() throws {
        let ws = try workspace { $0.dataset.output = "nothing-here" }
        defer { try? FileManager.default.removeItem(at: ws.directory) }
        #expect(throws: FineTuneError.self) { _ = try FineTuneSpec(workspace: ws) }
        do { _ = try FineTuneSpec(workspace: ws) } catch {
            #expect(error.description == "no prepared dataset at \(ws.directory.path)/nothing-here; prepare one first (tunebench prepare, or p in the Dataset pane)")
        }
        var bad = try workspace { _ in }
        defer { try? FileManager.default.removeItem(at: bad.directory) }
        bad.settings.training.batchSize = 0
        do { _ = try FineTuneSpec(workspace: bad); Issue.record("batch size 0 accepted") } catch {
            #expect(error.description == "batch size must be at least 1, not 0")
        }
    }

    @Test func twoRunsStartedInTheSameSecondGetTheirOwnFolders() throws {
        let runs = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: runs) }
        let now = Date()
        let first = FineTuneSpec.newRunDirectory(in: runs, now: now)
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        let second = FineTuneSpec.newRunDirectory(in: runs, now: now)
        #expect(second.lastPathComponent == first.lastPathComponent + "-2")
    }
}

/// The chat rule shared by `tunebench chat` and the Chat pane, on the default model's own template.
@Suite struct ChatFormatTests {
    static let model: URL = {
        if let path = ProcessInfo.processInfo.environment["TUNEBENCH_TEST_MODEL"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return ModelCache.defaultModel
    }()

    @Test func aLongConversationKeepsTheSystemMessageAndTheNewestTurns() throws {
        let gguf = try GGUFFile(path: Self.model.path)
        let tokenizer = try Tokenizer(gguf: gguf)
        let format = ChatFormat(gguf: gguf, tokenizer: tokenizer)
        #expect(format.warning == nil)
        var messages = [Engine.ChatMessage(role: "system", content: "Answer in French.")]
        for i in 1...12 {
            messages.append(Engine.ChatMessage(role: i % 2 == 1 ? "user" : "assistant", content: "Turn \(i): " + String(repeating: "words and more words ", count: 6)))
        }
        messages.append(Engine.ChatMessage(role: "user", content: "The newest question?"))
        let whole = tokenizer.encode(try format.render(messages, addGenerationPrompt: true))
        let (tokens, dropped) = try format.prompt(for: messages, tokenizer: tokenizer, contextLength: 256, reserve: 32)
        #expect(whole.count + 32 > 256, "the conversation must not fit, or nothing is tested")
        #expect(tokens.count + 32 <= 256 && dropped > 0)
        // Exactly the turns after the dropped ones, rendered by the template.
        let kept = [messages[0]] + messages.dropFirst(1 + dropped)
        #expect(tokens == tokenizer.encode(try format.render(kept, addGenerationPrompt: true)))
        // One turn fewer dropped would not have fitted.
        let oneMore = [messages[0]] + messages.dropFirst(dropped)
        #expect(tokenizer.encode(try format.render(oneMore, addGenerationPrompt: true)).count + 32 > 256)
        // A template that renders nothing is said to, not taken for a message too long (issue 13).
        let silent = ChatFormat(template: try ChatTemplate(source: "{% if false %}x{% endif %}"), tokenizer: tokenizer)
        #expect(throws: ChatFormatError.emptyPrompt) {
            _ = try silent.prompt(for: messages, tokenizer: tokenizer, contextLength: 256, reserve: 32)
        }
        // A single message filling the whole context is refused.
        let huge = [Engine.ChatMessage(role: "user", content: String(repeating: "word ", count: 400))]
        #expect(throws: ChatFormatError.tooLong(contextLength: 256)) {
            _ = try format.prompt(for: huge, tokenizer: tokenizer, contextLength: 256, reserve: 32)
        }
    }
}
