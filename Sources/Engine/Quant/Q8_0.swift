// Q8_0: 32 weights in 34 bytes (block_q8_0 in ggml-common.h).
//
//   offset size  field
//   0      2     d       fp16 scale
//   2      32    qs[32]  int8 quants, weight j in qs[j]
//
//   weight[j] = d · q[j],  q in −128…127
//
// Quantizing (quantize_row_q8_0_ref): amax = max |x|, d = amax / 127, id = 1/d (0 if d = 0),
// q = roundf(x·id) (halves away from zero).

enum BlockQ8_0: DirectDotFormat, QuantizableFormat {
    static let type = GGMLType.q8_0

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let d = loadHalf(src, 0)
        let qs = (src + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { dst[j] = Float(qs[j]) * d }
    }

    /// Per block: d·Σ q·x in 8 lanes, the quants widened in registers.
    static func dot(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let block = row + b * 34
            let qs = (block + 2).assumingMemoryBound(to: Int8.self)
            let xb = x + 32 * b
            let qx =
                int8s8(qs) * load8(xb) + int8s8(qs + 8) * load8(xb + 8)
                + int8s8(qs + 16) * load8(xb + 16) + int8s8(qs + 24) * load8(xb + 24)
            acc = acc + qx * loadHalf(block, 0)
        }
        return acc.sum()
    }

    static func quantizeBlock(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer) {
        var amax: Float = 0
        for j in 0..<32 { amax = Swift.max(amax, abs(src[j])) }
        let d = amax / 127
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, dst, 0)
        let qs = (dst + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 {
            // |x·id| ≤ 127 (+ rounding) for finite input; the clamp only guards non-finite input.
            let v = (src[j] * id).rounded(.toNearestOrAwayFromZero)
            qs[j] = v.isNaN ? 0 : Int8(Swift.max(-128, Swift.min(127, v)))
        }
    }
}
