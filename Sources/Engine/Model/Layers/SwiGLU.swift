import CKernels

// SwiGLU: the MLP's gate times up.
//   forward:  gate (n·f), up (n·f) -> out (n·f) = silu(gate) · up
//   backward: dOut, gate, up -> dGate = dOut · up · σ(g)(1 + g(1 − σ(g))), dUp = dOut · silu(g)
// Outputs may alias the inputs element for element (each index is read before it is written).

enum SwiGLU {
    /// Splits the work over `threads` when it is large enough to pay for it.
    static func forward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>, threads: Int = 1) {
        Parallel.forRanges(count: count, parts: count >= 1 << 15 ? threads : 1) { r in
            tb_swiglu_forward(gate + r.lowerBound, up + r.lowerBound, r.count, out + r.lowerBound)
        }
    }

    static func backward(dOut: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
                         dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>, threads: Int = 1) {
        Parallel.forRanges(count: count, parts: count >= 1 << 15 ? threads : 1) { r in
            tb_swiglu_backward(dOut + r.lowerBound, gate + r.lowerBound, up + r.lowerBound, r.count, dGate + r.lowerBound, dUp + r.lowerBound)
        }
    }
}
