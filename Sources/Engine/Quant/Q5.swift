// Q5_0 and Q5_1: 32 weights with 5-bit quants (block_q5_0 / block_q5_1 in ggml-common.h).
//
// Q5_0, 22 bytes:                           Q5_1, 24 bytes:
//   offset size  field                        offset size  field
//   0      2     d       fp16 scale           0      2     d       fp16 scale
//   2      4     qh      high bits, LE u32    2      2     m       fp16 minimum
//   6      16    qs[16]  low 4 bits           4      4     qh      high bits, LE u32
//                                             8      16    qs[16]  low 4 bits
//
// Weight j (0…31): low 4 bits are the low nibble of qs[j] for j < 16, the high nibble of
// qs[j − 16] otherwise; bit 4 is bit j of qh.
//
//   Q5_0: weight[j] = d · (q[j] − 16)       Q5_1: weight[j] = d · q[j] + m,   q in 0…31

enum BlockQ5_0: BlockFormat {
    static let type = GGMLType.q5_0

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let d = loadHalf(src, 0)
        let qh = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        let qs = (src + 6).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let lo = Int32(qs[j] & 0x0F) | Int32((qh >> UInt32(j)) & 1) << 4
            let hi = Int32(qs[j] >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
            dst[j] = Float(lo - 16) * d
            dst[j + 16] = Float(hi - 16) * d
        }
    }
}

enum BlockQ5_1: BlockFormat {
    static let type = GGMLType.q5_1

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let d = loadHalf(src, 0)
        let m = loadHalf(src, 2)
        let qh = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let qs = (src + 8).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let lo = Int32(qs[j] & 0x0F) | Int32((qh >> UInt32(j)) & 1) << 4
            let hi = Int32(qs[j] >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
            dst[j] = Float(lo) * d + m
            dst[j + 16] = Float(hi) * d + m
        }
    }
}
