/// Converts a GGUF model's weight matrices to another block format (`tunebench quantize`).
///
/// Every 2-D tensor whose rows are a whole number of target blocks is converted (token embedding and
/// output head included); 1-D tensors (norms) stay F32. Converting from an already-quantized type
/// dequantizes first and so compounds rounding: it is refused unless `allowRequantize` is set, as
/// llama.cpp's `llama-quantize --allow-requantize` does.
public enum ModelQuantizer {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unsupportedTarget(GGMLType)
        case requantize(tensor: String, from: GGMLType)
        case unsupportedSource(tensor: String, type: GGMLType)

        public var description: String {
            switch self {
            case .unsupportedTarget(let t):
                "cannot quantize to \(t.name); choose one of f32, f16, bf16, q8_0, q4_0, q4_1"
            case .requantize(let tensor, let from):
                "\(tensor) is already \(from.name); converting it again loses precision (pass --allow-requantize to do it anyway)"
            case .unsupportedSource(let tensor, let type):
                "\(tensor) is stored as \(type.name), which TuneBench cannot read"
            }
        }
    }

    /// llama.cpp's `general.file_type` (LLAMA_FTYPE_MOSTLY_*) for a whole-model type.
    public static func fileType(_ type: GGMLType) -> UInt32? {
        switch type {
        case .f32: 0
        case .f16: 1
        case .q4_0: 2
        case .q4_1: 3
        case .q8_0: 7
        case .bf16: 32
        default: nil
        }
    }

    /// The converted model, ready to write. `progress(done, total)` is called after each tensor.
    public static func convert(_ file: GGUFFile, to target: GGMLType, allowRequantize: Bool = false,
                               progress: (Int, Int) -> Void = { _, _ in }) throws(Failure) -> GGUFWriter {
        guard target.canQuantize, let fileType = fileType(target) else { throw .unsupportedTarget(target) }
        var writer = GGUFWriter()
        writer.metadata = file.metadata
        writer.alignment = file.alignment
        writer.set("general.file_type", .uint32(fileType))
        writer.set("general.quantization_version", .uint32(2))
        for (index, tensor) in file.tensors.enumerated() {
            let source = file.data(of: tensor)
            let convertible = tensor.dimensions.count == 2 && tensor.rowLength % target.blockSize == 0
            if !convertible || tensor.type == target {
                writer.tensors.append(.init(name: tensor.name, type: tensor.type, dimensions: tensor.dimensions, data: Array(source)))
            } else {
                guard tensor.type.isSupported else { throw .unsupportedSource(tensor: tensor.name, type: tensor.type) }
                let lossless: Set<GGMLType> = [.f32, .f16, .bf16]
                guard lossless.contains(tensor.type) || allowRequantize else { throw .requantize(tensor: tensor.name, from: tensor.type) }
                writer.tensors.append(.init(name: tensor.name, type: target, dimensions: tensor.dimensions,
                                            data: convertRows(source, from: tensor.type, to: target, rowLength: tensor.rowLength,
                                                              rows: tensor.rowCount)))
            }
            progress(index + 1, file.tensors.count)
        }
        return writer
    }

    /// Dequantizes and requantizes row by row, so the f32 scratch is one row, not the whole tensor.
    private static func convertRows(_ source: UnsafeRawBufferPointer, from: GGMLType, to target: GGMLType, rowLength: Int,
                                    rows: Int) -> [UInt8] {
        let sourceRowBytes = rowLength / from.blockSize * from.typeSize
        let targetRowBytes = rowLength / target.blockSize * target.typeSize
        var out = [UInt8](repeating: 0, count: rows * targetRowBytes)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rowLength)
        defer { scratch.deallocate() }
        out.withUnsafeMutableBytes { dst in
            for r in 0..<rows {
                dequantize(from, source.baseAddress! + r * sourceRowBytes, into: scratch, count: rowLength)
                // Cannot throw: the target can be quantized and rowLength is a whole number of blocks.
                try? quantize(target, scratch, into: dst.baseAddress! + r * targetRowBytes, count: rowLength)
            }
        }
        return out
    }
}
