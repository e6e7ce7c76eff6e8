/// Finds special tokens (`<|im_start|>`, …) in raw text before pre-tokenization.
///
/// At each byte, candidates are the tokens starting with that byte, longest first, so the match is
/// leftmost-longest (as HF `tokenizers` does with its Aho-Corasick matcher). Control and unknown
/// tokens are matched only when `parseSpecial` is on; user-defined tokens always are, as in both
/// llama.cpp (`tokenizer_st_partition`) and HF (non-special added tokens).
struct SpecialTokens: Sendable {
    private struct Entry: Sendable {
        var bytes: [UInt8]
        var id: Int32
        var alwaysMatched: Bool
    }
    private var entries: [Entry] = []
    /// For each first byte, indices into `entries`, longest token first.
    private var byFirstByte: [[Int]] = Array(repeating: [], count: 256)

    init(tokens: [String], types: [Int32]) {
        for (id, token) in tokens.enumerated() where !token.isEmpty {
            let type = types[id]
            guard type == TokenType.control || type == TokenType.userDefined || type == TokenType.unknown
            else { continue }
            entries.append(Entry(bytes: Array(token.utf8), id: Int32(id), alwaysMatched: type == TokenType.userDefined))
        }
        for (index, entry) in entries.enumerated() { byFirstByte[Int(entry.bytes[0])].append(index) }
        for byte in 0..<256 {
            byFirstByte[byte].sort { entries[$0].bytes.count > entries[$1].bytes.count }
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    /// The token that starts at `position`, with its length in bytes.
    @inline(__always)
    func match(_ text: UnsafeBufferPointer<UInt8>, at position: Int, parseSpecial: Bool) -> (id: Int32, length: Int)? {
        let candidates = byFirstByte[Int(text[position])]
        if candidates.isEmpty { return nil }
        for index in candidates {
            let entry = entries[index]
            if !parseSpecial && !entry.alwaysMatched { continue }
            let length = entry.bytes.count
            if position + length > text.count { continue }
            var equal = true
            for k in 1..<length where text[position + k] != entry.bytes[k] {
                equal = false
                break
            }
            if equal { return (entry.id, length) }
        }
        return nil
    }
}
