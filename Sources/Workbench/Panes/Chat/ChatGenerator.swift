import Engine

/// One reply to produce: which model (and adapter), the conversation so far, how to sample.
public struct ChatRequest: Sendable, Equatable {
    public var modelPath: String
    /// A LoRA adapter to apply on top of the model, or nil for the base model.
    public var adapterPath: String?
    /// The conversation, ending with the user's newest message.
    public var messages: [ChatMessage]
    public var sampling: SamplingParameters
    public var maxTokens: Int

    public init(modelPath: String, adapterPath: String?, messages: [ChatMessage], sampling: SamplingParameters, maxTokens: Int) {
        self.modelPath = modelPath
        self.adapterPath = adapterPath
        self.messages = messages
        self.sampling = sampling
        self.maxTokens = maxTokens
    }
}

/// Produces chat replies. Called on a background thread, one request at a time; `emit` receives
/// text as it is generated; `shouldStop` is polled between tokens. The Chat pane works with any
/// implementation: `EngineChatGenerator` over the real model, or a test's fake.
public protocol ChatGenerator: Sendable {
    func reply(to request: ChatRequest, shouldStop: () -> Bool, emit: (String) -> Void) throws -> GenerationStats
}

/// Why a reply could not be produced.
public enum ChatError: Error, CustomStringConvertible, Equatable {
    case modelMissing(String)
    case adapterMissing(String)
    case adapterUnreadable(String, reason: String)
    case messageTooLong(contextLength: Int)

    public var description: String {
        switch self {
        case .modelMissing(let path): "no model at \(path); set one with /model PATH (a .gguf file)"
        case .adapterMissing(let path): "no adapter at \(path); /adapter none uses the base model"
        case .adapterUnreadable(let path, let reason): "cannot use the adapter \(path): \(reason)"
        case .messageTooLong(let n): "that message is too long for the context (\(n) tokens); /reset or send a shorter one"
        }
    }
}
