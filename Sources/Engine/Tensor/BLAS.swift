import COpenBLAS

/// Thin, shape-documented wrappers over OpenBLAS (row-major throughout).
public enum BLAS {
    /// Threads OpenBLAS uses for every following call.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    /// Threads OpenBLAS currently uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// C[m×n] = alpha · A[m×k] · B[n×k]ᵀ + beta · C  (B given row-major as n rows of k: a weight matrix).
    @inline(__always)
    public static func matmulTransposedB(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// C[m×n] = alpha · A[m×k] · B[k×n] + beta · C.
    @inline(__always)
    public static func matmul(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[rows] = alpha · A[rows×cols] · x + beta · y.
    @inline(__always)
    public static func gemv(rows: Int, cols: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(rows), Int32(cols), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// y[cols] = alpha · A[rows×cols]ᵀ · x + beta · y.
    @inline(__always)
    public static func gemvTransposed(rows: Int, cols: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float = 0) {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(cols), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}

extension BLAS {
    /// C[m×n] = alpha · A[k×m]ᵀ · B[k×n] + beta · C  (A given row-major as k rows of m: sums over rows,
    /// as weight gradients `dW = dYᵀ X` need).
    @inline(__always)
    public static func matmulTransposedA(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
