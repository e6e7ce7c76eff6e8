/// One chat turn as a template sees it: `message['role']`, `message['content']`.
public struct ChatMessage: Sendable, Codable, Equatable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A model's `tokenizer.chat_template`, parsed once and rendered per conversation the way
/// Hugging Face does (jinja2 with trim_blocks and lstrip_blocks). The template runs sandboxed:
/// it can only read the variables it is given, and every loop, recursion and string is bounded
/// (see `ChatTemplateLimits`).
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    let statements: [JinjaStmt]

    /// Parses `source`; throws `ChatTemplateError.syntax` with line and column.
    public init(source: String) throws {
        self.source = source
        self.statements = try JinjaParser.parse(source)
    }

    /// Renders a conversation. Variables: `messages` (list of {role, content}),
    /// `add_generation_prompt`, `bos_token`, `eos_token`, `tools` and `documents` (none, as
    /// transformers passes them when absent), then `extra`, which may override any of them.
    /// `strftime_now(format)` returns `dateString` whatever the format, so renders are reproducible.
    public func render(
        messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String = "", eosToken: String = "",
        extra: [String: JinjaValue] = [:], dateString: String = "26 Jul 2024", limits: ChatTemplateLimits = ChatTemplateLimits()
    ) throws -> String {
        var context: [String: JinjaValue] = [
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "tools": .none,
            "documents": .none,
        ]
        for (key, value) in extra { context[key] = value }
        return try render(context: context, dateString: dateString, limits: limits)
    }

    /// Renders with exactly the given top-level variables.
    public func render(
        context: [String: JinjaValue], dateString: String = "26 Jul 2024", limits: ChatTemplateLimits = ChatTemplateLimits()
    ) throws -> String {
        let interpreter = JinjaInterpreter(
            context: context.mapValues(Value.init), limits: limits, dateString: dateString)
        return try interpreter.render(statements)
    }

    /// The ChatML template (as in OpenHermes-2.5 and many fine-tunes): the fallback when a model's
    /// own template is missing or unusable.
    public static let chatML: ChatTemplate = {
        let source =
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
        do {
            return try ChatTemplate(source: source)
        } catch {
            preconditionFailure("built-in ChatML template failed to parse: \(error)")  // a constant, not user input
        }
    }()

    /// The model's template if it parses, else ChatML with a warning saying why.
    public static func loadOrFallback(source: String?) -> (template: ChatTemplate, warning: String?) {
        guard let source, !source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return (chatML, "the model has no chat template; using ChatML")
        }
        do {
            return (try ChatTemplate(source: source), nil)
        } catch {
            return (chatML, "the model's chat template cannot be used (\(error)); using ChatML instead")
        }
    }
}

import Foundation
