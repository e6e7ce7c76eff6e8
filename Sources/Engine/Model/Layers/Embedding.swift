// Token embedding lookup.
//   forward:  tokens (n) , table (vocab, d) in any GGUF type -> out (n, d)
//   backward: none. The table is frozen (LoRA never adapts it) and it is the first layer, so no
//             gradient has anywhere to go; the graph stops its backward pass at layer 0's input.

/// Looks rows of the (possibly quantized) embedding table up.
enum EmbeddingLayer {
    /// out[i, :] = table[tokens[i], :]. Callers validate token ids first.
    static func forward(tokens: UnsafePointer<Int32>, n: Int, table: WeightMatrix, out: UnsafeMutablePointer<Float>) {
        let d = table.columns
        for i in 0..<n {
            dequantize(table.type, table.row(Int(tokens[i])), into: out + i * d, count: d)
        }
    }
}
