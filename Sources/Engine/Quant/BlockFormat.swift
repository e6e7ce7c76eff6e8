/// One GGML block format: `blockSize` elements stored in `typeSize` bytes, decoded one block at a
/// time. Each format lives in its own file with its byte layout documented at the top.
///
/// Formats are caseless enums used only as generic parameters, so the row loops in
/// `Dequantize.swift` and `Dot.swift` are specialised per format (no dynamic dispatch per block).
protocol BlockFormat {
    static var type: GGMLType { get }
    /// Decodes one block: `src` holds `type.typeSize` bytes, `dst` receives `type.blockSize` floats.
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>)
}

/// A format with a dot kernel that works on the blocks themselves (no full dequantize).
protocol DirectDotFormat: BlockFormat {
    /// Σ row[i]·x[i] over `blocks` consecutive blocks; `scratch` has room for 256 floats.
    static func dot(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> Float
}

/// A format `quantize` can produce, matching ggml's `quantize_row_*_ref` bit for bit.
protocol QuantizableFormat: BlockFormat {
    /// Encodes `type.blockSize` floats from `src` into one block of `type.typeSize` bytes at `dst`.
    static func quantizeBlock(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer)
}

// MARK: - Small helpers shared by the formats

/// Reads a little-endian IEEE half at `p + offset` and widens it (F16C `vcvtph2ps` on haswell).
@inline(__always)
func loadHalf(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
}

/// Narrows to IEEE half (round to nearest even, as ggml's GGML_FP32_TO_FP16) and stores it.
@inline(__always)
func storeHalf(_ value: Float, _ p: UnsafeMutableRawPointer, _ offset: Int) {
    p.storeBytes(of: Float16(value).bitPattern.littleEndian, toByteOffset: offset, as: UInt16.self)
}

/// 16 floats from `p`, any alignment.
@inline(__always)
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

/// Σ a[i]·b[i] for i in 0..<n, accumulated into `acc` 16 lanes at a time; `n` is a multiple of 16.
@inline(__always)
func accumulateDot16(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int, into acc: inout SIMD16<Float>
) {
    var i = 0
    while i < n {
        acc = acc + load16(a + i) * load16(b + i)
        i += 16
    }
}

/// 8 floats from `p`, any alignment.
@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// The nibbles (p[i] >> shift) & 15 of 8 bytes as floats. Written lane by lane (not with the generic
/// SIMD conversion initialisers, which do not inline): LLVM turns it into vpmovzxbd + vcvtdq2ps and it
/// stays in registers, 15–70% faster than going through a scratch buffer. Pass a constant `shift`:
/// a run-time one defeats the vectorisation (measured 4× slower in Q4_K).
@inline(__always)
func nibbles8(_ p: UnsafePointer<UInt8>, shift: UInt8) -> SIMD8<Float> {
    SIMD8<Float>(
        Float((p[0] >> shift) & 15), Float((p[1] >> shift) & 15), Float((p[2] >> shift) & 15),
        Float((p[3] >> shift) & 15), Float((p[4] >> shift) & 15), Float((p[5] >> shift) & 15),
        Float((p[6] >> shift) & 15), Float((p[7] >> shift) & 15))
}

/// 8 signed bytes as floats, as `nibbles8`.
@inline(__always)
func int8s8(_ p: UnsafePointer<Int8>) -> SIMD8<Float> {
    SIMD8<Float>(
        Float(p[0]), Float(p[1]), Float(p[2]), Float(p[3]), Float(p[4]), Float(p[5]), Float(p[6]), Float(p[7]))
}
