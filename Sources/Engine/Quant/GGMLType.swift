/// The tensor element types of GGML / GGUF, with the ids a GGUF file stores
/// (`ggml_type` in ggml.h; `GGMLQuantizationType` in gguf-py's constants.py).
///
/// Ids that ggml retired (4, 5, 31–33, 36–38) are absent, so `GGMLType(rawValue:)` answers nil
/// for them as for any unknown id.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_XXS = 16
    case iq2_XS = 17
    case iq3_XXS = 18
    case iq1_S = 19
    case iq4_NL = 20
    case iq3_S = 21
    case iq2_S = 22
    case iq4_XS = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_M = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39
    case nvfp4 = 40
    case q1_0 = 41

    /// Super-block size of the K-quants and most IQ formats (`QK_K`).
    static let qk_K = 256

    /// Elements per block.
    public var blockSize: Int { Self.layout(self).elements }

    /// Bytes per block.
    public var typeSize: Int { Self.layout(self).bytes }

    /// The name ggml and gguf-py use ("Q4_K", "BF16", …).
    public var name: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        case .iq2_XXS: "IQ2_XXS"
        case .iq2_XS: "IQ2_XS"
        case .iq3_XXS: "IQ3_XXS"
        case .iq1_S: "IQ1_S"
        case .iq4_NL: "IQ4_NL"
        case .iq3_S: "IQ3_S"
        case .iq2_S: "IQ2_S"
        case .iq4_XS: "IQ4_XS"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .f64: "F64"
        case .iq1_M: "IQ1_M"
        case .bf16: "BF16"
        case .tq1_0: "TQ1_0"
        case .tq2_0: "TQ2_0"
        case .mxfp4: "MXFP4"
        case .nvfp4: "NVFP4"
        case .q1_0: "Q1_0"
        }
    }

    /// Looks a type up by its ggml name ("q4_k" and "Q4_K" both work).
    public init?(name: String) {
        let upper = name.uppercased()
        guard let type = Self.allCases.first(where: { $0.name == upper }) else { return nil }
        self = type
    }

    /// Whether `dequantize`, `dot` and `matvec` handle this type.
    public var isSupported: Bool {
        switch self {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K:
            true
        default:
            false
        }
    }

    /// Whether `quantize` can produce this type.
    public var canQuantize: Bool {
        switch self {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q8_0: true
        default: false
        }
    }

    /// Bytes taken by `n` consecutive elements (one row of a tensor whose last dimension is `n`).
    /// Throws when `n` is negative or not a whole number of blocks.
    public func rowBytes(_ n: Int) throws(QuantError) -> Int {
        let layout = Self.layout(self)
        guard n >= 0, n % layout.elements == 0 else {
            throw .countNotMultipleOfBlock(type: self, count: n)
        }
        return n / layout.elements * layout.bytes
    }

    /// (elements, bytes) per block, from GGML_QUANT_SIZES in gguf-py's constants.py.
    private static func layout(_ type: GGMLType) -> (elements: Int, bytes: Int) {
        let k = qk_K
        return switch type {
        case .f32: (1, 4)
        case .f16: (1, 2)
        case .q4_0: (32, 2 + 16)
        case .q4_1: (32, 2 + 2 + 16)
        case .q5_0: (32, 2 + 4 + 16)
        case .q5_1: (32, 2 + 2 + 4 + 16)
        case .q8_0: (32, 2 + 32)
        case .q8_1: (32, 4 + 4 + 32)
        case .q2_K: (k, 2 + 2 + k / 16 + k / 4)
        case .q3_K: (k, 2 + k / 4 + k / 8 + 12)
        case .q4_K: (k, 2 + 2 + k / 2 + 12)
        case .q5_K: (k, 2 + 2 + k / 2 + k / 8 + 12)
        case .q6_K: (k, 2 + k / 2 + k / 4 + k / 16)
        case .q8_K: (k, 4 + k + k / 8)
        case .iq2_XXS: (k, 2 + k / 4)
        case .iq2_XS: (k, 2 + k / 4 + k / 32)
        case .iq3_XXS: (k, 2 + k / 4 + k / 8)
        case .iq1_S: (k, 2 + k / 8 + k / 16)
        case .iq4_NL: (32, 2 + 16)
        case .iq3_S: (k, 2 + k / 4 + k / 8 + k / 32 + 4)
        case .iq2_S: (k, 2 + k / 4 + k / 16)
        case .iq4_XS: (k, 2 + 2 + k / 2 + k / 64)
        case .i8: (1, 1)
        case .i16: (1, 2)
        case .i32: (1, 4)
        case .i64: (1, 8)
        case .f64: (1, 8)
        case .iq1_M: (k, k / 8 + k / 16 + k / 32)
        case .bf16: (1, 2)
        case .tq1_0: (k, 2 + 4 * 13)
        case .tq2_0: (k, 2 + 64)
        case .mxfp4: (32, 1 + 16)
        case .nvfp4: (64, 4 + 32)
        case .q1_0: (128, 2 + 16)
        }
    }
}

extension GGMLType: CustomStringConvertible {
    public var description: String { name }
}
