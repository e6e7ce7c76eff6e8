/// A weight matrix as it lies in the GGUF file: `rows` rows of `columns` elements, each row stored
/// in `type`'s blocks. `y = W x` takes `x` of length `columns` to `y` of length `rows`.
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    public let data: UnsafeRawPointer
    public var rowBytes: Int { columns / type.blockSize * type.typeSize }

    public func row(_ r: Int) -> UnsafeRawPointer { data + r * rowBytes }
}

/// One transformer block's weights.
public struct LlamaLayerWeights: @unchecked Sendable {
    public let attentionNorm: UnsafeBufferPointer<Float>
    public let query, key, value, output: WeightMatrix
    public let feedForwardNorm: UnsafeBufferPointer<Float>
    public let gate, up, down: WeightMatrix
}

/// All weights of a LLaMA-family model, pointing into the memory-mapped GGUF file.
public struct LlamaWeights: @unchecked Sendable {
    public let tokenEmbedding: WeightMatrix  // vocab × d
    public let layers: [LlamaLayerWeights]
    public let outputNorm: UnsafeBufferPointer<Float>
    public let outputHead: WeightMatrix  // vocab × d (the embedding when tied)
    public let isOutputTied: Bool

    public static let computableTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K,
    ]

    public init(gguf: GGUFFile, config c: LlamaConfig) throws {
        func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
            guard let t = gguf.tensor(name) else { throw ModelError.missingTensor(name) }
            guard t.dimensions == [columns, rows] else { throw ModelError.badTensorShape(name: name, expected: [columns, rows], found: t.dimensions) }
            guard Self.computableTypes.contains(t.type) else { throw ModelError.unsupportedTensorType(name: name, type: t.type.name) }
            return WeightMatrix(name: name, type: t.type, rows: rows, columns: columns, data: gguf.data(of: t).baseAddress!)
        }
        func vector(_ name: String, length: Int) throws -> UnsafeBufferPointer<Float> {
            guard let t = gguf.tensor(name) else { throw ModelError.missingTensor(name) }
            guard t.dimensions == [length] else { throw ModelError.badTensorShape(name: name, expected: [length], found: t.dimensions) }
            guard t.type == .f32 else { throw ModelError.unsupportedTensorType(name: name, type: t.type.name + " (norms must be F32)") }
            return gguf.data(of: t).bindMemory(to: Float.self)
        }
        let d = c.embeddingLength
        tokenEmbedding = try matrix("token_embd.weight", rows: c.vocabularySize, columns: d)
        var layers: [LlamaLayerWeights] = []
        for i in 0..<c.layerCount {
            let p = "blk.\(i)."
            if gguf.tensor(p + "attn_q.bias") != nil { throw ModelError.unsupportedFeature("attention biases (Qwen2-style)") }
            layers.append(LlamaLayerWeights(
                attentionNorm: try vector(p + "attn_norm.weight", length: d),
                query: try matrix(p + "attn_q.weight", rows: c.queryDimension, columns: d),
                key: try matrix(p + "attn_k.weight", rows: c.kvDimension, columns: d),
                value: try matrix(p + "attn_v.weight", rows: c.kvDimension, columns: d),
                output: try matrix(p + "attn_output.weight", rows: d, columns: c.queryDimension),
                feedForwardNorm: try vector(p + "ffn_norm.weight", length: d),
                gate: try matrix(p + "ffn_gate.weight", rows: c.feedForwardLength, columns: d),
                up: try matrix(p + "ffn_up.weight", rows: c.feedForwardLength, columns: d),
                down: try matrix(p + "ffn_down.weight", rows: d, columns: c.feedForwardLength)))
        }
        self.layers = layers
        outputNorm = try vector("output_norm.weight", length: d)
        if gguf.tensor("output.weight") != nil {
            outputHead = try matrix("output.weight", rows: c.vocabularySize, columns: d)
            isOutputTied = false
        } else {
            outputHead = tokenEmbedding
            isOutputTied = true
        }
    }
}
