extension LoRAAdapter {
    /// `scale · B · A` for one slot: the change the adapter makes to that projection's weight,
    /// shape (out × in), row-major like the weight itself.
    public func deltaWeight(_ slot: LoRALayout.Slot) -> [Float] {
        var delta = [Float](repeating: 0, count: slot.outFeatures * slot.inFeatures)
        addDelta(slot, to: &delta)
        return delta
    }

    /// `weight[out × in] += scale · B · A` for one slot.
    public func addDelta(_ slot: LoRALayout.Slot, to weight: inout [Float]) {
        precondition(weight.count == slot.outFeatures * slot.inFeatures, "addDelta: weight has the wrong size")
        let r = layout.rank
        parameters.withUnsafeBufferPointer { p in
            weight.withUnsafeMutableBufferPointer { w in
                BLAS.matmul(m: slot.outFeatures, n: slot.inFeatures, k: r, a: p.baseAddress! + slot.bOffset, lda: r,
                            b: p.baseAddress! + slot.aOffset, ldb: slot.inFeatures, c: w.baseAddress!, ldc: slot.inFeatures,
                            alpha: config.scale, beta: 1)
            }
        }
    }
}

extension LoRAConfig {
    /// The same adapter expressed with the other scaling rule: `alpha` is changed so that
    /// `scale` stays equal (alpha/r ↔ alpha/√r), for formats without an rsLoRA flag (GGUF).
    public func withRSLoRA(_ rs: Bool) -> LoRAConfig {
        guard rs != useRSLoRA else { return self }
        var c = self
        let root = Float(rank).squareRoot()
        c.alpha = rs ? alpha / root : alpha * root
        c.useRSLoRA = rs
        return c
    }
}
