import Foundation

/// Rotary position embedding as GGUF LLaMA models need it ("normal" mode: the converter permuted
/// Q and K so that each rotated pair is two adjacent elements (2i, 2i+1) of a head).
/// θ_i = position · base^(−2i / ropeDimension), for i < ropeDimension / 2.
public struct RoPE: Sendable {
    public let headDimension: Int
    public let ropeDimension: Int
    private let inverseFrequencies: [Float]

    public init(headDimension: Int, ropeDimension: Int, base: Float) {
        self.headDimension = headDimension
        self.ropeDimension = ropeDimension
        inverseFrequencies = (0..<(ropeDimension / 2)).map { i in powf(base, -2 * Float(i) / Float(ropeDimension)) }
    }

    /// Fills cos/sin tables [count × ropeDimension/2] for positions start..<start+count.
    public func tables(start: Int, count: Int, cos cosTable: UnsafeMutablePointer<Float>, sin sinTable: UnsafeMutablePointer<Float>) {
        let half = ropeDimension / 2
        for p in 0..<count {
            let position = Float(start + p)
            for i in 0..<half {
                let theta = position * inverseFrequencies[i]
                cosTable[p * half + i] = cosf(theta)
                sinTable[p * half + i] = sinf(theta)
            }
        }
    }

    /// Rotates `heads` heads of one token's vector in place, given that token's cos/sin rows.
    @inline(__always)
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = ropeDimension / 2
        for h in 0..<heads {
            let v = x + h * headDimension
            for i in 0..<half {
                let a = v[2 * i], b = v[2 * i + 1]
                v[2 * i] = a * cos[i] - b * sin[i]
                v[2 * i + 1] = a * sin[i] + b * cos[i]
            }
        }
    }

    /// The inverse rotation (for the backward pass): rotate by −θ.
    @inline(__always)
    public func applyInverse(_ x: UnsafeMutablePointer<Float>, heads: Int, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = ropeDimension / 2
        for h in 0..<heads {
            let v = x + h * headDimension
            for i in 0..<half {
                let a = v[2 * i], b = v[2 * i + 1]
                v[2 * i] = a * cos[i] + b * sin[i]
                v[2 * i + 1] = -a * sin[i] + b * cos[i]
            }
        }
    }
}
