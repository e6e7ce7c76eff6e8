/// How a model turns a conversation into its prompt: its chat template (ChatML when it has none or
/// it cannot be used) with the model's own BOS and EOS pieces. Built once per model; `tunebench
/// chat`, the Chat pane and chat datasets all render through it.
public struct ChatFormat: Sendable {
    public let template: ChatTemplate
    public let bosToken: String
    public let eosToken: String
    /// Why the model's own template is not used, when it is not.
    public let warning: String?

    /// The format of a GGUF model: `tokenizer.chat_template` with the tokenizer's BOS/EOS pieces.
    public init(gguf: GGUFFile, tokenizer: Tokenizer) {
        let (template, warning) = ChatTemplate.loadOrFallback(source: gguf["tokenizer.chat_template"]?.stringValue)
        self.init(template: template, tokenizer: tokenizer, warning: warning)
    }

    public init(template: ChatTemplate, tokenizer: Tokenizer, warning: String? = nil) {
        self.template = template
        bosToken = tokenizer.bosID.map { tokenizer.piece(for: $0) } ?? ""
        eosToken = tokenizer.eosID.map { tokenizer.piece(for: $0) } ?? ""
        self.warning = warning
    }

    /// The conversation as the model's prompt text.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        try template.render(messages: messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosToken, eosToken: eosToken)
    }

    /// The prompt for a reply to `messages`: its tokens and how many of the oldest turns were left
    /// out so that the prompt and `reserve` new tokens fit `contextLength`. A leading system message
    /// is always kept; the newest message alone is used even when fewer than `reserve` tokens then
    /// remain, and throws `ChatFormatError.tooLong` only when it fills the whole context.
    public func prompt(for messages: [ChatMessage], tokenizer: Tokenizer, contextLength: Int, reserve: Int) throws
        -> (tokens: [Int32], droppedTurns: Int)
    {
        var kept = messages
        var dropped = 0
        let first = messages.first?.role == "system" ? 1 : 0
        while true {
            let tokens = tokenizer.encode(try render(kept, addGenerationPrompt: true))
            guard !tokens.isEmpty else { throw ChatFormatError.emptyPrompt }
            if tokens.count + reserve <= contextLength { return (tokens, dropped) }
            if kept.count - first <= 1 {
                guard tokens.count < contextLength else { throw ChatFormatError.tooLong(contextLength: contextLength) }
                return (tokens, dropped)
            }
            kept.remove(at: first)
            dropped += 1
        }
    }
}

public enum ChatFormatError: Error, CustomStringConvertible, Equatable {
    case tooLong(contextLength: Int)
    /// The chat template rendered the conversation as nothing.
    case emptyPrompt
    public var description: String {
        switch self {
        case .emptyPrompt: "the model's chat template renders this conversation as empty text; nothing to answer"
        case .tooLong(let n): "that message is too long for the context (\(n) tokens); send a shorter one or reset the conversation"
        }
    }
}
