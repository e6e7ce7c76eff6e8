/// Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_` (L2 norm):
/// `coef = maxNorm / (norm + 1e-6)`, clamped to at most 1, and every gradient multiplied by it.
public enum GradientClipping {
    /// The L2 norm of `gradients` (accumulated in double).
    public static func norm(_ gradients: [Float]) -> Double {
        gradients.withUnsafeBufferPointer { g in
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = 0
            while i + 4 <= g.count {
                s0 += Double(g[i]) * Double(g[i]); s1 += Double(g[i + 1]) * Double(g[i + 1])
                s2 += Double(g[i + 2]) * Double(g[i + 2]); s3 += Double(g[i + 3]) * Double(g[i + 3])
                i += 4
            }
            while i < g.count { s0 += Double(g[i]) * Double(g[i]); i += 1 }
            return (s0 + s1 + s2 + s3).squareRoot()
        }
    }

    /// Scales `gradients` so their global norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: inout [Float], maxNorm: Float) -> Double {
        let total = norm(gradients)
        let coefficient = min(Float(Double(maxNorm) / (total + 1e-6)), 1)
        if coefficient < 1 {
            gradients.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= coefficient }
            }
        }
        return total
    }
}
