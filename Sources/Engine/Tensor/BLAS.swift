import COpenBLAS
import Foundation
import Synchronization

/// Thin, shape-documented wrappers over OpenBLAS (row-major throughout).
public enum BLAS {
    /// OpenBLAS has one thread count for the whole process. Trainers set the count they want;
    /// inference runs its own parts on the worker pool and needs OpenBLAS single-threaded meanwhile.
    /// Regions may overlap (a chat while a run trains), so they are counted: the first one in sets
    /// OpenBLAS to 1 thread, the last one out restores the configured count.
    private struct State { var configured: Int; var singleThreadedRegions = 0 }
    private static let state = Mutex(State(configured: Int(openblas_get_num_threads())))

    /// Makes OpenBLAS's worker threads sleep as soon as a call ends instead of spinning for 2²⁸
    /// cycles (≈ 80 ms here) first. The training pass runs its own elementwise and attention work on
    /// both cores between sgemms, and a spinning OpenBLAS thread took one of them: measured with
    /// `bench-train` on 2 cores, the best step went from 195–231 to 228–239 tokens/s.
    /// Does nothing when the user set OPENBLAS_THREAD_TIMEOUT. Call it once, at process start,
    /// before any thread uses BLAS.
    public static func idleThreadsSleepAtOnce() {
        guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1)  // 2⁴ cycles, OpenBLAS's minimum
        openblas_read_env()
        _ = blas_thread_shutdown_()
        _ = blas_thread_init()
    }

    /// Threads OpenBLAS uses for every following call (outside single-threaded regions).
    public static func setThreads(_ n: Int) {
        state.withLock { s in
            s.configured = max(1, n)
            if s.singleThreadedRegions == 0 { openblas_set_num_threads(Int32(s.configured)) }
        }
    }

    /// The configured thread count.
    public static var threads: Int { state.withLock { $0.configured } }

    /// Runs `body` with OpenBLAS on one thread.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { s in
            if s.singleThreadedRegions == 0 { openblas_set_num_threads(1) }
            s.singleThreadedRegions += 1
        }
        defer {
            state.withLock { s in
                s.singleThreadedRegions -= 1
                if s.singleThreadedRegions == 0 { openblas_set_num_threads(Int32(s.configured)) }
            }
        }
        return try body()
    }

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
