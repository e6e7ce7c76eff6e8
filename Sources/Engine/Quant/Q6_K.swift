// Q6_K: super-blocks of 256 weights in 16 sub-blocks of 16, 210 bytes (block_q6_K in
// ggml-common.h).
//
//   offset size  field
//   0      128   ql[128]     low 4 bits
//   128    64    qh[64]      high 2 bits, four weights per byte
//   192    16    scales[16]  int8 sub-block scales
//   208    2     d           fp16 super-block scale
//
// Two halves of 128 weights; half h uses ql[64h …< 64h+64], qh[32h …< 32h+32]. Within a half,
// for l in 0…31 (weight index in the half → bits):
//   l      : ql[l]    & 15 | (qh[l] >> 0 & 3) << 4
//   l + 32 : ql[l+32] & 15 | (qh[l] >> 2 & 3) << 4
//   l + 64 : ql[l]    >> 4 | (qh[l] >> 4 & 3) << 4
//   l + 96 : ql[l+32] >> 4 | (qh[l] >> 6 & 3) << 4
// Weight i (0…255) has scale scales[i / 16].
//
//   weight = (d · scales[i/16]) · (q − 32),  q in 0…63

enum BlockQ6_K: DirectDotFormat {
    static let type = GGMLType.q6_K

    /// The 256 signed quants (q − 32) of the block at `src`, as floats, in weight order.
    @inline(__always)
    static func unpackQuants(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        for h in 0..<2 {
            let ql = (src + 64 * h).assumingMemoryBound(to: UInt8.self)
            let qh = (src + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
            let y = dst + 128 * h
            for l in 0..<32 {
                let hb = Int32(qh[l])
                y[l] = Float((Int32(ql[l] & 0x0F) | ((hb & 0x03) << 4)) - 32)
                y[l + 32] = Float((Int32(ql[l + 32] & 0x0F) | ((hb & 0x0C) << 2)) - 32)
                y[l + 64] = Float((Int32(ql[l] >> 4) | (hb & 0x30)) - 32)
                y[l + 96] = Float((Int32(ql[l + 32] >> 4) | ((hb & 0xC0) >> 2)) - 32)
            }
        }
    }

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        unpackQuants(src, into: dst)
        let d = loadHalf(src, 208)
        let scales = (src + 192).assumingMemoryBound(to: Int8.self)
        for s in 0..<16 {
            let ds = d * Float(scales[s])
            let y = dst + 16 * s
            for l in 0..<16 { y[l] = ds * y[l] }
        }
    }

    /// Per super-block: quants → 256 floats in `scratch`, then (d·scale)·Σ q·x per sub-block of 16.
    static func dot(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> Float {
        var acc = SIMD16<Float>()
        for b in 0..<blocks {
            let block = row + b * 210
            unpackQuants(block, into: scratch)
            let d = loadHalf(block, 208)
            let scales = (block + 192).assumingMemoryBound(to: Int8.self)
            let xb = x + 256 * b
            for s in 0..<16 {
                acc = acc + load16(scratch + 16 * s) * load16(xb + 16 * s) * (d * Float(scales[s]))
            }
        }
        return acc.sum()
    }
}
