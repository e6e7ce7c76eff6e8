extension TokenizerVocabulary {
    /// Reads the `tokenizer.ggml.*` keys of a GGUF file. Only byte-level BPE (`gpt2`) vocabularies
    /// are supported; a SentencePiece (`llama`) vocabulary gets a clear error.
    public init(gguf: GGUFFile) throws {
        let model = (try? gguf.string("tokenizer.ggml.model")) ?? "(none)"
        guard model == "gpt2" else {
            throw TokenizerError.unsupportedModel(model)
        }
        func optionalID(_ key: String) -> Int32? { gguf[key]?.intValue.map { Int32(truncatingIfNeeded: $0) } }
        self.init(
            tokens: try gguf.strings("tokenizer.ggml.tokens"),
            tokenTypes: gguf["tokenizer.ggml.token_type"] == nil ? [] : try gguf.ints("tokenizer.ggml.token_type").map { Int32(truncatingIfNeeded: $0) },
            merges: try gguf.strings("tokenizer.ggml.merges"),
            preTokenizer: (try? gguf.string("tokenizer.ggml.pre")) ?? "gpt2",
            bosID: optionalID("tokenizer.ggml.bos_token_id"),
            eosID: optionalID("tokenizer.ggml.eos_token_id"),
            unknownID: optionalID("tokenizer.ggml.unknown_token_id"),
            paddingID: optionalID("tokenizer.ggml.padding_token_id"),
            addBOS: gguf["tokenizer.ggml.add_bos_token"]?.boolValue ?? false,
            addEOS: gguf["tokenizer.ggml.add_eos_token"]?.boolValue ?? false)
    }
}

extension Tokenizer {
    /// The tokenizer stored in a GGUF model file.
    public convenience init(gguf: GGUFFile) throws {
        try self.init(vocabulary: TokenizerVocabulary(gguf: gguf))
    }
}
