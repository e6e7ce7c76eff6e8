import CKernels

/// Activations quantized to 8 bits per 32-element block, as llama.cpp does before its integer dot
/// products (`quantize_row_q8_1`: scale = amax/127, values rounded half-to-even, fp16 scale and
/// fp16 d·Σq). Integer dots read a quarter of the bytes of f32 activations and follow llama.cpp's
/// arithmetic.
///
/// Layout is struct-of-arrays, not ggml's interleaved blocks: `values` [count] int8, `scales`
/// [count/32] (the fp16-rounded d, as float), `sums` [count/32] (fp16-rounded d·Σq).
public final class QuantizedActivations: @unchecked Sendable {
    public let capacity: Int
    public let values: UnsafeMutablePointer<Int8>
    public let scales: UnsafeMutablePointer<Float>
    public let sums: UnsafeMutablePointer<Float>
    public private(set) var count = 0

    public init(capacity: Int) {
        self.capacity = max(32, capacity)
        values = .allocate(capacity: self.capacity)
        scales = .allocate(capacity: self.capacity / 32)
        sums = .allocate(capacity: self.capacity / 32)
    }

    deinit {
        values.deallocate()
        scales.deallocate()
        sums.deallocate()
    }

    /// Quantizes x[0..<n] (n a multiple of 32, at most `capacity`) in place of the previous contents.
    public func quantize(_ x: UnsafePointer<Float>, count n: Int) {
        precondition(n % 32 == 0 && n <= capacity, "cannot quantize \(n) activations into room for \(capacity)")
        count = n
        tb_quantize_q8(x, Int32(n), values, scales, sums)
    }
}

/// Matrix–vector products over quantized weight rows with 8-bit activations (decode's hot loop).
/// The kernels are C with AVX2 / AVX-512 VNNI intrinsics (Sources/CKernels), chosen at run time.
public enum QuantizedMatvec {
    /// Whether `type` has an integer kernel against `QuantizedActivations`.
    public static func supports(_ type: GGMLType) -> Bool { type == .q4_1 || type == .q8_0 || type == .q4_0 }

    /// The instruction set in use ("avx512vnni", "avx2" or "scalar").
    public static var instructionSet: String { String(cString: tb_kernels_isa()) }

    /// y[r] = row r of the matrix · x for r in `rows`. `weights` points at row 0; rows are
    /// `rowBytes` apart and `columns` (a multiple of 32) wide; `x` was quantized from `columns` floats.
    @inline(__always)
    public static func rows(_ type: GGMLType, weights: UnsafeRawPointer, rowBytes: Int, columns: Int, _ rows: Range<Int>,
                            x: QuantizedActivations, into y: UnsafeMutablePointer<Float>) {
        let w = weights + rows.lowerBound * rowBytes
        let n = Int32(rows.count), blocks = Int32(columns / 32), out = y + rows.lowerBound
        switch type {
        case .q4_1: tb_matvec_q4_1(w, rowBytes, n, blocks, x.values, x.scales, x.sums, out)
        case .q4_0: tb_matvec_q4_0(w, rowBytes, n, blocks, x.values, x.scales, x.sums, out)
        case .q8_0: tb_matvec_q8_0(w, rowBytes, n, blocks, x.values, x.scales, x.sums, out)
        default: preconditionFailure("no integer kernel for \(type)")
        }
    }
}
