/// Hyperparameters of a LLaMA-family model, read from GGUF metadata (`<arch>.*` keys).
public struct LlamaConfig: Sendable, Equatable {
    public static let supportedArchitectures = ["llama", "mistral"]

    public var architecture: String
    public var layerCount: Int
    public var embeddingLength: Int  // d_model
    public var feedForwardLength: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDimension: Int
    public var ropeDimension: Int
    public var ropeBase: Float
    public var rmsEpsilon: Float
    public var contextLength: Int
    public var vocabularySize: Int

    public var queryDimension: Int { headCount * headDimension }
    public var kvDimension: Int { kvHeadCount * headDimension }

    public init(gguf: GGUFFile) throws {
        let arch: String
        do { arch = try gguf.string("general.architecture") } catch { throw ModelError.unsupportedArchitecture("(none)") }
        guard Self.supportedArchitectures.contains(arch) else { throw ModelError.unsupportedArchitecture(arch) }
        architecture = arch
        layerCount = try gguf.int("\(arch).block_count")
        embeddingLength = try gguf.int("\(arch).embedding_length")
        feedForwardLength = try gguf.int("\(arch).feed_forward_length")
        headCount = try gguf.int("\(arch).attention.head_count")
        kvHeadCount = (try? gguf.int("\(arch).attention.head_count_kv")) ?? headCount
        contextLength = (try? gguf.int("\(arch).context_length")) ?? 2048
        ropeBase = Float((try? gguf.double("\(arch).rope.freq_base")) ?? 10000)
        rmsEpsilon = Float(try gguf.double("\(arch).attention.layer_norm_rms_epsilon"))
        guard headCount > 0, kvHeadCount > 0, headCount % kvHeadCount == 0, embeddingLength % headCount == 0 else {
            throw ModelError.badHyperparameter("\(headCount) heads and \(kvHeadCount) key/value heads for width \(embeddingLength)")
        }
        headDimension = (try? gguf.int("\(arch).attention.key_length")) ?? embeddingLength / headCount
        ropeDimension = (try? gguf.int("\(arch).rope.dimension_count")) ?? headDimension
        if let tokens = gguf["tokenizer.ggml.tokens"]?.arrayValue {
            vocabularySize = tokens.count
        } else {
            vocabularySize = try gguf.int("\(arch).vocab_size")
        }
        guard layerCount > 0, layerCount <= 1024, embeddingLength > 0, feedForwardLength > 0,
              ropeDimension % 2 == 0, ropeDimension <= headDimension, vocabularySize > 0
        else { throw ModelError.badHyperparameter("implausible sizes in the model's metadata") }
        if let scaling = gguf["\(arch).rope.scaling.type"]?.stringValue, scaling != "none" {
            throw ModelError.unsupportedFeature("RoPE scaling '\(scaling)'")
        }
        if gguf.tensor("rope_freqs.weight") != nil { throw ModelError.unsupportedFeature("RoPE frequency factors (Llama 3.1 style)") }
    }
}
