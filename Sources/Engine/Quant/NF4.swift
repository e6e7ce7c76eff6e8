/// NF4, the 4-bit NormalFloat format of QLoRA (Dettmers et al. 2023), as bitsandbytes stores it.
///
/// Block of 64 weights, 36 bytes:
///
///     absmax: Float32 (little-endian)   the block's largest magnitude
///     codes:  32 bytes                  two 4-bit indices into `codeBook` a byte, the first
///                                       weight in the high nibble
///
/// A weight is `codeBook[index] · absmax`; quantizing picks the code nearest to `x / absmax`.
/// Not a ggml type: it is used for the frozen base in QLoRA training only.
public enum NF4 {
    public static let blockSize = 64
    public static let blockBytes = 36

    /// bitsandbytes' NF4 code book: quantiles of N(0, 1) scaled to [−1, 1], with an exact zero.
    public static let codeBook: [Float] = [
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
        -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
        0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ]

    /// Midpoints between neighbouring codes: index = number of midpoints below the value.
    static let thresholds: [Float] = (0..<15).map { (codeBook[$0] + codeBook[$0 + 1]) / 2 }

    /// Bytes for `count` weights (a multiple of 64).
    public static func byteCount(_ count: Int) -> Int { count / blockSize * blockBytes }

    /// Encodes `count` floats (a multiple of 64) into `dst` (`byteCount(count)` bytes).
    public static func quantize(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer, count: Int) throws(QuantError) {
        guard count >= 0, count % blockSize == 0 else { throw .countNotMultipleOfNF4Block(count: count) }
        thresholds.withUnsafeBufferPointer { th in
            for b in 0..<count / blockSize {
                let x = src + b * blockSize
                let out = dst + b * blockBytes
                var absmax: Float = 0
                for i in 0..<blockSize { absmax = max(absmax, abs(x[i])) }
                out.storeBytes(of: absmax.bitPattern.littleEndian, as: UInt32.self)
                let inverse: Float = absmax > 0 ? 1 / absmax : 0
                for i in stride(from: 0, to: blockSize, by: 2) {
                    let hi = index(x[i] * inverse, th), lo = index(x[i + 1] * inverse, th)
                    out.storeBytes(of: hi << 4 | lo, toByteOffset: 4 + i / 2, as: UInt8.self)
                }
            }
        }
    }

    @inline(__always)
    static func index(_ v: Float, _ th: UnsafeBufferPointer<Float>) -> UInt8 {
        var n: UInt8 = 0
        for t in th where v > t { n += 1 }
        return n
    }

    /// Decodes `count` weights (a multiple of 64) from `src` into `dst`.
    public static func dequantize(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
        codeBook.withUnsafeBufferPointer { code in
            for b in 0..<count / blockSize {
                let block = src + b * blockBytes
                let absmax = Float(bitPattern: UInt32(littleEndian: block.loadUnaligned(as: UInt32.self)))
                let out = dst + b * blockSize
                for j in 0..<blockSize / 2 {
                    let byte = block.load(fromByteOffset: 4 + j, as: UInt8.self)
                    out[2 * j] = code[Int(byte >> 4)] * absmax
                    out[2 * j + 1] = code[Int(byte & 15)] * absmax
                }
            }
        }
    }
}
