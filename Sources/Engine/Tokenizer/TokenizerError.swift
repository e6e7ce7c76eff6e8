/// Why a tokenizer could not be built. Each message names what was wrong and what is supported.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case unknownPreTokenizer(name: String, supported: [String])
    case tokenTypeCountMismatch(tokens: Int, tokenTypes: Int)
    case malformedMerge(index: Int, text: String)
    case mergeTokenMissing(index: Int, text: String)
    case specialIDOutOfRange(name: String, id: Int32, vocabularySize: Int)
    case emptyVocabulary
    case huggingFaceJSON(file: String, reason: String)
    case unsupportedModel(String)

    public var description: String {
        switch self {
        case .unknownPreTokenizer(let name, let supported):
            return "unknown pre-tokenizer '\(name)'; supported: \(supported.joined(separator: ", "))"
        case .tokenTypeCountMismatch(let tokens, let types):
            return "vocabulary has \(tokens) tokens but \(types) token types; they must match"
        case .malformedMerge(let index, let text):
            return "merge #\(index) '\(text)' is not of the form 'left right'"
        case .mergeTokenMissing(let index, let text):
            return "merge #\(index) '\(text)' names a token that is not in the vocabulary"
        case .specialIDOutOfRange(let name, let id, let size):
            return "\(name) token id \(id) is outside the vocabulary (0..<\(size))"
        case .emptyVocabulary:
            return "the vocabulary has no tokens"
        case .huggingFaceJSON(let file, let reason):
            return "\(file): \(reason)"
        case .unsupportedModel(let model):
            return "tokenizer model '\(model)' is not supported (TuneBench reads byte-level BPE vocabularies, 'gpt2')"
        }
    }
}
