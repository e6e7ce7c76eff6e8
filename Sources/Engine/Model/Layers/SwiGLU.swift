import Foundation

// SwiGLU: the MLP's gate times up.
//   forward:  gate (n·f), up (n·f) -> out (n·f) = silu(gate) · up
//   backward: dOut, gate, up -> dGate = dOut · up · σ(g)(1 + g(1 − σ(g))), dUp = dOut · silu(g)
// Outputs may alias the inputs element for element (each index is read before it is written).

enum SwiGLU {
    static func forward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let g = gate[i]
            out[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    static func backward(dOut: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
                         dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let g = gate[i], u = up[i], dy = dOut[i]
            let s = 1 / (1 + expf(-g))
            dGate[i] = dy * u * s * (1 + g * (1 - s))
            dUp[i] = dy * g * s
        }
    }
}
