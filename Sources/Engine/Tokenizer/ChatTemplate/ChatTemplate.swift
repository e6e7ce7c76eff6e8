/// One turn of a conversation.
public struct ChatMessage: Sendable, Codable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A model's chat template (`tokenizer.chat_template`), parsed once and rendered per conversation
/// with Hugging Face's settings (trim_blocks, lstrip_blocks).
public struct ChatTemplate: @unchecked Sendable {
    public let source: String
    private let nodes: [JinjaNode]

    public init(source: String) throws {
        self.source = source
        // jinja2 drops one trailing newline of the template source (keep_trailing_newline=False).
        var text = source
        if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
        var parser = JinjaParser(try JinjaLexer.pieces(text))
        nodes = try parser.parseTemplate()
    }

    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String = "", eosToken: String = "",
                       extra: [String: JinjaValue] = [:]) throws -> String {
        var globals: [String: JinjaValue] = [
            "messages": .array(messages.map { .dict(JinjaDict([("role", .string($0.role)), ("content", .string($0.content))])) }),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
        ]
        for (k, v) in extra { globals[k] = v }
        return try JinjaInterpreter(globals: globals).render(nodes)
    }

    /// The ChatML format (`<|im_start|>role\ncontent<|im_end|>\n`), the fallback for models without a
    /// usable template.
    public static let chatML: ChatTemplate = try! ChatTemplate(source: """
        {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """)

    /// The model's template when it parses and renders a test conversation, otherwise ChatML with a
    /// warning that says why.
    public static func loadOrFallback(source: String?) -> (template: ChatTemplate, warning: String?) {
        guard let source, !source.isEmpty else { return (chatML, "the model has no chat template; using ChatML") }
        do {
            let template = try ChatTemplate(source: source)
            _ = try template.render(messages: [ChatMessage(role: "user", content: "hi")], addGenerationPrompt: true)
            return (template, nil)
        } catch {
            return (chatML, "\(error); using ChatML instead")
        }
    }
}
