// Q2_K and Q3_K: super-blocks of 256 weights in 16 sub-blocks of 16 (block_q2_K / block_q3_K in
// ggml-common.h). Q4_K/Q5_K are in Q4_K.swift, Q6_K in Q6_K.swift.
//
// Q2_K, 84 bytes:                              Q3_K, 110 bytes:
//   offset size  field                           offset size  field
//   0      16    scales[16] sc | m << 4          0      32    hmask[32]  high bits
//   16     64    qs[64]     2-bit quants         32     64    qs[64]     low 2 bits
//   80     2     d          fp16                 96     12    scales[12] packed 6-bit
//   82     2     dmin       fp16                 108    2     d          fp16
//
// Both: weight i = 128h + 32j + l (h 0…1, j 0…3, l 0…31) takes its 2 low bits from
// (qs[32h + l] >> 2j) & 3 and belongs to sub-block i / 16.
//
//   Q2_K: weight = (d · (scales[s] & 15)) · q − dmin · (scales[s] >> 4)
//   Q3_K: q −= 4 unless bit (4h + j) of hmask[l] is set;   weight = (d · (sc[s] − 32)) · q
//
// Q3_K scales[12] packs 16 6-bit values: low 4 bits of sc[s] are scales[s] & 15 for s < 8 and
// scales[s − 8] >> 4 otherwise; the high 2 bits are (scales[8 + s % 4] >> 2·(s / 4)) & 3.

enum BlockQ2_K: BlockFormat {
    static let type = GGMLType.q2_K

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let scales = src.assumingMemoryBound(to: UInt8.self)
        let qs = (src + 16).assumingMemoryBound(to: UInt8.self)
        let d = loadHalf(src, 80)
        let dmin = loadHalf(src, 82)
        for s in 0..<16 {
            let h = s / 8, j = (s / 2) % 4, l0 = 16 * (s % 2)
            let dl = d * Float(scales[s] & 0x0F)
            let ml = dmin * Float(scales[s] >> 4)
            let q = qs + 32 * h + l0
            let shift = UInt8(2 * j)
            let y = dst + 16 * s
            for l in 0..<16 { y[l] = dl * Float((q[l] >> shift) & 3) - ml }
        }
    }
}

enum BlockQ3_K: BlockFormat {
    static let type = GGMLType.q3_K

    /// The signed 6-bit scale of sub-block `s` (0…15), sc − 32.
    @inline(__always)
    static func scale(_ scales: UnsafePointer<UInt8>, _ s: Int) -> Float {
        let low = s < 8 ? scales[s] & 0x0F : scales[s - 8] >> 4
        let high = (scales[8 + s % 4] >> UInt8(2 * (s / 4))) & 3
        return Float(Int32(low | high << 4) - 32)
    }

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let hmask = src.assumingMemoryBound(to: UInt8.self)
        let qs = (src + 32).assumingMemoryBound(to: UInt8.self)
        let scales = (src + 96).assumingMemoryBound(to: UInt8.self)
        let d = loadHalf(src, 108)
        for s in 0..<16 {
            let h = s / 8, j = (s / 2) % 4, l0 = 16 * (s % 2)
            let dl = d * scale(scales, s)
            let shift = UInt8(2 * j)
            let bit = UInt8(1) << UInt8(4 * h + j)
            let y = dst + 16 * s
            for l in 0..<16 {
                let low = Int32((qs[32 * h + l0 + l] >> shift) & 3)
                let q = low - (hmask[l0 + l] & bit != 0 ? 0 : 4)
                y[l] = dl * Float(q)
            }
        }
    }
}
