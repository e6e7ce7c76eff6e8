import Foundation

/// AdamW over one flat parameter vector, step for step as `torch.optim.AdamW` (amsgrad off):
///
///     p ← p · (1 − lr·wd)                       decoupled weight decay, before the Adam update
///     m ← β1·m + (1 − β1)·g
///     v ← β2·v + (1 − β2)·g²
///     p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)     ε outside the square root
///
/// The state (`m`, `v`, `step`) is plain data so a checkpoint can store and restore it exactly.
public struct AdamW: Sendable, Equatable {
    // Hyperparameters are doubles, as torch's are Python floats; each is rounded to Float where
    // torch rounds it (when it meets a float32 tensor), so the updates match torch's bit for bit.
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    /// First moment, one per parameter.
    public var m: [Float]
    /// Second moment, one per parameter.
    public var v: [Float]
    /// Updates applied so far (torch's `state["step"]`).
    public var step: Int

    /// torch's defaults: β = (0.9, 0.999), ε = 1e-8, weight decay 0.01.
    public init(parameterCount: Int, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.m = [Float](repeating: 0, count: parameterCount)
        self.v = [Float](repeating: 0, count: parameterCount)
        self.step = 0
    }

    /// Applies one update with learning rate `lr` to `parameters` using `gradients` (same length).
    public mutating func update(_ parameters: inout [Float], gradients: [Float], lr: Double) {
        precondition(parameters.count == m.count && gradients.count == m.count, "AdamW: parameter count changed")
        step += 1
        // torch computes the bias corrections in Python floats (double), then uses them as scalars.
        let bias1 = 1 - beta1.pow(step)
        let bias2Sqrt = (1 - beta2.pow(step)).squareRoot()
        let stepSize = Float(lr / bias1)
        let invBias2Sqrt = Float(bias2Sqrt)
        let decay = Float(1 - lr * weightDecay)
        let b2 = Float(beta2), eps = Float(epsilon)
        let oneMinusB1 = Float(1 - beta1), oneMinusB2 = Float(1 - beta2)
        parameters.withUnsafeMutableBufferPointer { p in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    gradients.withUnsafeBufferPointer { g in
                        for i in 0..<p.count {
                            let gi = g[i]
                            p[i] *= decay
                            // exp_avg.lerp_(grad, 1 − β1): m + (1 − β1)·(g − m), fused as torch's kernel does
                            m[i] = m[i].addingProduct(oneMinusB1, gi - m[i])
                            // exp_avg_sq.mul_(β2).addcmul_(g, g, 1 − β2): fused as (1 − β2)·g·g + β2·v
                            v[i] = (v[i] * b2).addingProduct(oneMinusB2 * gi, gi)
                            let denom = v[i].squareRoot() / invBias2Sqrt + eps
                            // addcdiv_(m, denom, −stepSize): fused p + (−stepSize)·(m / denom)
                            p[i] = p[i].addingProduct(-stepSize, m[i] / denom)
                        }
                    }
                }
            }
        }
    }
}

extension Double {
    fileprivate func pow(_ n: Int) -> Double { Foundation.pow(self, Double(n)) }
}
