// Q4_0: 32 weights in 18 bytes (block_q4_0 in ggml-common.h).
//
//   offset size  field
//   0      2     d       fp16 scale
//   2      16    qs[16]  4-bit quants: low nibble of qs[j] is weight j, high nibble is weight j+16
//
//   weight[j] = d · (q[j] − 8),  q in 0…15
//
// Quantizing (quantize_row_q4_0_ref): max = the element with the largest |x| (first one wins),
// d = max / −8, id = 1/d (0 if d = 0), q = min(15, trunc(x·id + 8.5)).

enum BlockQ4_0: DirectDotFormat, QuantizableFormat {
    static let type = GGMLType.q4_0

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let d = loadHalf(src, 0)
        let qs = (src + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            dst[j] = Float(Int32(qs[j] & 0x0F) - 8) * d
            dst[j + 16] = Float(Int32(qs[j] >> 4) - 8) * d
        }
    }

    /// Per block: d·(Σ q·x − 8·Σ x) in 8 lanes, the nibbles widened in registers.
    static func dot(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let block = row + b * 18
            let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
            let xb = x + 32 * b
            let x0 = load8(xb), x1 = load8(xb + 8), x2 = load8(xb + 16), x3 = load8(xb + 24)
            let qx =
                nibbles8(qs, shift: 0) * x0 + nibbles8(qs + 8, shift: 0) * x1
                + nibbles8(qs, shift: 4) * x2 + nibbles8(qs + 8, shift: 4) * x3
            acc = acc + (qx - ((x0 + x1) + (x2 + x3)) * 8) * loadHalf(block, 0)
        }
        return acc.sum()
    }

    static func quantizeBlock(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer) {
        var amax: Float = 0
        var max: Float = 0
        for j in 0..<32 where amax < abs(src[j]) {
            amax = abs(src[j])
            max = src[j]
        }
        let d = max / -8
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, dst, 0)
        let qs = (dst + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let q0 = truncatedNibble(src[j] * id + 8.5, limit: 15)
            let q1 = truncatedNibble(src[j + 16] * id + 8.5, limit: 15)
            qs[j] = q0 | (q1 << 4)
        }
    }
}

/// min(limit, trunc(v)) for v ≥ 0, as ggml's `MIN(limit, (int8_t)v)`. NaN (only from non-finite
/// input) gives `limit` and negatives give 0 instead of trapping.
@inline(__always)
func truncatedNibble(_ v: Float, limit: UInt8) -> UInt8 {
    if !(v < Float(limit)) { return limit }
    if !(v > 0) { return 0 }
    return UInt8(v)
}
