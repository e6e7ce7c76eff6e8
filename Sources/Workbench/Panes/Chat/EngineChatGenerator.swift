import Engine
import Foundation

/// `ChatGenerator` over the engine: loads a GGUF model once per path, renders the conversation with
/// the model's chat template, drops the oldest turns when the prompt and a reply would not fit the
/// context (as `tunebench chat` does), and streams the reply.
public final class EngineChatGenerator: ChatGenerator, @unchecked Sendable {
    // Unchecked: every use of `loaded` and of the sessions inside it happens under `lock`.
    private let lock = NSLock()
    private var loaded: [String: Loaded] = [:]
    private var models: [String: LlamaModel] = [:]
    private let contextLength: Int
    private let threads: Int

    private struct Loaded {
        var tokenizer: Tokenizer
        var template: ChatTemplate
        var generator: TextGenerator
    }

    public init(contextLength: Int = 2048, threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
        self.contextLength = contextLength
        self.threads = threads
    }

    private func load(_ request: ChatRequest) throws -> Loaded {
        let key = request.modelPath + "\u{0}" + (request.adapterPath ?? "")
        if let l = loaded[key] { return l }
        guard FileManager.default.fileExists(atPath: request.modelPath) else { throw ChatError.modelMissing(request.modelPath) }
        if let adapterPath = request.adapterPath, !FileManager.default.fileExists(atPath: adapterPath) {
            throw ChatError.adapterMissing(adapterPath)
        }
        // One model per path, shared by the base entry and any adapted entries.
        let model = try models[request.modelPath] ?? LlamaModel(path: request.modelPath)
        models[request.modelPath] = model
        let tokenizer = try Tokenizer(gguf: model.gguf)
        let template = ChatTemplate.loadOrFallback(source: model.gguf["tokenizer.chat_template"]?.stringValue).template
        var adapter: LoRAAdapter?
        if let adapterPath = request.adapterPath {
            do { adapter = try LoRAAdapter.load(path: adapterPath, model: model.config) } catch {
                throw ChatError.adapterUnreadable(adapterPath, reason: "\(error)")
            }
        }
        let session = InferenceSession(model: model, contextLength: contextLength, threads: threads, adapter: adapter)
        let l = Loaded(tokenizer: tokenizer, template: template, generator: TextGenerator(session: session, tokenizer: tokenizer))
        loaded[key] = l
        return l
    }

    public func reply(to request: ChatRequest, shouldStop: () -> Bool, emit: (String) -> Void) throws -> GenerationStats {
        lock.lock()
        defer { lock.unlock() }
        let l = try load(request)
        let bos = l.tokenizer.bosID.map { l.tokenizer.piece(for: $0) } ?? ""
        let eos = l.tokenizer.eosID.map { l.tokenizer.piece(for: $0) } ?? ""
        var messages = request.messages
        let maxTokens = min(request.maxTokens, contextLength - 1)
        while true {
            let prompt = l.tokenizer.encode(try l.template.render(messages: messages, addGenerationPrompt: true, bosToken: bos, eosToken: eos))
            if prompt.count + maxTokens <= contextLength || (prompt.count < contextLength && messages.count <= 1) {
                return try l.generator.generate(prompt: prompt, maxTokens: min(maxTokens, contextLength - prompt.count),
                                                sampling: request.sampling, shouldStop: shouldStop, emit: emit)
            }
            let first = messages.first?.role == "system" ? 1 : 0
            guard messages.count - first > 1 else { throw ChatError.messageTooLong(contextLength: contextLength) }
            messages.remove(at: first)
        }
    }
}
