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

    /// Per super-block: nibbles → 256 floats in `scratch`, then per sub-block
    /// (d·sc)·Σ q·x − (dmin·m)·Σ x, both sums in 16 lanes.
    static func dot(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> Float {
        var acc = SIMD16<Float>()
        for b in 0..<blocks {
            let block = row + b * 144
            let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
            let qs = (block + 16).assumingMemoryBound(to: UInt8.self)
            for c in 0..<4 {
                for l in 0..<32 {
                    scratch[64 * c + l] = Float(qs[32 * c + l] & 0x0F)
                    scratch[64 * c + 32 + l] = Float(qs[32 * c + l] >> 4)
                }
            }
            let d = loadHalf(block, 0), dmin = loadHalf(block, 2)
            let xb = x + 256 * b
            for s in 0..<8 {
                let (sc, m) = kScaleMin(scales, s)
                let q = scratch + 32 * s, xs = xb + 32 * s
                let x0 = load16(xs), x1 = load16(xs + 16)
                let qx = load16(q) * x0 + load16(q + 16) * x1
                acc = acc + qx * (d * sc) - (x0 + x1) * (dmin * m)
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
