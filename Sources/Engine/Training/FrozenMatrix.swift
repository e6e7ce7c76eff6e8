/// A frozen base matrix as the training graph reads it: quantized, with rows dequantized into a
/// scratch buffer right before each use (QLoRA, the default), or held in f32 once for the run.
struct FrozenMatrix {
    let matrix: WeightMatrix  // rows = out features, columns = in features
    let f32: UnsafePointer<Float>?  // (rows, columns) when the base is kept in f32

    var rows: Int { matrix.rows }
    var columns: Int { matrix.columns }

    /// Rows `range` as f32 (range.count, columns): a view of the f32 copy, or dequantized into `scratch`.
    func rows(_ range: Range<Int>, scratch: UnsafeMutablePointer<Float>, threads: Int) -> UnsafePointer<Float> {
        if let f32 { return f32 + range.lowerBound * columns }
        let w = matrix
        Parallel.forRanges(count: range.count, parts: range.count * w.columns >= 1 << 16 ? threads : 1) { part in
            dequantize(w.type, w.row(range.lowerBound + part.lowerBound), into: scratch + part.lowerBound * w.columns,
                       count: part.count * w.columns)
        }
        return UnsafePointer(scratch)
    }

    /// The whole matrix as f32.
    func all(scratch: UnsafeMutablePointer<Float>, threads: Int) -> UnsafePointer<Float> {
        rows(0..<rows, scratch: scratch, threads: threads)
    }
}
