import Foundation

/// Loading a Hugging Face `tokenizer.json` of the byte-level BPE kind into a `TokenizerVocabulary`.
///
/// Understood: `model` of type BPE (`vocab`, `merges` as "a b" strings or ["a", "b"] pairs),
/// `added_tokens` (`special: true` -> control, else user-defined), and the pre-tokenizers that map
/// onto a `PreTokenizer`: `ByteLevel(use_regex)` = gpt2, `Sequence[Digits(individual), ByteLevel]`
/// = smollm, `Sequence[Split(llama3 or qwen2 regex), ByteLevel(use_regex: false)]` = llama3/qwen2.
/// A `normalizer` of NFC is ignored (llama.cpp does not normalize either); others are rejected.
/// BOS/EOS live in `tokenizer_config.json`, not here: it is read when it sits next to the file.
extension TokenizerVocabulary {
    public init(huggingFaceJSON url: URL) throws {
        let file = url.path
        func fail(_ reason: String) -> TokenizerError { .huggingFaceJSON(file: file, reason: reason) }

        let root: [String: Any]
        do {
            let data = try Data(contentsOf: url)
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw fail("top level is not a JSON object")
            }
            root = object
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw fail("cannot read JSON (\(error.localizedDescription))")
        }

        guard let model = root["model"] as? [String: Any] else { throw fail("no 'model' object") }
        guard (model["type"] as? String) == "BPE" else {
            throw fail("model type '\(model["type"] ?? "none")' is not supported; only BPE is")
        }
        if (model["byte_fallback"] as? Bool) == true {
            throw fail("byte_fallback BPE (SentencePiece style) is not supported; only byte-level BPE is")
        }
        guard let vocab = model["vocab"] as? [String: Any] else { throw fail("no 'model.vocab' object") }

        // Tokens by id, then the added tokens (which may extend the vocabulary).
        var byID: [Int: (String, Int32)] = [:]
        for (token, value) in vocab {
            guard let id = (value as? NSNumber)?.intValue, id >= 0 else { throw fail("vocab id of '\(token)' is not a non-negative integer") }
            byID[id] = (token, TokenType.normal)
        }
        for case let added as [String: Any] in (root["added_tokens"] as? [Any]) ?? [] {
            guard let id = (added["id"] as? NSNumber)?.intValue, id >= 0,
                  let content = added["content"] as? String
            else { throw fail("an added_tokens entry lacks 'id' or 'content'") }
            let special = (added["special"] as? Bool) ?? false
            byID[id] = (content, special ? TokenType.control : TokenType.userDefined)
        }
        let count = (byID.keys.max() ?? -1) + 1
        var tokens: [String] = []
        var types: [Int32] = []
        tokens.reserveCapacity(count)
        types.reserveCapacity(count)
        for id in 0..<count {
            guard let (token, type) = byID[id] else { throw fail("no token has id \(id); ids must be contiguous") }
            tokens.append(token)
            types.append(type)
        }

        var merges: [String] = []
        for (index, merge) in ((model["merges"] as? [Any]) ?? []).enumerated() {
            if let text = merge as? String {
                merges.append(text)
            } else if let pair = merge as? [String], pair.count == 2 {
                // Byte-level tokens never contain a raw space, so "a b" is unambiguous.
                merges.append(pair[0] + " " + pair[1])
            } else {
                throw fail("merge #\(index) is neither \"a b\" nor [\"a\", \"b\"]")
            }
        }

        if let normalizer = root["normalizer"] as? [String: Any], (normalizer["type"] as? String) != "NFC" {
            throw fail("normalizer '\(normalizer["type"] ?? "?")' is not supported")
        }
        let pre = try Self.preTokenizerName(root["pre_tokenizer"] as? [String: Any], fail: fail)

        // Optional tokenizer_config.json beside the file: bos/eos tokens and add_bos/add_eos.
        var bosID: Int32?, eosID: Int32?, unknownID: Int32?, paddingID: Int32?
        var addBOS = false, addEOS = false
        let configURL = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        if let data = try? Data(contentsOf: configURL),
           let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            func tokenID(_ key: String) -> Int32? {
                let value = config[key]
                let text = (value as? String) ?? ((value as? [String: Any])?["content"] as? String)
                return text.flatMap { name in tokens.firstIndex(of: name).map { Int32($0) } }
            }
            bosID = tokenID("bos_token")
            eosID = tokenID("eos_token")
            unknownID = tokenID("unk_token")
            paddingID = tokenID("pad_token")
            addBOS = (config["add_bos_token"] as? Bool) ?? false
            addEOS = (config["add_eos_token"] as? Bool) ?? false
        }

        self.init(
            tokens: tokens, tokenTypes: types, merges: merges, preTokenizer: pre, bosID: bosID,
            eosID: eosID, unknownID: unknownID, paddingID: paddingID, addBOS: addBOS, addEOS: addEOS)
    }

    static let llama3Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Maps a `pre_tokenizer` object onto one of our pre-tokenizer names.
    private static func preTokenizerName(
        _ pre: [String: Any]?, fail: (String) -> TokenizerError
    ) throws -> String {
        guard let pre else { throw fail("no 'pre_tokenizer'; a byte-level BPE needs one") }
        let parts: [[String: Any]]
        if (pre["type"] as? String) == "Sequence" {
            parts = (pre["pretokenizers"] as? [[String: Any]]) ?? []
        } else {
            parts = [pre]
        }
        let kinds = parts.map { ($0["type"] as? String) ?? "?" }
        func byteLevel(_ part: [String: Any], regex: Bool) -> Bool {
            (part["type"] as? String) == "ByteLevel" && (part["add_prefix_space"] as? Bool) != true
                && ((part["use_regex"] as? Bool) ?? true) == regex
        }
        if parts.count == 1, byteLevel(parts[0], regex: true) { return "gpt2" }
        if parts.count == 2, kinds[0] == "Digits", (parts[0]["individual_digits"] as? Bool) == true,
           byteLevel(parts[1], regex: true) {
            return "smollm"
        }
        if parts.count == 2, kinds[0] == "Split", byteLevel(parts[1], regex: false),
           let pattern = (parts[0]["pattern"] as? [String: Any])?["Regex"] as? String,
           (parts[0]["behavior"] as? String) == "Isolated", (parts[0]["invert"] as? Bool) != true {
            if pattern == llama3Pattern { return "llama3" }
            if pattern == qwen2Pattern { return "qwen2" }
        }
        throw fail(
            "pre_tokenizer \(kinds.joined(separator: " + ")) is not supported; supported: ByteLevel (gpt2), "
                + "Digits + ByteLevel (smollm), Split with the llama3 or qwen2 regex + ByteLevel")
    }
}

extension Tokenizer {
    /// Loads a Hugging Face `tokenizer.json` (see `TokenizerVocabulary.init(huggingFaceJSON:)`).
    public convenience init(huggingFaceJSON url: URL) throws {
        try self.init(vocabulary: TokenizerVocabulary(huggingFaceJSON: url))
    }
}
