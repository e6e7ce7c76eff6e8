import CKernels
import Foundation

// Causal grouped-query attention over one sequence of T tokens, with packed examples kept apart.
//   forward:  q (T, H·hd), k (T, KV·hd), v (T, KV·hd), positions (T) -> out (T, H·hd),
//             logSumExp (H, T): each query's log Σ exp(score), kept for backward
//   backward: dOut (T, H·hd), q, k, v, logSumExp -> dQ (T, H·hd) overwritten, dK, dV (T, KV·hd)
//             overwritten in the columns of the groups it is given
// Head h reads key/value head h / (H / KV). Token i sees tokens i − positions[i] ... i: its own
// example up to itself (a block-diagonal causal mask, as TRL's packing with position ids does).
//
// Queries go through in blocks of `Shape.block` rows; block [r0, r1) computes scores only against
// keys [r0 − positions[r0], r1), the keys some row of the block can see, so the masked triangle
// (and everything before the block's first example) costs nothing. The probabilities are not kept:
// backward recomputes each block's as exp(score − logSumExp) in scratch. A call handles the key/value
// groups it is given (all by default), so callers may run disjoint groups on different threads.

enum CausalAttention {
    struct Shape {
        var tokens: Int  // T
        var heads: Int  // H
        var kvHeads: Int  // KV
        var headDimension: Int  // hd
        /// Query rows per block.
        var block = 64
        var queryWidth: Int { heads * headDimension }
        var kvWidth: Int { kvHeads * headDimension }
        var scale: Float { 1 / Float(headDimension).squareRoot() }
        var groupSize: Int { heads / kvHeads }
        /// Floats of scratch a call needs: scores and their gradient for one block.
        var scratchCount: Int { 2 * min(block, tokens) * tokens }
    }

    /// The query blocks of a sequence: rows [r0, r1) and the first key any of them sees.
    private static func forEachBlock(_ s: Shape, positions: UnsafePointer<Int32>, _ body: (_ r0: Int, _ r1: Int, _ k0: Int) -> Void) {
        var r0 = 0
        while r0 < s.tokens {
            let r1 = min(r0 + s.block, s.tokens)
            body(r0, r1, r0 - Int(positions[r0]))
            r0 = r1
        }
    }

    /// scores (r1 − r0, r1 − k0) = scale · Q_h[r0..<r1] · K_g[k0..<r1]ᵀ.
    private static func scores(_ s: Shape, head h: Int, r0: Int, r1: Int, k0: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                               into p: UnsafeMutablePointer<Float>) {
        let hd = s.headDimension, g = h / s.groupSize
        BLAS.matmulTransposedB(m: r1 - r0, n: r1 - k0, k: hd, a: q + r0 * s.queryWidth + h * hd, lda: s.queryWidth,
                               b: k + k0 * s.kvWidth + g * hd, ldb: s.kvWidth, c: p, ldc: r1 - k0, alpha: s.scale)
    }

    static func forward(_ s: Shape, groups: Range<Int>? = nil, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                        positions: UnsafePointer<Int32>, out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
                        scratch p: UnsafeMutablePointer<Float>) {
        let hd = s.headDimension, T = s.tokens, groups = groups ?? 0..<s.kvHeads
        for h in groups.lowerBound * s.groupSize..<groups.upperBound * s.groupSize {
            let g = h / s.groupSize
            forEachBlock(s, positions: positions) { r0, r1, k0 in
                let width = r1 - k0
                scores(s, head: h, r0: r0, r1: r1, k0: k0, q: q, k: k, into: p)
                for i in r0..<r1 {
                    let row = p + (i - r0) * width
                    let first = i - Int(positions[i]) - k0, last = i - k0  // visible: first...last
                    let visible = row + first, n = last + 1 - first
                    let maximum = tb_max(visible, n)
                    let sum = tb_exp_shifted(visible, n, maximum)
                    tb_scale(visible, n, Float(1 / sum))
                    logSumExp[h * T + i] = maximum + Float(log(sum))
                    row.update(repeating: 0, count: first)
                    (row + last + 1).update(repeating: 0, count: width - last - 1)
                }
                // out_h[r0..<r1] (rows, hd) = P (rows, width) · V_g[k0..<r1] (width, hd)
                BLAS.matmul(m: r1 - r0, n: hd, k: width, a: p, lda: width, b: v + k0 * s.kvWidth + g * hd, ldb: s.kvWidth,
                            c: out + r0 * s.queryWidth + h * hd, ldc: s.queryWidth)
            }
        }
    }

    static func backward(_ s: Shape, groups: Range<Int>? = nil, dOut: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                         v: UnsafePointer<Float>, positions: UnsafePointer<Int32>, logSumExp: UnsafePointer<Float>,
                         dQ: UnsafeMutablePointer<Float>, dK: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>,
                         scratch: UnsafeMutablePointer<Float>) {
        let hd = s.headDimension, T = s.tokens, groups = groups ?? 0..<s.kvHeads
        let p = scratch, dp = scratch + min(s.block, T) * T
        for t in 0..<T {
            (dK + t * s.kvWidth + groups.lowerBound * hd).update(repeating: 0, count: groups.count * hd)
            (dV + t * s.kvWidth + groups.lowerBound * hd).update(repeating: 0, count: groups.count * hd)
        }
        for h in groups.lowerBound * s.groupSize..<groups.upperBound * s.groupSize {
            let g = h / s.groupSize
            forEachBlock(s, positions: positions) { r0, r1, k0 in
                let rows = r1 - r0, width = r1 - k0
                scores(s, head: h, r0: r0, r1: r1, k0: k0, q: q, k: k, into: p)
                for i in r0..<r1 {
                    let row = p + (i - r0) * width
                    let first = i - Int(positions[i]) - k0, last = i - k0
                    _ = tb_exp_shifted(row + first, last + 1 - first, logSumExp[h * T + i])
                    row.update(repeating: 0, count: first)
                    (row + last + 1).update(repeating: 0, count: width - last - 1)
                }
                let dOutH = dOut + r0 * s.queryWidth + h * hd
                // dV_g[k0..<r1] (width, hd) += Pᵀ · dOut_h[r0..<r1]
                BLAS.matmulTransposedA(m: width, n: hd, k: rows, a: p, lda: width, b: dOutH, ldb: s.queryWidth,
                                       c: dV + k0 * s.kvWidth + g * hd, ldc: s.kvWidth, beta: 1)
                // dP (rows, width) = dOut_h · V_gᵀ
                BLAS.matmulTransposedB(m: rows, n: width, k: hd, a: dOutH, lda: s.queryWidth, b: v + k0 * s.kvWidth + g * hd,
                                       ldb: s.kvWidth, c: dp, ldc: width)
                // softmax backward, row by row: dS = P ∘ (dP − Σ P·dP); masked entries have P = 0.
                for r in 0..<rows { tb_softmax_grad(p + r * width, dp + r * width, width) }
                // dQ_h[r0..<r1] = scale · dS · K_g[k0..<r1] ;  dK_g[k0..<r1] += scale · dSᵀ · Q_h[r0..<r1]
                BLAS.matmul(m: rows, n: hd, k: width, a: dp, lda: width, b: k + k0 * s.kvWidth + g * hd, ldb: s.kvWidth,
                            c: dQ + r0 * s.queryWidth + h * hd, ldc: s.queryWidth, alpha: s.scale)
                BLAS.matmulTransposedA(m: width, n: hd, k: rows, a: dp, lda: width, b: q + r0 * s.queryWidth + h * hd, ldb: s.queryWidth,
                                       c: dK + k0 * s.kvWidth + g * hd, ldc: s.kvWidth, alpha: s.scale, beta: 1)
            }
        }
    }
}
