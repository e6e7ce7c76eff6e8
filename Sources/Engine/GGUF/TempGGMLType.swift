// TEMPORARY stand-in until the Quant branch lands; deleted at merge.
public enum GGMLType: UInt32, Sendable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15, bf16 = 30
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1: 32
        default: 256
        }
    }
    public var typeSize: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q8_0: 34
        case .q8_1: 36
        case .q2_K: 84
        case .q3_K: 110
        case .q4_K: 144
        case .q5_K: 176
        case .q6_K: 210
        case .q8_K: 292
        }
    }
    public var name: String { "\(self)".uppercased() }
}

// TEMPORARY minimal kernels (Q4_1, Q8_0, F32) until the Quant branch lands; deleted at merge.
public func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
    switch type {
    case .f32: dst.update(from: src.assumingMemoryBound(to: Float.self), count: count)
    case .q8_0:
        for b in 0..<(count / 32) {
            let block = src + b * 34
            let d = Float(block.loadUnaligned(as: Float16.self))
            for j in 0..<32 { dst[b * 32 + j] = d * Float(block.load(fromByteOffset: 2 + j, as: Int8.self)) }
        }
    case .q4_1:
        for b in 0..<(count / 32) {
            let block = src + b * 20
            let d = Float(block.loadUnaligned(as: Float16.self))
            let m = Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))
            for j in 0..<16 {
                let q = block.load(fromByteOffset: 4 + j, as: UInt8.self)
                dst[b * 32 + j] = d * Float(q & 0xF) + m
                dst[b * 32 + j + 16] = d * Float(q >> 4) + m
            }
        }
    default: fatalError("temp")
    }
}

public func dot(_ type: GGMLType, row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
    var buffer = [Float](repeating: 0, count: count)
    dequantize(type, row, into: &buffer, count: count)
    var s: Float = 0
    for i in 0..<count { s += buffer[i] * x[i] }
    return s
}

public func matvec(_ type: GGMLType, weights: UnsafeRawPointer, rows: Int, cols: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
    let stride = cols / type.blockSize * type.typeSize
    for r in 0..<rows { y[r] = dot(type, row: weights + r * stride, x, count: cols) }
}
