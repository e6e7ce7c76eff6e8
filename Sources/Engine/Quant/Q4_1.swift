// Q4_1: 32 weights in 20 bytes (block_q4_1 in ggml-common.h).
//
//   offset size  field
//   0      2     d       fp16 scale
//   2      2     m       fp16 minimum
//   4      16    qs[16]  4-bit quants: low nibble of qs[j] is weight j, high nibble is weight j+16
//
//   weight[j] = d · q[j] + m,  q in 0…15
//
// Quantizing (quantize_row_q4_1_ref): min, max of the block, d = (max − min) / 15,
// id = 1/d (0 if d = 0), q = min(15, trunc((x − min)·id + 0.5)).

enum BlockQ4_1: DirectDotFormat, QuantizableFormat {
    static let type = GGMLType.q4_1

    @inline(__always)
    static func dequantizeBlock(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>) {
        let d = loadHalf(src, 0)
        let m = loadHalf(src, 2)
        let qs = (src + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            dst[j] = Float(qs[j] & 0x0F) * d + m
            dst[j + 16] = Float(qs[j] >> 4) * d + m
        }
    }

    /// Per block: d·Σ q·x + m·Σ x, both sums in 8 lanes, the nibbles widened in registers.
    static func dot(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int,
        scratch: UnsafeMutablePointer<Float>
    ) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let block = row + b * 20
            let qs = (block + 4).assumingMemoryBound(to: UInt8.self)
            let xb = x + 32 * b
            let x0 = load8(xb), x1 = load8(xb + 8), x2 = load8(xb + 16), x3 = load8(xb + 24)
            let qx =
                nibbles8(qs, shift: 0) * x0 + nibbles8(qs + 8, shift: 0) * x1
                + nibbles8(qs, shift: 4) * x2 + nibbles8(qs + 8, shift: 4) * x3
            acc = acc + qx * loadHalf(block, 0) + ((x0 + x1) + (x2 + x3)) * loadHalf(block, 2)
        }
        return acc.sum()
    }

    static func quantizeBlock(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer) {
        var min = Float.greatestFiniteMagnitude
        var max = -Float.greatestFiniteMagnitude
        for j in 0..<32 {
            if src[j] < min { min = src[j] }
            if src[j] > max { max = src[j] }
        }
        let d = (max - min) / 15
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, dst, 0)
        storeHalf(min, dst, 2)
        let qs = (dst + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let q0 = truncatedNibble((src[j] - min) * id + 0.5, limit: 15)
            let q1 = truncatedNibble((src[j + 16] - min) * id + 0.5, limit: 15)
            qs[j] = q0 | (q1 << 4)
        }
    }
}
