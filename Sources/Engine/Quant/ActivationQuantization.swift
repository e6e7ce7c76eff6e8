/// Activations quantized to 8 bits per 32-element block, as llama.cpp does before its integer dot
/// products (`quantize_row_q8_0` / `quantize_row_q8_1`, AVX2 variants: scale = amax/127, values
/// rounded half-to-even). Integer dots read half the bytes of f32 activations and reproduce
/// llama.cpp's arithmetic, so greedy decoding follows the same path as the reference engine.
///
/// Layout here is struct-of-arrays, not ggml's interleaved blocks: `values` [count] int8,
/// `scales` [count/32] (the fp16-rounded d), `sums` [count/32] (fp16-rounded d·Σq, Q8_1's `s`).
public struct QuantizedActivations {
    public private(set) var values: [Int8]
    public private(set) var scales: [Float]
    public private(set) var sums: [Float]
    public private(set) var count: Int

    public init(capacity: Int) {
        values = [Int8](repeating: 0, count: capacity)
        scales = [Float](repeating: 0, count: capacity / 32)
        sums = [Float](repeating: 0, count: capacity / 32)
        count = 0
    }

    /// Quantizes x[0..<n] (n a multiple of 32) in place of the previous contents.
    public mutating func quantize(_ x: UnsafePointer<Float>, count n: Int) {
        count = n
        values.withUnsafeMutableBufferPointer { q in
            scales.withUnsafeMutableBufferPointer { scales in
                sums.withUnsafeMutableBufferPointer { sums in
                    for b in 0..<(n / 32) {
                        let block = x + b * 32
                        var amax: Float = 0
                        for j in 0..<32 { amax = max(amax, abs(block[j])) }
                        let d = amax / 127
                        let inverse: Float = amax != 0 ? 127 / amax : 0
                        var sum: Int32 = 0
                        for j in 0..<32 {
                            let v = Int8((block[j] * inverse).rounded(.toNearestOrEven))
                            q[b * 32 + j] = v
                            sum += Int32(v)
                        }
                        scales[b] = Float(Float16(d))
                        sums[b] = Float(Float16(d * Float(sum)))
                    }
                }
            }
        }
    }
}

public enum QuantizedDot {
    /// Whether `type` has an integer kernel against `QuantizedActivations`.
    public static func supports(_ type: GGMLType) -> Bool { type == .q4_1 || type == .q8_0 || type == .q4_0 }

    /// Σ over one row of `type` blocks times the quantized activations. Float accumulation per block
    /// as in ggml: acc += (d_w · d_x) · Σ(q_w · q_x)  (+ m_w · s_x for Q4_1).
    @inline(__always)
    public static func dot(_ type: GGMLType, row: UnsafeRawPointer, _ q: UnsafePointer<Int8>, scales: UnsafePointer<Float>, sums: UnsafePointer<Float>, blocks: Int) -> Float {
        var acc: Float = 0
        var offsetSum: Float = 0
        switch type {
        case .q4_1:
            // block_q4_1: fp16 d, fp16 m, 16 bytes of nibbles (low nibbles: elements 0–15, high: 16–31).
            for b in 0..<blocks {
                let block = row + b * 20
                let d = Float(block.loadUnaligned(as: Float16.self))
                let m = Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))
                let nibbles = (block + 4).assumingMemoryBound(to: UInt8.self)
                let x = q + b * 32
                var s: Int32 = 0
                for j in 0..<16 {
                    let byte = nibbles[j]
                    s &+= Int32(byte & 0xF) &* Int32(x[j]) &+ Int32(byte >> 4) &* Int32(x[j + 16])
                }
                acc += d * scales[b] * Float(s)
                offsetSum += m * sums[b]
            }
        case .q4_0:
            // block_q4_0: fp16 d, 16 bytes of nibbles, value = nibble − 8.
            for b in 0..<blocks {
                let block = row + b * 18
                let d = Float(block.loadUnaligned(as: Float16.self))
                let nibbles = (block + 2).assumingMemoryBound(to: UInt8.self)
                let x = q + b * 32
                var s: Int32 = 0
                for j in 0..<16 {
                    let byte = nibbles[j]
                    s &+= (Int32(byte & 0xF) &- 8) &* Int32(x[j]) &+ (Int32(byte >> 4) &- 8) &* Int32(x[j + 16])
                }
                acc += d * scales[b] * Float(s)
            }
        case .q8_0:
            // block_q8_0: fp16 d, 32 int8.
            for b in 0..<blocks {
                let block = row + b * 34
                let d = Float(block.loadUnaligned(as: Float16.self))
                let w = (block + 2).assumingMemoryBound(to: Int8.self)
                let x = q + b * 32
                var s: Int32 = 0
                for j in 0..<32 { s &+= Int32(w[j]) &* Int32(x[j]) }
                acc += d * scales[b] * Float(s)
            }
        default:
            preconditionFailure("no integer kernel for \(type)")
        }
        return acc + offsetSum
    }
}
