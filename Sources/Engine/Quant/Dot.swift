/// Σ row[i]·x[i] over `count` elements, `row` holding `count` elements of `type`, `x` f32.
///
/// F32, F16, Q4_0, Q4_1, Q8_0, Q4_K and Q6_K work on the blocks directly; the other supported types
/// dequantize 256 elements at a time into a stack buffer. Accumulates in f32 (8 or 16 lanes), so the
/// result differs from an exact sum by rounding only (≈1e-6 relative to Σ|row[i]·x[i]|).
/// Preconditions as for `dequantize`.
public func dot(_ type: GGMLType, row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
    assert(count % type.blockSize == 0, "\(count) is not a whole number of \(type.name) blocks")
    if type == .f32 {
        return dotF32(row.assumingMemoryBound(to: Float.self), x, count: count)
    }
    return withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { buffer in
        dot(type, row: row, x, count: count, scratch: buffer.baseAddress!)
    }
}

/// y[r] = Σ_c W[r, c]·x[c] for a row-major `rows × cols` matrix of `type` whose rows are
/// `type.rowBytes(cols)` bytes apart (as GGUF stores a 2-D weight). x has `cols` floats, y `rows`.
public func matvec(
    _ type: GGMLType, weights: UnsafeRawPointer, rows: Int, cols: Int,
    x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
) {
    assert(cols % type.blockSize == 0, "\(cols) columns is not a whole number of \(type.name) blocks")
    let stride = cols / type.blockSize * type.typeSize
    if type == .f32 {
        for r in 0..<rows {
            y[r] = dotF32((weights + r * stride).assumingMemoryBound(to: Float.self), x, count: cols)
        }
        return
    }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { buffer in
        let scratch = buffer.baseAddress!
        for r in 0..<rows {
            y[r] = dot(type, row: weights + r * stride, x, count: cols, scratch: scratch)
        }
    }
}

/// The per-type dispatch; `scratch` holds 256 floats.
@inline(__always)
private func dot(
    _ type: GGMLType, row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int,
    scratch: UnsafeMutablePointer<Float>
) -> Float {
    switch type {
    case .f32: dotF32(row.assumingMemoryBound(to: Float.self), x, count: count)
    case .f16: dotF16(row, x, count: count, scratch: scratch)
    case .bf16: dotBF16(row, x, count: count, scratch: scratch)
    case .q4_0: BlockQ4_0.dot(row, x, blocks: count / 32, scratch: scratch)
    case .q4_1: BlockQ4_1.dot(row, x, blocks: count / 32, scratch: scratch)
    case .q8_0: BlockQ8_0.dot(row, x, blocks: count / 32, scratch: scratch)
    case .q4_K: BlockQ4_K.dot(row, x, blocks: count / 256, scratch: scratch)
    case .q6_K: BlockQ6_K.dot(row, x, blocks: count / 256, scratch: scratch)
    case .q5_0: bufferedDot(BlockQ5_0.self, row, x, count, scratch)
    case .q5_1: bufferedDot(BlockQ5_1.self, row, x, count, scratch)
    case .q2_K: bufferedDot(BlockQ2_K.self, row, x, count, scratch)
    case .q3_K: bufferedDot(BlockQ3_K.self, row, x, count, scratch)
    case .q5_K: bufferedDot(BlockQ5_K.self, row, x, count, scratch)
    default: preconditionFailure("dot: \(type.name) is not supported; check GGMLType.isSupported first")
    }
}

/// Dequantizes 256 elements at a time into `scratch` and dots them with `x`.
/// Every block size handled here (32, 256) divides 256.
@inline(__always)
private func bufferedDot<F: BlockFormat>(
    _ format: F.Type, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int,
    _ scratch: UnsafeMutablePointer<Float>
) -> Float {
    let elements = F.type.blockSize, bytes = F.type.typeSize
    let blocksPerChunk = 256 / elements
    var acc = SIMD16<Float>()
    var done = 0
    var src = row
    while done < count {
        let n = Swift.min(256, count - done)
        for b in 0..<n / elements {
            F.dequantizeBlock(src + b * bytes, into: scratch + b * elements)
        }
        accumulateDot16(scratch, x + done, n, into: &acc)
        src += blocksPerChunk * bytes
        done += n
    }
    return acc.sum()
}
