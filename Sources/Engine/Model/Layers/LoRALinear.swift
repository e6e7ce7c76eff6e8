// A frozen linear map with an optional LoRA branch (PEFT's `lora.Linear`).
//   forward:  x (n, in), W (out, in) frozen, A (r, in), B (out, r)
//             -> y (n, out) = x·Wᵀ + scale · (drop(x)·Aᵀ)·Bᵀ ; keeps xa (n, r) = drop(x)·Aᵀ
//   backward: dY (n, out) -> dB (out, r) += scale · dYᵀ·xa
//                            dxa (n, r)   = scale · dY·B
//                            dA (r, in)  += dxaᵀ·drop(x)
//                            dX (n, in)  (+)= dY·W + drop'(dxa·A)
// drop(x) is inverted dropout with a mask that `LoRADropout` regenerates from a key, so backward
// needs neither the mask nor drop(x) kept: it rebuilds drop(x) in `dropScratch` (n·in).

/// The trainable branch of one projection: pointers into the flat LoRA parameter vector.
struct LoRABranch {
    var a: UnsafePointer<Float>  // (r, in)
    var b: UnsafePointer<Float>  // (out, r)
    var rank: Int
    var scale: Float
    var dropout: LoRADropout?
}

enum LoRALinear {
    static func forward(x: UnsafePointer<Float>, n: Int, inFeatures: Int, outFeatures: Int, weight: UnsafePointer<Float>,
                        lora: LoRABranch?, xa: UnsafeMutablePointer<Float>, dropScratch: UnsafeMutablePointer<Float>,
                        y: UnsafeMutablePointer<Float>, profile: TrainingProfile? = nil) {
        profile.measure(.projection) {
            BLAS.matmulTransposedB(m: n, n: outFeatures, k: inFeatures, a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                                   c: y, ldc: outFeatures)
        }
        guard let lora else { return }
        profile.measure(.lora) {
            var input = x
            if let dropout = lora.dropout {
                dropout.apply(x, into: dropScratch, count: n * inFeatures)
                input = UnsafePointer(dropScratch)
            }
            BLAS.matmulTransposedB(m: n, n: lora.rank, k: inFeatures, a: input, lda: inFeatures, b: lora.a, ldb: inFeatures,
                                   c: xa, ldc: lora.rank)
            BLAS.matmulTransposedB(m: n, n: outFeatures, k: lora.rank, a: xa, lda: lora.rank, b: lora.b, ldb: lora.rank,
                                   c: y, ldc: outFeatures, alpha: lora.scale, beta: 1)
        }
    }

    /// `dX` is skipped when nil (the first layer's input needs no gradient), overwritten when
    /// `accumulate` is false and added to otherwise. `dA`/`dB` are always added to.
    static func backward(dY: UnsafePointer<Float>, x: UnsafePointer<Float>, n: Int, inFeatures: Int, outFeatures: Int,
                         weight: UnsafePointer<Float>, lora: LoRABranch?, profile: TrainingProfile? = nil, xa: UnsafePointer<Float>,
                         dA: UnsafeMutablePointer<Float>?, dB: UnsafeMutablePointer<Float>?,
                         dX: UnsafeMutablePointer<Float>?, accumulate: Bool,
                         dxa: UnsafeMutablePointer<Float>, dropScratch: UnsafeMutablePointer<Float>) {
        if let dX {
            profile.measure(.projection) {
                BLAS.matmul(m: n, n: inFeatures, k: outFeatures, a: dY, lda: outFeatures, b: weight, ldb: inFeatures,
                            c: dX, ldc: inFeatures, beta: accumulate ? 1 : 0)
            }
        }
        guard let lora, let dA, let dB else { return }
        profile.measure(.lora) {
            let r = lora.rank
            BLAS.matmulTransposedA(m: outFeatures, n: r, k: n, a: dY, lda: outFeatures, b: xa, ldb: r, c: dB, ldc: r,
                                   alpha: lora.scale, beta: 1)
            BLAS.matmul(m: n, n: r, k: outFeatures, a: dY, lda: outFeatures, b: lora.b, ldb: r, c: dxa, ldc: r, alpha: lora.scale)
            var input = x
            if let dropout = lora.dropout {
                dropout.apply(x, into: dropScratch, count: n * inFeatures)
                input = UnsafePointer(dropScratch)
            }
            BLAS.matmulTransposedA(m: r, n: inFeatures, k: n, a: dxa, lda: r, b: input, ldb: inFeatures, c: dA, ldc: inFeatures, beta: 1)
            guard let dX else { return }
            if let dropout = lora.dropout {
                // dropScratch (n, in) = dxa·A, then through the same mask, then into dX.
                BLAS.matmul(m: n, n: inFeatures, k: r, a: dxa, lda: r, b: lora.a, ldb: inFeatures, c: dropScratch, ldc: inFeatures)
                dropout.apply(dropScratch, into: dropScratch, count: n * inFeatures)
                Ops.add(dX, dropScratch, n: n * inFeatures)
            } else {
                BLAS.matmul(m: n, n: inFeatures, k: r, a: dxa, lda: r, b: lora.a, ldb: inFeatures, c: dX, ldc: inFeatures, beta: 1)
            }
        }
    }
}
