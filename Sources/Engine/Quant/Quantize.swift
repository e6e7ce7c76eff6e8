/// Encodes `count` floats from `src` as `type` into `dst`, which must have room for
/// `type.rowBytes(count)` bytes. Supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1; the block formats
/// match ggml's `quantize_row_*_ref` (and gguf-py's `quantize`) bit for bit.
///
/// Throws when `type` cannot be produced or `count` is not a whole number of blocks; nothing is
/// written then. Non-finite input gives unspecified (but in-range) quants, as in ggml.
public func quantize(_ type: GGMLType, _ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer, count: Int)
    throws(QuantError)
{
    guard type.canQuantize else { throw .cannotQuantize(type) }
    _ = try type.rowBytes(count)
    switch type {
    case .f32: dst.copyMemory(from: src, byteCount: 4 * count)
    case .f16: quantizeF16(src, into: dst, count: count)
    case .bf16: quantizeBF16(src, into: dst, count: count)
    case .q4_0: quantizeBlocks(BlockQ4_0.self, src, dst, count)
    case .q4_1: quantizeBlocks(BlockQ4_1.self, src, dst, count)
    case .q8_0: quantizeBlocks(BlockQ8_0.self, src, dst, count)
    default: throw .cannotQuantize(type)
    }
}

private func quantizeBlocks<F: QuantizableFormat>(
    _ format: F.Type, _ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int
) {
    let elements = F.type.blockSize, bytes = F.type.typeSize
    for b in 0..<count / elements {
        F.quantizeBlock(src + b * elements, into: dst + b * bytes)
    }
}
