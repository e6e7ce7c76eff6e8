import Engine

/// Tokens with a loss mask (`TokenWindow.ignored` / `.trained` values), built record by record.
public struct TokenStream: Equatable, Sendable {
    public var tokens: [Int32] = []
    public var mask: [UInt8] = []

    public init() {}

    public var count: Int { tokens.count }

    mutating func append(_ ids: [Int32], trained: Bool) {
        tokens.append(contentsOf: ids)
        mask.append(contentsOf: repeatElement(trained ? TokenWindow.trained : TokenWindow.ignored, count: ids.count))
    }

    mutating func append(_ other: TokenStream) {
        tokens.append(contentsOf: other.tokens)
        mask.append(contentsOf: other.mask)
    }
}

/// Plain text → tokens, following the seed recipe: paragraph ends (".\n") become "." + EOS, other
/// newlines become spaces, then the text is tokenized (special-token text in a book is kept as
/// plain text, never turned into control tokens).
public enum TextTokenizing {
    /// The text pieces between EOS tokens, after the newline rule (`\r\n` counts as `\n`).
    /// `text` "A.\nB\nC.\nD" → ["A.", "B C.", "D"] with both rules on.
    public static func segments(of text: String, settings: DatasetSettings, hasEOS: Bool) -> [String] {
        let normalized = text.contains("\r\n") ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        var pieces: [String]
        if settings.eosAtParagraphEnds && hasEOS {
            pieces = normalized.components(separatedBy: ".\n")
            for index in pieces.indices.dropLast() { pieces[index] += "." }
        } else {
            pieces = [normalized]
        }
        if settings.newlinesToSpaces {
            pieces = pieces.map { $0.replacingOccurrences(of: "\n", with: " ") }
        }
        return pieces
    }

    /// The tokens of one text record: each segment tokenized (no BOS, special tokens not parsed),
    /// EOS between segments. A trailing ".\n" ends the record with EOS.
    public static func tokens(of text: String, tokenizer: Tokenizer, settings: DatasetSettings) -> [Int32] {
        let pieces = segments(of: text, settings: settings, hasEOS: tokenizer.eosID != nil)
        var ids: [Int32] = []
        for (index, piece) in pieces.enumerated() {
            if index > 0, let eos = tokenizer.eosID { ids.append(eos) }
            if !piece.isEmpty { ids.append(contentsOf: tokenizer.encode(piece, addBOS: false, parseSpecial: false)) }
        }
        return ids
    }
}

/// A conversation → tokens with a completion-only mask: the assistant messages' tokens and the
/// template's end-of-turn token after each are trained; everything else (system, user, template
/// markup, the newline after an end-of-turn) is context.
public enum ConversationTokenizing {
    /// Renders prefixes of the conversation to find where each assistant turn starts and ends:
    /// text before `render(messages[..<i], addGenerationPrompt: true)` is context, the rest of
    /// `render(messages[...i])` is the completion (its trailing whitespace goes back to context).
    public static func tokens(
        of messages: [ChatMessage], record: Int, tokenizer: Tokenizer, render: ChatRenderer
    ) throws(DatasetError) -> TokenStream {
        func rendered(_ prefix: ArraySlice<ChatMessage>, _ generationPrompt: Bool) throws(DatasetError) -> [UInt8] {
            do {
                return Array(try render(prefix.map { (role: $0.role, content: $0.content) }, generationPrompt).utf8)
            } catch {
                throw .chatRenderFailed(record: record, reason: "\(error)")
            }
        }
        var stream = TokenStream()
        if tokenizer.addsBOS, let bos = tokenizer.bosID { stream.append([bos], trained: false) }
        func add(_ bytes: ArraySlice<UInt8>, trained: Bool) {
            guard !bytes.isEmpty else { return }
            stream.append(tokenizer.encode(String(decoding: bytes, as: UTF8.self), addBOS: false), trained: trained)
        }
        var done: [UInt8] = []
        for index in messages.indices where messages[index].role == "assistant" {
            let prompt = try rendered(messages[..<index], true)
            let full = try rendered(messages[...index], false)
            guard prompt.starts(with: done), full.starts(with: prompt) else {
                throw .chatTemplateNotPrefixStable(record: record)
            }
            add(prompt[done.count...], trained: false)
            var end = full.count
            while end > prompt.count, [0x20, 0x0A, 0x0D, 0x09].contains(full[end - 1]) { end -= 1 }
            add(full[prompt.count..<end], trained: true)
            add(full[end...], trained: false)
            done = full
        }
        let whole = try rendered(messages[...], false)
        guard whole.starts(with: done) else { throw .chatTemplateNotPrefixStable(record: record) }
        add(whole[done.count...], trained: false)
        return stream
    }
}
