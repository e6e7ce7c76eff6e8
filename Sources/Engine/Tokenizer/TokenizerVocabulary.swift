/// Everything a byte-level BPE tokenizer needs, in the shape GGUF stores it.
///
/// A GGUF reader fills this from the `tokenizer.ggml.*` keys; `Tokenizer(huggingFaceJSON:)` fills it
/// from a Hugging Face `tokenizer.json`. Token strings are in GPT-2's byte-level alphabet
/// (`Ġ` for a space, …) except control and user-defined tokens, which are plain text.
public struct TokenizerVocabulary: Sendable, Equatable {
    /// `tokenizer.ggml.tokens`: the token string of each id, id order.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`, one per token: 1 normal, 2 unknown, 3 control, 4 user-defined,
    /// 5 unused, 6 byte (`<0xHH>`). Empty means "all normal".
    public var tokenTypes: [Int32]
    /// `tokenizer.ggml.merges`: "left right" pairs, highest priority first.
    public var merges: [String]
    /// `tokenizer.ggml.pre`: the pre-tokenizer name (`gpt2`, `smollm`, `llama3`/`llama-bpe`, `qwen2`).
    public var preTokenizer: String
    public var bosID: Int32?
    public var eosID: Int32?
    public var unknownID: Int32?
    public var paddingID: Int32?
    /// Whether `encode` adds BOS / EOS when the caller does not say.
    public var addBOS: Bool
    public var addEOS: Bool

    public init(
        tokens: [String], tokenTypes: [Int32], merges: [String], preTokenizer: String,
        bosID: Int32? = nil, eosID: Int32? = nil, unknownID: Int32? = nil, paddingID: Int32? = nil,
        addBOS: Bool = false, addEOS: Bool = false
    ) {
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.preTokenizer = preTokenizer
        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addBOS = addBOS
        self.addEOS = addEOS
    }
}

/// GGUF token types (`tokenizer.ggml.token_type`).
public enum TokenType {
    public static let normal: Int32 = 1
    public static let unknown: Int32 = 2
    public static let control: Int32 = 3
    public static let userDefined: Int32 = 4
    public static let unused: Int32 = 5
    public static let byte: Int32 = 6
}
