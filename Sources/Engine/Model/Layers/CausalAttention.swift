import Foundation

// Causal grouped-query attention over one sequence of T tokens, with packed examples kept apart.
//   forward:  q (T, H·hd), k (T, KV·hd), v (T, KV·hd), positions (T) -> out (T, H·hd)
//   backward: dOut (T, H·hd), q, k, v -> dQ (T, H·hd) overwritten, dK, dV (T, KV·hd) overwritten
// Head h reads key/value head h / (H / KV). Token i sees tokens i − positions[i] ... i: its own
// example up to itself (a block-diagonal causal mask, as TRL's packing with position ids does).
// The probabilities (T, T) per head are not kept: backward recomputes them from q and k, one head at
// a time, in `probabilities` scratch (T·T), with `dProbabilities` scratch (T·T) for their gradient.

enum CausalAttention {
    struct Shape {
        var tokens: Int  // T
        var heads: Int  // H
        var kvHeads: Int  // KV
        var headDimension: Int  // hd
        var queryWidth: Int { heads * headDimension }
        var kvWidth: Int { kvHeads * headDimension }
        var scale: Float { 1 / Float(headDimension).squareRoot() }
    }

    /// probabilities[i, :] = softmax over the visible keys of scale · q_i · k_j, zero elsewhere.
    static func probabilities(_ s: Shape, head h: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                              positions: UnsafePointer<Int32>, into p: UnsafeMutablePointer<Float>) {
        let hd = s.headDimension, T = s.tokens, g = h / (s.heads / s.kvHeads)
        BLAS.matmulTransposedB(m: T, n: T, k: hd, a: q + h * hd, lda: s.queryWidth, b: k + g * hd, ldb: s.kvWidth,
                               c: p, ldc: T, alpha: s.scale)
        for i in 0..<T {
            let row = p + i * T
            let first = i - Int(positions[i])
            for j in 0..<first { row[j] = 0 }
            Ops.softmax(row + first, n: i + 1 - first)
            for j in (i + 1)..<T { row[j] = 0 }
        }
    }

    static func forward(_ s: Shape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                        positions: UnsafePointer<Int32>, out: UnsafeMutablePointer<Float>, probabilities p: UnsafeMutablePointer<Float>) {
        let hd = s.headDimension, T = s.tokens, group = s.heads / s.kvHeads
        for h in 0..<s.heads {
            probabilities(s, head: h, q: q, k: k, positions: positions, into: p)
            // out_h (T, hd) = P (T, T) · V_g (T, hd)
            BLAS.matmul(m: T, n: hd, k: T, a: p, lda: T, b: v + (h / group) * hd, ldb: s.kvWidth, c: out + h * hd, ldc: s.queryWidth)
        }
    }

    static func backward(_ s: Shape, dOut: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                         v: UnsafePointer<Float>, positions: UnsafePointer<Int32>,
                         dQ: UnsafeMutablePointer<Float>, dK: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>,
                         probabilities p: UnsafeMutablePointer<Float>, dProbabilities dp: UnsafeMutablePointer<Float>) {
        let hd = s.headDimension, T = s.tokens, group = s.heads / s.kvHeads
        dK.update(repeating: 0, count: T * s.kvWidth)
        dV.update(repeating: 0, count: T * s.kvWidth)
        for h in 0..<s.heads {
            let g = h / group
            probabilities(s, head: h, q: q, k: k, positions: positions, into: p)
            // dV_g (T, hd) += Pᵀ · dOut_h
            BLAS.matmulTransposedA(m: T, n: hd, k: T, a: p, lda: T, b: dOut + h * hd, ldb: s.queryWidth,
                                   c: dV + g * hd, ldc: s.kvWidth, beta: 1)
            // dP (T, T) = dOut_h · V_gᵀ
            BLAS.matmulTransposedB(m: T, n: T, k: hd, a: dOut + h * hd, lda: s.queryWidth, b: v + g * hd, ldb: s.kvWidth,
                                   c: dp, ldc: T)
            // softmax backward: dS_ij = P_ij (dP_ij − Σ_k P_ik dP_ik); masked entries have P = 0.
            for i in 0..<T {
                let pr = p + i * T, dr = dp + i * T
                let first = i - Int(positions[i])
                var dot: Float = 0
                for j in first...i { dot += pr[j] * dr[j] }
                for j in 0..<first { dr[j] = 0 }
                for j in first...i { dr[j] = pr[j] * (dr[j] - dot) }
                for j in (i + 1)..<T { dr[j] = 0 }
            }
            // dQ_h (T, hd) = scale · dS · K_g ;  dK_g (T, hd) += scale · dSᵀ · Q_h
            BLAS.matmul(m: T, n: hd, k: T, a: dp, lda: T, b: k + g * hd, ldb: s.kvWidth, c: dQ + h * hd, ldc: s.queryWidth,
                        alpha: s.scale)
            BLAS.matmulTransposedA(m: T, n: hd, k: T, a: dp, lda: T, b: q + h * hd, ldb: s.queryWidth,
                                   c: dK + g * hd, ldc: s.kvWidth, alpha: s.scale, beta: 1)
        }
    }
}
