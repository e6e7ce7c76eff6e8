import Engine
import Foundation

/// A conversation with a model (and optionally an adapter): the model's chat format, a KV-cached
/// inference session, and the rule for a conversation that outgrows the context (the oldest turns
/// are left out, a system message stays). `tunebench chat` and the Chat pane both answer through it.
/// Not thread-safe: one reply at a time.
public final class ChatSession {
    public let model: LlamaModel
    public let tokenizer: Tokenizer
    public let format: ChatFormat
    public let contextLength: Int
    private let generator: TextGenerator

    public init(model: LlamaModel, adapter: LoRAAdapter?, contextLength: Int, threads: Int) throws {
        self.model = model
        tokenizer = try Tokenizer(gguf: model.gguf)
        format = ChatFormat(gguf: model.gguf, tokenizer: tokenizer)
        self.contextLength = contextLength
        let session = InferenceSession(model: model, contextLength: contextLength, threads: threads, adapter: adapter)
        generator = TextGenerator(session: session, tokenizer: tokenizer)
    }

    /// Streams the reply to `messages` (which end with the user's turn) through `emit`.
    public func reply(to messages: [ChatMessage], maxTokens: Int, sampling: SamplingParameters,
                      shouldStop: () -> Bool, emit: (String) -> Void) throws -> GenerationStats {
        let reserve = min(maxTokens, contextLength - 1)
        let (prompt, _) = try format.prompt(for: messages, tokenizer: tokenizer, contextLength: contextLength, reserve: reserve)
        return try generator.generate(prompt: prompt, maxTokens: min(reserve, contextLength - prompt.count), sampling: sampling,
                                      shouldStop: shouldStop, emit: emit)
    }
}
