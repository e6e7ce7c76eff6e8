/// What can go wrong when sizing, quantizing or dequantizing GGML blocks.
public enum QuantError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A row or buffer length that is not a whole number of blocks of `type`.
    case countNotMultipleOfBlock(type: GGMLType, count: Int)
    /// `quantize` was asked for a type it cannot produce.
    case cannotQuantize(GGMLType)
    /// A length that is not a whole number of NF4 blocks (64 weights).
    case countNotMultipleOfNF4Block(count: Int)

    public var description: String {
        switch self {
        case .countNotMultipleOfBlock(let type, let count):
            "\(count) elements is not a whole number of \(type.name) blocks "
                + "(\(type.blockSize) elements each); use a length that is a multiple of \(type.blockSize)"
        case .cannotQuantize(let type):
            "quantizing to \(type.name) is not supported; choose one of F32, F16, BF16, Q8_0, Q4_0, Q4_1"
        case .countNotMultipleOfNF4Block(let count):
            "\(count) weights is not a whole number of NF4 blocks (64 weights each)"
        }
    }
}
