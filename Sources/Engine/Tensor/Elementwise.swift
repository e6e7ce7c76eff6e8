import Foundation

/// Elementwise and row-wise kernels used by the forward pass. Pointers, explicit lengths, no allocation.
public enum Ops {
    /// out[i] = x[i] / sqrt(mean(x²) + eps) · weight[i], for one row of length n.
    @inline(__always)
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, eps: Float, out: UnsafeMutablePointer<Float>, n: Int) {
        var sum: Float = 0
        for i in 0..<n { sum += x[i] * x[i] }
        let scale = 1 / (sum / Float(n) + eps).squareRoot()
        for i in 0..<n { out[i] = x[i] * scale * weight[i] }
    }

    /// x[i] = silu(x[i]) · y[i]  (SwiGLU's gate times up).
    @inline(__always)
    public static func siluMultiply(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, n: Int) {
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// dst[i] = x[i] rounded to the nearest f16 (kept in f32).
    @inline(__always)
    public static func roundToHalf(_ x: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, n: Int) {
        for i in 0..<n { dst[i] = Float(Float16(x[i])) }
    }

    /// x[i] += y[i].
    @inline(__always)
    public static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, n: Int) {
        for i in 0..<n { x[i] += y[i] }
    }

    /// In-place softmax of x[0..<n]; returns the log of the normaliser (logsumexp).
    @discardableResult
    @inline(__always)
    public static func softmax(_ x: UnsafeMutablePointer<Float>, n: Int) -> Float {
        var maximum = -Float.infinity
        for i in 0..<n { maximum = max(maximum, x[i]) }
        var sum: Float = 0
        for i in 0..<n {
            let e = expf(x[i] - maximum)
            x[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<n { x[i] *= inverse }
        return maximum + logf(sum)
    }

    /// log(Σ exp(x)) computed stably in double precision.
    public static func logSumExp(_ x: UnsafePointer<Float>, n: Int) -> Double {
        var maximum = -Float.infinity
        for i in 0..<n { maximum = max(maximum, x[i]) }
        var sum = 0.0
        for i in 0..<n { sum += exp(Double(x[i] - maximum)) }
        return Double(maximum) + log(sum)
    }
}
