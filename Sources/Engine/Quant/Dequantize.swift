/// Decodes `count` elements of `type` at `src` (bytes as in a GGUF file) into floats at `dst`.
///
/// Preconditions, checked in debug builds only: `type.isSupported` and `count` is a whole number of
/// blocks. Validate user data first with `isSupported` and `rowBytes(_:)` (the GGUF reader does).
/// Results equal ggml's `dequantize_row_*` and gguf-py's `dequantize` bit for bit.
public func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
    assert(count % type.blockSize == 0, "\(count) is not a whole number of \(type.name) blocks")
    switch type {
    case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 * count)
    case .f16: dequantizeF16(src, into: dst, count: count)
    case .bf16: dequantizeBF16(src, into: dst, count: count)
    case .q4_0: dequantizeBlocks(BlockQ4_0.self, src, dst, count)
    case .q4_1: dequantizeBlocks(BlockQ4_1.self, src, dst, count)
    case .q5_0: dequantizeBlocks(BlockQ5_0.self, src, dst, count)
    case .q5_1: dequantizeBlocks(BlockQ5_1.self, src, dst, count)
    case .q8_0: dequantizeBlocks(BlockQ8_0.self, src, dst, count)
    case .q2_K: dequantizeBlocks(BlockQ2_K.self, src, dst, count)
    case .q3_K: dequantizeBlocks(BlockQ3_K.self, src, dst, count)
    case .q4_K: dequantizeBlocks(BlockQ4_K.self, src, dst, count)
    case .q5_K: dequantizeBlocks(BlockQ5_K.self, src, dst, count)
    case .q6_K: dequantizeBlocks(BlockQ6_K.self, src, dst, count)
    default: preconditionFailure("dequantize: \(type.name) is not supported; check GGMLType.isSupported first")
    }
}

/// `count / blockSize` consecutive blocks of `F`.
@inline(__always)
func dequantizeBlocks<F: BlockFormat>(
    _ format: F.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int
) {
    let elements = F.type.blockSize, bytes = F.type.typeSize
    for b in 0..<count / elements {
        F.dequantizeBlock(src + b * bytes, into: dst + b * elements)
    }
}
