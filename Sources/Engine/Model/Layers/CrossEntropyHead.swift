import CKernels
import Foundation

// Output head with a fused softmax cross-entropy over the vocabulary.
//   forward:  hidden (m, d) (already normalised), head (V, d) frozen, targets (m)
//             -> lossSum = Σ_i (logsumexp(logits_i) − logits_i[target_i]),  logits = hidden·headᵀ
//   backward: dHidden (m, d) = lossScale · (softmax(logits) − onehot(target))·head
// Rows go through in blocks of `rowBlock`, so at most (rowBlock, V) logits exist at once; the head
// is read in chunks of `vocabularyChunk` rows (dequantized into `headScratch` when quantized).

enum CrossEntropyHead {
    struct Scratch {
        var logits: UnsafeMutablePointer<Float>  // (rowBlock, V)
        var head: UnsafeMutablePointer<Float>  // (vocabularyChunk, d)
        var rowBlock: Int
        var vocabularyChunk: Int
    }

    /// Returns the summed loss of the m rows; fills `dHidden` when it is given.
    static func forward(hidden: UnsafePointer<Float>, m: Int, targets: UnsafePointer<Int32>, head: FrozenMatrix,
                        scratch s: Scratch, threads: Int, dHidden: UnsafeMutablePointer<Float>?, lossScale: Float,
                        profile: TrainingProfile? = nil) -> Double {
        let V = head.rows, d = head.columns
        var lossSum = 0.0
        var first = 0
        while first < m {
            let rows = min(s.rowBlock, m - first)
            let x = hidden + first * d
            // logits (rows, V), one vocabulary chunk at a time.
            var v0 = 0
            while v0 < V {
                let count = min(s.vocabularyChunk, V - v0)
                let w = profile.measure(.dequantize) { head.rows(v0..<(v0 + count), scratch: s.head, threads: threads) }
                profile.measure(.head) {
                    BLAS.matmulTransposedB(m: rows, n: count, k: d, a: x, lda: d, b: w, ldb: d, c: s.logits + v0, ldc: V)
                }
                v0 += count
            }
            profile.measure(.headSoftmax) {
                // Rows are independent: each part sums its own rows' losses, added in part order.
                let parts = min(threads, rows)
                withUnsafeTemporaryAllocation(of: Double.self, capacity: parts) { partLoss in
                    Parallel.forParts(count: rows, parts: parts) { part, range in
                        var sum = 0.0
                        for r in range {
                            let row = s.logits + r * V
                            let target = Int(targets[first + r])
                            let targetLogit = row[target]
                            let logSumExp = softmaxInPlace(row, n: V)
                            sum += logSumExp - Double(targetLogit)
                            if dHidden != nil {
                                row[target] -= 1
                                tb_scale(row, V, lossScale)
                            }
                        }
                        partLoss[part] = sum  // every part writes its slot: forParts runs exactly `parts`
                    }
                    for l in partLoss { lossSum += l }
                }
            }
            if let dHidden {
                // dHidden (rows, d) = dLogits (rows, V) · head (V, d)
                var v0 = 0
                while v0 < V {
                    let count = min(s.vocabularyChunk, V - v0)
                    let w = profile.measure(.dequantize) { head.rows(v0..<(v0 + count), scratch: s.head, threads: threads) }
                    profile.measure(.head) {
                        BLAS.matmul(m: rows, n: d, k: count, a: s.logits + v0, lda: V, b: w, ldb: d, c: dHidden + first * d, ldc: d,
                                    beta: v0 == 0 ? 0 : 1)
                    }
                    v0 += count
                }
            }
            first += rows
        }
        return lossSum
    }

    /// Softmax of x[0..<n] in place; returns logsumexp.
    ///
    /// The sum is kept in Double: over a 49k vocabulary most terms are below half an f32 ulp of the
    /// running sum and an f32 accumulator drops them, which made the loss ≈ 1e-4 nats too low (and
    /// the probabilities sum past 1) against PyTorch and float64 (bench/peft_loss_check.sh).
    @inline(__always)
    static func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, n: Int) -> Double {
        let maximum = tb_max(x, n)
        let sum = tb_exp_shifted(x, n, maximum)
        tb_scale(x, n, Float(1 / sum))
        return Double(maximum) + log(sum)
    }
}
