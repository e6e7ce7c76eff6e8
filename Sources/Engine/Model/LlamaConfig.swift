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
        guard layerCount > 0, layerCount <= 1024, embeddingLength > 0, feedForwardLength > 0, headDimension > 0,
              ropeDimension > 0, ropeDimension % 2 == 0, ropeDimension <= headDimension, vocabularySize > 0
        else { throw ModelError.badHyperparameter("implausible sizes in the model's metadata") }
        // Values that run and print garbage rather than fail: checked here, once.
        guard ropeBase.isFinite, ropeBase > 1 else { throw ModelError.badHyperparameter("rope.freq_base is \(ropeBase); it must be a number above 1") }
        guard rmsEpsilon.isFinite, rmsEpsilon > 0, rmsEpsilon < 1 else {
            throw ModelError.badHyperparameter("layer_norm_rms_epsilon is \(rmsEpsilon); it must be a small positive number")
        }
        // block_count must be the number of layers the file has tensors for.
        var layersWithTensors = Set<Int>()
        for t in gguf.tensors where t.name.hasPrefix("blk.") {
            if let n = Int(t.name.dropFirst(4).prefix { $0 != "." }) { layersWithTensors.insert(n) }
        }
        guard layersWithTensors == Set(0..<layerCount) else {
            throw ModelError.badHyperparameter("block_count says \(layerCount) layers, but the file has tensors for \(layersWithTensors.count) (blk.\(layersWithTensors.min() ?? 0)–\(layersWithTensors.max() ?? 0))")
        }
        if let scaling = gguf["\(arch).rope.scaling.type"]?.stringValue, scaling != "none" {
            throw ModelError.unsupportedFeature("RoPE scaling '\(scaling)'")
        }
        if gguf.tensor("rope_freqs.weight") != nil { throw ModelError.unsupportedFeature("RoPE frequency factors (Llama 3.1 style)") }
    }
}
