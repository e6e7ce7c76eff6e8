import Engine
import Foundation
import Pipeline

/// `ChatGenerator` over the engine: one `ChatSession` (the same as `tunebench chat`'s) per model and
/// adapter, each model loaded once and shared by its base and adapted sessions.
public final class EngineChatGenerator: ChatGenerator, @unchecked Sendable {
    // Unchecked: every use of `sessions` and `models` happens under `lock`.
    private let lock = NSLock()
    private var sessions: [String: ChatSession] = [:]
    private var models: [String: LlamaModel] = [:]
    private let contextLength: Int
    private let threads: Int

    public init(contextLength: Int = 2048, threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
        self.contextLength = contextLength
        self.threads = threads
    }

    private func session(for request: ChatRequest) throws -> ChatSession {
        let key = request.modelPath + "\u{0}" + (request.adapterPath ?? "")
        if let s = sessions[key] { return s }
        guard FileManager.default.fileExists(atPath: request.modelPath) else { throw ChatError.modelMissing(request.modelPath) }
        if let adapterPath = request.adapterPath, !FileManager.default.fileExists(atPath: adapterPath) {
            throw ChatError.adapterMissing(adapterPath)
        }
        let model = try models[request.modelPath] ?? LlamaModel(path: request.modelPath)
        models[request.modelPath] = model
        var adapter: LoRAAdapter?
        if let adapterPath = request.adapterPath {
            do { adapter = try LoRAAdapter.load(path: adapterPath, model: model.config) } catch {
                throw ChatError.adapterUnreadable(adapterPath, reason: "\(error)")
            }
        }
        let s = try ChatSession(model: model, adapter: adapter, contextLength: contextLength, threads: threads)
        sessions[key] = s
        return s
    }

    public func reply(to request: ChatRequest, shouldStop: () -> Bool, emit: (String) -> Void) throws -> GenerationStats {
        lock.lock()
        defer { lock.unlock() }
        return try session(for: request).reply(to: request.messages, maxTokens: request.maxTokens, sampling: request.sampling,
                                               shouldStop: shouldStop, emit: emit)
    }
}
