// RMSNorm with a frozen weight.
//   forward:  x (n, d), weight (d) -> out (n, d), rstd (n) = 1 / sqrt(mean(x²) + eps)
//   backward: dOut (n, d), x, weight, rstd -> dX (n, d), accumulated (+=); no weight gradient.
//
// y_j = x_j · r · w_j with r = (Σ x² / d + eps)^(-1/2), so
// dx_j = r · w_j · dy_j − x_j · r³ / d · Σ_i w_i · dy_i · x_i.
// Rows are independent; `threads` > 1 splits them over that many threads when there are enough.

enum RMSNormLayer {
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, eps: Float, n: Int, d: Int,
                        out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, threads: Int = 1) {
        rows(n, d: d, threads: threads) { range in
            for t in range {
                let row = x + t * d, o = out + t * d
                var sum: Float = 0
                for i in 0..<d { sum += row[i] * row[i] }
                let r = 1 / (sum / Float(d) + eps).squareRoot()
                rstd[t] = r
                for i in 0..<d { o[i] = row[i] * r * weight[i] }
            }
        }
    }

    /// The normalised rows again from the kept `rstd` (cheaper than keeping them).
    static func recompute(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, d: Int,
                          out: UnsafeMutablePointer<Float>, threads: Int = 1) {
        rows(n, d: d, threads: threads) { range in
            for t in range {
                let row = x + t * d, o = out + t * d, r = rstd[t]
                for i in 0..<d { o[i] = row[i] * r * weight[i] }
            }
        }
    }

    static func backward(dOut: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         rstd: UnsafePointer<Float>, n: Int, d: Int, dX: UnsafeMutablePointer<Float>, threads: Int = 1) {
        rows(n, d: d, threads: threads) { range in
            for t in range {
                let dy = dOut + t * d, row = x + t * d, dx = dX + t * d, r = rstd[t]
                var dot: Float = 0
                for i in 0..<d { dot += weight[i] * dy[i] * row[i] }
                let c = dot * r * r * r / Float(d)
                for i in 0..<d { dx[i] += r * weight[i] * dy[i] - row[i] * c }
            }
        }
    }

    @inline(__always)
    private static func rows(_ n: Int, d: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forRanges(count: n, parts: n * d >= 1 << 15 ? threads : 1, body)
    }
}
