/// Byte-level BPE tokenizer (GPT-2 family: SmolLM, Llama 3, Qwen 2, …), built from a GGUF-style
/// `TokenizerVocabulary` or a Hugging Face `tokenizer.json`.
///
/// `encode`: special tokens are cut out of the text first; each remaining fragment is split into
/// words by the pre-tokenizer; each word's UTF-8 bytes start as one token per byte and are merged by
/// BPE rank. Immutable after `init`, so one instance can serve many threads.
public final class Tokenizer: Sendable {
    /// Number of token ids (`0 ..< vocabularySize`).
    public let vocabularySize: Int
    public let bosID: Int32?
    public let eosID: Int32?
    public let unknownID: Int32?
    public let paddingID: Int32?
    /// The vocabulary rules `encode` follows when the caller does not say.
    public let addsBOS: Bool
    public let addsEOS: Bool

    let preTokenizer: PreTokenizer
    private let tokenTypes: [Int32]
    private let tokenToID: [String: Int32]
    private let merges: MergeTable
    /// id of the single-byte token for each byte value, -1 when the vocabulary has none.
    private let byteIDs: [Int32]
    /// Raw bytes of normal tokens -> id (for `ignoresMerges`).
    private let tokenIndex: ByteSequenceTable
    /// Raw bytes each id decodes to: `pieceBytes[pieceStarts[id] ..< pieceStarts[id + 1]]`.
    private let pieceBytes: [UInt8]
    private let pieceStarts: [Int]
    private let specials: SpecialTokens

    public init(vocabulary: TokenizerVocabulary) throws {
        let tokens = vocabulary.tokens
        guard !tokens.isEmpty else { throw TokenizerError.emptyVocabulary }
        var types = vocabulary.tokenTypes
        if types.isEmpty { types = Array(repeating: TokenType.normal, count: tokens.count) }
        guard types.count == tokens.count else {
            throw TokenizerError.tokenTypeCountMismatch(tokens: tokens.count, tokenTypes: types.count)
        }
        for (name, id) in [("BOS", vocabulary.bosID), ("EOS", vocabulary.eosID),
                           ("unknown", vocabulary.unknownID), ("padding", vocabulary.paddingID)] {
            if let id, id < 0 || Int(id) >= tokens.count {
                throw TokenizerError.specialIDOutOfRange(name: name, id: id, vocabularySize: tokens.count)
            }
        }
        preTokenizer = try PreTokenizer(name: vocabulary.preTokenizer)
        vocabularySize = tokens.count
        bosID = vocabulary.bosID
        eosID = vocabulary.eosID
        unknownID = vocabulary.unknownID
        paddingID = vocabulary.paddingID
        addsBOS = vocabulary.addBOS
        addsEOS = vocabulary.addEOS
        tokenTypes = types

        var tokenToID: [String: Int32] = [:]
        tokenToID.reserveCapacity(tokens.count)
        var pieceBytes: [UInt8] = []
        var pieceStarts: [Int] = [0]
        var tokenIndex = ByteSequenceTable(minimumCapacity: tokens.count)
        var byteIDs = [Int32](repeating: -1, count: 256)
        for (index, token) in tokens.enumerated() {
            let id = Int32(index)
            if tokenToID[token] == nil { tokenToID[token] = id }
            let bytes = Self.rawBytes(of: token, type: types[index])
            pieceBytes.append(contentsOf: bytes)
            pieceStarts.append(pieceBytes.count)
            let type = types[index]
            if type == TokenType.normal || type == TokenType.byte {
                if bytes.count == 1 && byteIDs[Int(bytes[0])] < 0 { byteIDs[Int(bytes[0])] = id }
                if type == TokenType.normal, !bytes.isEmpty,
                   bytes.withUnsafeBufferPointer({ tokenIndex.find($0) }) == nil {
                    tokenIndex.insert(bytes, value: id)
                }
            }
        }

        var merges = MergeTable(capacityFor: vocabulary.merges.count)
        for (rank, merge) in vocabulary.merges.enumerated() {
            // Split at the first space after the first character (as llama.cpp does).
            let utf8 = merge.utf8
            guard let space = utf8.dropFirst().firstIndex(of: 0x20) else {
                throw TokenizerError.malformedMerge(index: rank, text: merge)
            }
            let left = String(merge[..<space])
            let right = String(merge[merge.index(after: space)...])
            // Merges naming unknown tokens are skipped, as llama.cpp does.
            guard let l = tokenToID[left], let r = tokenToID[right], let m = tokenToID[left + right]
            else { continue }
            merges.insert(left: l, right: r, rank: UInt32(rank), merged: m)
        }

        self.tokenToID = tokenToID
        self.pieceBytes = pieceBytes
        self.pieceStarts = pieceStarts
        self.tokenIndex = tokenIndex
        self.byteIDs = byteIDs
        self.merges = merges
        self.specials = SpecialTokens(tokens: tokens, types: types)
    }

    /// The bytes a token stands for: byte-level decoding for ordinary tokens, the text itself for
    /// control and user-defined tokens, the byte for `<0xHH>` byte tokens.
    private static func rawBytes(of token: String, type: Int32) -> [UInt8] {
        switch type {
        case TokenType.control, TokenType.userDefined:
            return Array(token.utf8)
        case TokenType.byte:
            let utf8 = Array(token.utf8)
            if utf8.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">"),
               let value = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) {
                return [value]
            }
            return ByteLevel.decode(token)
        default:
            return ByteLevel.decode(token)
        }
    }

    // MARK: - Encoding

    /// Token ids of `text`.
    /// - Parameters:
    ///   - addBOS: prepend BOS; `nil` follows the vocabulary's `addBOS`. EOS is appended when the
    ///     vocabulary's `addEOS` says so.
    ///   - parseSpecial: match control tokens such as `<|im_start|>` in the text; when false they are
    ///     tokenized as plain text (user-defined tokens are matched either way, as in llama.cpp/HF).
    public func encode(_ text: String, addBOS: Bool? = nil, parseSpecial: Bool = true) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 2)
        if addBOS ?? addsBOS, let bosID { ids.append(bosID) }
        var session = EncodeSession()
        var text = text
        text.withUTF8 { utf8 in
            merges.withLookup { lookup in
                var fragmentStart = 0
                if !specials.isEmpty {
                    var position = 0
                    while position < utf8.count {
                        if let (id, length) = specials.match(utf8, at: position, parseSpecial: parseSpecial) {
                            encodeFragment(utf8, fragmentStart, position, &session, lookup, &ids)
                            ids.append(id)
                            position += length
                            fragmentStart = position
                        } else {
                            position += 1
                        }
                    }
                }
                encodeFragment(utf8, fragmentStart, utf8.count, &session, lookup, &ids)
            }
        }
        if addsEOS, let eosID { ids.append(eosID) }
        return ids
    }

    /// Scratch state for one `encode` call: reused buffers and the word cache
    /// (word bytes -> entry; entry e's ids are `cacheIDs[cacheStarts[e] ..< cacheStarts[e + 1]]`).
    private struct EncodeSession {
        var scalars = ScalarScratch()
        var wordEnds: [Int] = []
        var cache = ByteSequenceTable(minimumCapacity: 256)
        var cacheIDs: [Int32] = []
        var cacheStarts: [Int] = [0]
        var heap = BytePairMerge.HeapScratch()
        static let cacheLimit = 1 << 20
    }

    private func encodeFragment(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
        _ session: inout EncodeSession, _ lookup: MergeLookup, _ ids: inout [Int32]
    ) {
        guard start < end else { return }
        let fragment = UnsafeBufferPointer(rebasing: text[start..<end])
        session.scalars.load(fragment)
        session.wordEnds.removeAll(keepingCapacity: true)
        preTokenizer.appendWordEnds(session.scalars, to: &session.wordEnds)
        var wordStart = 0
        for wordEnd in session.wordEnds {
            encodeWord(UnsafeBufferPointer(rebasing: fragment[wordStart..<wordEnd]), &session, lookup, &ids)
            wordStart = wordEnd
        }
    }

    private func encodeWord(
        _ word: UnsafeBufferPointer<UInt8>, _ session: inout EncodeSession, _ lookup: MergeLookup,
        _ ids: inout [Int32]
    ) {
        let hash = ByteSequenceTable.hash(word)
        if let entry = session.cache.find(word, hash: hash) {
            let e = Int(entry)
            ids.append(contentsOf: session.cacheIDs[session.cacheStarts[e]..<session.cacheStarts[e + 1]])
            return
        }
        let first = ids.count
        if preTokenizer.ignoresMerges, let id = tokenIndex.find(word, hash: hash) {
            ids.append(id)
        } else {
            for byte in word {
                let id = byteIDs[Int(byte)]
                if id >= 0 {
                    ids.append(id)
                } else if let unknownID {
                    ids.append(unknownID)
                }  // else: a vocabulary without this byte and without <unk> drops it
            }
            let count = ids.count - first
            if count > 1 {
                let merged = ids.withUnsafeMutableBufferPointer { all in
                    BytePairMerge.merge(UnsafeMutableBufferPointer(rebasing: all[first...]), lookup, &session.heap)
                }
                ids.removeLast(count - merged)
            }
        }
        if session.cache.count < EncodeSession.cacheLimit {
            session.cache.insert(word, hash: hash, value: Int32(session.cache.count))
            session.cacheIDs.append(contentsOf: ids[first...])
            session.cacheStarts.append(session.cacheIDs.count)
        }
    }

    // MARK: - Decoding and lookups

    /// The text of `ids`: tokens' bytes concatenated, then decoded as UTF-8 (invalid sequences
    /// become U+FFFD). Ids outside the vocabulary are skipped.
    /// - Parameter skipSpecial: leave out control and user-defined tokens.
    public func decode(_ ids: [Int32], skipSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { appendBytes(of: id, skipSpecial: skipSpecial, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the raw bytes of one token (nothing for an invalid id or a skipped special one).
    func appendBytes(of id: Int32, skipSpecial: Bool, to bytes: inout [UInt8]) {
        guard id >= 0 && Int(id) < vocabularySize else { return }
        if skipSpecial && isSpecial(id) { return }
        bytes.append(contentsOf: pieceBytes[pieceStarts[Int(id)]..<pieceStarts[Int(id) + 1]])
    }

    /// A readable form of one token: `Ġworld` -> " world", special tokens as written. Bytes that
    /// are only part of a UTF-8 character show as U+FFFD; an invalid id gives "".
    public func piece(for id: Int32) -> String {
        var bytes: [UInt8] = []
        appendBytes(of: id, skipSpecial: false, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The id of a token as the vocabulary spells it (`"Ġworld"`, `"<|im_end|>"`).
    public func id(for token: String) -> Int32? { tokenToID[token] }

    /// Whether `id` is a control or user-defined token (`<|im_start|>`, `<|endoftext|>`, …).
    public func isSpecial(_ id: Int32) -> Bool {
        guard id >= 0 && Int(id) < vocabularySize else { return false }
        let type = tokenTypes[Int(id)]
        return type == TokenType.control || type == TokenType.userDefined
    }

    /// A decoder for generated tokens that emits text only once its UTF-8 is complete.
    public func makeStreamingDecoder(skipSpecial: Bool = false) -> StreamingDecoder {
        StreamingDecoder(tokenizer: self, skipSpecial: skipSpecial)
    }
}
