/// Why a model cannot be loaded or run.
public enum ModelError: Error, CustomStringConvertible, Sendable {
    case unsupportedArchitecture(String)
    case unsupportedFeature(String)
    case missingTensor(String)
    case badTensorShape(name: String, expected: [Int], found: [Int])
    case unsupportedTensorType(name: String, type: String)
    case badHyperparameter(String)
    case contextFull(limit: Int)
    case tokenOutOfRange(Int32, vocabulary: Int)
    /// The forward pass produced NaN or infinite logits (a broken model or adapter).
    case nonFiniteLogits(position: Int)

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let a):
            return "unsupported model architecture '\(a)' (TuneBench runs LLaMA-family models: \(LlamaConfig.supportedArchitectures.joined(separator: ", ")))"
        case .unsupportedFeature(let f): return "unsupported model feature: \(f)"
        case .nonFiniteLogits(let position):
            return "the model produced NaN or infinite scores at position \(position) (a broken model file or adapter); nothing was sampled from them"
        case .missingTensor(let n): return "the model has no tensor '\(n)'"
        case .badTensorShape(let n, let e, let f): return "tensor '\(n)' has shape \(f), expected \(e)"
        case .unsupportedTensorType(let n, let t): return "tensor '\(n)' uses \(t), which TuneBench cannot compute with yet"
        case .badHyperparameter(let m): return "bad model hyperparameter: \(m)"
        case .contextFull(let limit): return "the context is full (\(limit) tokens)"
        case .tokenOutOfRange(let t, let v): return "token id \(t) is outside the vocabulary (0..<\(v))"
        }
    }
}
