/// Turns generated token ids into text as they arrive. A token can end in the middle of a UTF-8
/// character (emoji and CJK are often split over two or three byte tokens), so `append` returns
/// only complete characters and holds back a trailing partial sequence until the next token.
public struct StreamingDecoder: Sendable {
    public let tokenizer: Tokenizer
    public let skipSpecial: Bool
    /// Bytes received but not yet returned: at most an incomplete UTF-8 sequence (< 4 bytes).
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, skipSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecial = skipSpecial
    }

    /// Adds one token; returns the text that is now complete (possibly "").
    public mutating func append(_ id: Int32) -> String {
        tokenizer.appendBytes(of: id, skipSpecial: skipSpecial, to: &pending)
        let complete = Self.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Returns whatever is held back, with U+FFFD for an unfinished sequence, and resets.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of `bytes` without a trailing UTF-8 sequence that more bytes could still complete.
    /// Anything else (complete or already invalid) is released; invalid bytes become U+FFFD.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
        var lead = n - 1
        while lead >= 0 && lead > n - 4 && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0 else { return n }
        let byte = bytes[lead]
        let needed: Int
        switch byte {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return n  // ASCII, stray continuation or invalid lead: nothing to wait for
        }
        return n - lead < needed ? lead : n
    }
}
