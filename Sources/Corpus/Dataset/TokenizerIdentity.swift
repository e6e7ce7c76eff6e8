import Engine

/// Which tokenizer made a dataset: training refuses a dataset whose token ids mean other things.
public struct TokenizerIdentity: Codable, Sendable, Equatable, CustomStringConvertible {
    /// File name of the model (or tokenizer.json) it came from; informative only.
    public var modelFile: String
    public var vocabularySize: Int
    /// FNV-1a 64 over every token's bytes (length-prefixed, in id order) and special flag.
    public var tokenListHash: String

    public init(modelFile: String, vocabularySize: Int, tokenListHash: String) {
        self.modelFile = modelFile
        self.vocabularySize = vocabularySize
        self.tokenListHash = tokenListHash
    }

    public init(tokenizer: Tokenizer, modelFile: String) {
        var hasher = FNV1a64()
        for id in 0..<Int32(tokenizer.vocabularySize) {
            let bytes = Array(tokenizer.piece(for: id).utf8)
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { hasher.update($0) }
            hasher.update(bytes)
            hasher.update(CollectionOfOne(tokenizer.isSpecial(id) ? 1 : 0))
        }
        self.init(modelFile: modelFile, vocabularySize: tokenizer.vocabularySize, tokenListHash: hasher.hexDigest)
    }

    /// Same token ids for the same text: vocabulary size and token list agree (the file name may differ,
    /// e.g. two quantizations of one model).
    public func isCompatible(with other: TokenizerIdentity) -> Bool {
        vocabularySize == other.vocabularySize && tokenListHash == other.tokenListHash
    }

    public var description: String { "\(modelFile) (\(vocabularySize) tokens, \(tokenListHash))" }
}
