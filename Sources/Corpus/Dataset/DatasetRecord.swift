/// The JSONL shapes `tunebench prepare` reads.
public enum DatasetFormat: String, CaseIterable, Codable, Sendable {
    /// Decide from the first non-empty line.
    case auto
    /// `{"<page number>": "<text>"}`, as `tunebench extract` writes.
    case pages
    /// `{"text": "..."}`
    case text
    /// `{"prompt": "...", "completion": "..."}`
    case promptCompletion = "prompt-completion"
    /// Alpaca: `{"instruction": "...", "input": "...", "output": "..."}` (`input` may be empty or absent).
    case alpaca
    /// `{"messages": [{"role": "...", "content": "..."}, ...]}`
    case chat

    /// Whether records of this shape are conversations (rendered with the chat template, loss on
    /// the assistant's tokens only) rather than plain text.
    public var isConversation: Bool {
        switch self {
        case .promptCompletion, .alpaca, .chat: true
        case .auto, .pages, .text: false
        }
    }
}

/// One message of a conversation.
public struct ChatMessage: Equatable, Sendable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// One usable record of the input, with the 1-based line it came from.
public struct DatasetRecord: Equatable, Sendable {
    public enum Content: Equatable, Sendable {
        /// Plain text (a page, a `{"text"}` record).
        case text(String)
        /// A conversation; assistant messages are what the model learns to produce.
        case conversation([ChatMessage])
    }

    public var line: Int
    public var content: Content
    /// The pages of a page map the text comes from (several once pages are joined); nil for
    /// other shapes.
    public var pages: ClosedRange<Int>?

    public init(line: Int, content: Content, pages: ClosedRange<Int>? = nil) {
        self.line = line
        self.content = content
        self.pages = pages
    }

    /// How the workbench names the record: "p.7", "p.7–8" for pages, else "l.12" for its line.
    public var label: String {
        guard let pages else { return "l.\(line)" }
        return pages.count == 1 ? "p.\(pages.lowerBound)" : "p.\(pages.lowerBound)–\(pages.upperBound)"
    }

    /// Characters of the text, or of all messages' contents (what `minLength` compares against).
    public var characterCount: Int {
        switch content {
        case .text(let text): text.count
        case .conversation(let messages): messages.reduce(0) { $0 + $1.content.count }
        }
    }
}

/// Renders a conversation to the model's prompt text (its chat template). With
/// `addGenerationPrompt`, the text ends with the opening of an assistant turn.
/// The renderer must be prefix-stable: rendering the first k messages (with the generation prompt
/// when message k is the assistant's) gives a prefix of rendering all of them.
public typealias ChatRenderer = @Sendable ([(role: String, content: String)], _ addGenerationPrompt: Bool) throws -> String
