import Foundation

/// A loaded LLaMA-family model: the mapped GGUF file, its hyperparameters and weight views.
/// Immutable and shareable between threads; per-conversation state lives in `InferenceSession`.
public final class LlamaModel: @unchecked Sendable {
    public let path: String
    public let gguf: GGUFFile
    public let config: LlamaConfig
    public let weights: LlamaWeights
    public let rope: RoPE

    public init(path: String) throws {
        self.path = path
        gguf = try GGUFFile(path: path)
        config = try LlamaConfig(gguf: gguf)
        weights = try LlamaWeights(gguf: gguf, config: config)
        rope = RoPE(headDimension: config.headDimension, ropeDimension: config.ropeDimension, base: config.ropeBase)
    }

    /// y = W x for one vector on the calling thread, rows `rows` only. `q` holds x quantized to 8
    /// bits when `w.type` has an integer kernel (as llama.cpp does); other types use f32 dots.
    @inline(__always)
    func matvecRows(_ w: WeightMatrix, _ rows: Range<Int>, x: UnsafePointer<Float>, q: QuantizedActivations,
                    y: UnsafeMutablePointer<Float>) {
        guard !rows.isEmpty else { return }
        if QuantizedMatvec.supports(w.type) {
            QuantizedMatvec.rows(w.type, weights: w.data, rowBytes: w.rowBytes, columns: w.columns, rows, x: q, into: y)
        } else {
            Engine.matvec(w.type, weights: w.row(rows.lowerBound), rows: rows.count, cols: w.columns, x: x, y: y + rows.lowerBound)
        }
    }

    /// Dequantizes rows `range` of `w` into `dst` (row-major, `w.columns` wide).
    @inline(__always)
    func dequantizeRows(_ w: WeightMatrix, _ range: Range<Int>, into dst: UnsafeMutablePointer<Float>, threads: Int) {
        WorkerPool.shared.forRanges(count: range.count, parts: threads) { part in
            dequantize(w.type, w.row(range.lowerBound + part.lowerBound), into: dst + part.lowerBound * w.columns, count: part.count * w.columns)
        }
    }
}

