// Q4_K and Q5_K: super-blocks of 256 weights in 8 sub-blocks of 32, each sub-block with a 6-bit
// scale and a 6-bit min (block_q4_K / block_q5_K in ggml-common.h).
//
// Q4_K, 144 bytes:                          Q5_K, 176 bytes:
//   offset size  field                        offset size  field
//   0      2     d          fp16                0      2     d          fp16
//   2      2     dmin       fp16                2      2     dmin       fp16
//   4      12    scales[12] packed 6-bit        4      12    scales[12] packed 6-bit
//   16     128   qs[128]    4-bit quants        16     32    qh[32]     5th bits
//                                               48     128   qs[128]    low 4 bits
//
// scales[12] packs sc[0…7] and m[0…7] (get_scale_min_k4):
//   j < 4:  sc[j] = scales[j] & 63,                           m[j] = scales[j+4] & 63
//   j ≥ 4:  sc[j] = scales[j+4] & 15 | (scales[j−4] >> 6) << 4,
//           m[j]  = scales[j+4] >> 4 | (scales[j]   >> 6) << 4
//
// Weights come in 4 chunks of 64: chunk c uses qs[32c …< 32c+32]; its first 32 weights are the low
// nibbles (sub-block 2c), the next 32 the high nibbles (sub-block 2c+1). For Q5_K, bit 4 of weight l
// of sub-block s is bit s of qh[l].
//
//   weight = (d · sc[s]) · q − dmin · m[s]

/// (scale, min) of sub-block `j` (0…7) from the 12 packed bytes at `scales`.
@inline(__always)
func kScaleMin(_ scales: UnsafePointer<UInt8>, _ j: Int) -> (scale: Float, min: Float) {
    if j < 4 {
        return (Float(scales[j] & 63), Float(scales[j + 4] & 63))
    }
    let scale = (scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4)
    let min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4)
    return (Float(scale), Float(min))
}

enum BlockQ4_K: DirectDotFormat {
    static let type = GGMLType.q4_K

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let d = loadHalf(src, 0)
        let dmin = loadHalf(src, 2)
        let scales = (src + 4).assumingMemoryBound(to: UInt8.self)
        let qs = (src + 16).assumingMemoryBound(to: UInt8.self)
        for c in 0..<4 {
            let (sc1, m1) = kScaleMin(scales, 2 * c)
            let (sc2, m2) = kScaleMin(scales, 2 * c + 1)
            let d1 = d * sc1, min1 = dmin * m1
            let d2 = d * sc2, min2 = dmin * m2
            let q = qs + 32 * c
            let y = dst + 64 * c
            for l in 0..<32 {
                y[l] = d1 * Float(q[l] & 0x0F) - min1
                y[l + 32] = d2 * Float(q[l] >> 4) - min2
            }
        }
    }

    /// Per sub-block of 32: (d·sc)·Σ q·x − (dmin·m)·Σ x, both sums in 8 lanes, the nibbles widened in
    /// registers.
    static func dot(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let block = row + b * 144
            let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
            let qs = (block + 16).assumingMemoryBound(to: UInt8.self)
            let d = loadHalf(block, 0), dmin = loadHalf(block, 2)
            let xb = x + 256 * b
            for c in 0..<4 {  // chunk c: sub-block 2c in the low nibbles, 2c+1 in the high ones
                let (sc1, m1) = kScaleMin(scales, 2 * c)
                let (sc2, m2) = kScaleMin(scales, 2 * c + 1)
                let q = qs + 32 * c
                let xs = xb + 64 * c
                let x0 = load8(xs), x1 = load8(xs + 8), x2 = load8(xs + 16), x3 = load8(xs + 24)
                let x4 = load8(xs + 32), x5 = load8(xs + 40), x6 = load8(xs + 48), x7 = load8(xs + 56)
                let qx1 =
                    nibbles8(q, shift: 0) * x0 + nibbles8(q + 8, shift: 0) * x1
                    + nibbles8(q + 16, shift: 0) * x2 + nibbles8(q + 24, shift: 0) * x3
                let qx2 =
                    nibbles8(q, shift: 4) * x4 + nibbles8(q + 8, shift: 4) * x5
                    + nibbles8(q + 16, shift: 4) * x6 + nibbles8(q + 24, shift: 4) * x7
                acc = acc + qx1 * (d * sc1) - ((x0 + x1) + (x2 + x3)) * (dmin * m1)
                acc = acc + qx2 * (d * sc2) - ((x4 + x5) + (x6 + x7)) * (dmin * m2)
            }
        }
        return acc.sum()
    }
}

enum BlockQ5_K: BlockFormat {
    static let type = GGMLType.q5_K

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let d = loadHalf(src, 0)
        let dmin = loadHalf(src, 2)
        let scales = (src + 4).assumingMemoryBound(to: UInt8.self)
        let qh = (src + 16).assumingMemoryBound(to: UInt8.self)
        let qs = (src + 48).assumingMemoryBound(to: UInt8.self)
        for c in 0..<4 {
            let (sc1, m1) = kScaleMin(scales, 2 * c)
            let (sc2, m2) = kScaleMin(scales, 2 * c + 1)
            let d1 = d * sc1, min1 = dmin * m1
            let d2 = d * sc2, min2 = dmin * m2
            let bit1 = UInt8(1) << (2 * c), bit2 = UInt8(2) << (2 * c)
            let q = qs + 32 * c
            let y = dst + 64 * c
            for l in 0..<32 {
                let lo = (q[l] & 0x0F) | (qh[l] & bit1 != 0 ? 16 : 0)
                let hi = (q[l] >> 4) | (qh[l] & bit2 != 0 ? 16 : 0)
                y[l] = d1 * Float(lo) - min1
                y[l + 32] = d2 * Float(hi) - min2
            }
        }
    }
}
