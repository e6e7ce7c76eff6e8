import Foundation

/// Folds an adapter into its base model: every adapted weight becomes `W + scale · B · A`, stored
/// as F16, F32 or its original type (re-quantized with the block quantizers; types they cannot
/// produce, the K-quants, fall back to F16). Other tensors and all metadata are copied.
public enum LoRAMerge {
    public enum OutputType: String, Sendable, CaseIterable {
        case original, f16, f32
    }

    /// One adapted tensor and the type it was written as.
    public struct MergedTensor: Sendable, Equatable {
        public var name: String
        public var from: GGMLType
        public var to: GGMLType
    }

    /// The merged model as a writer (call `write(to:)`), and what was merged.
    public static func merge(base: GGUFFile, adapter: LoRAAdapter, outputType: OutputType = .original)
        throws -> (GGUFWriter, [MergedTensor])
    {
        let model = try LlamaConfig(gguf: base)
        guard LoRALayout(config: adapter.config, model: model) == adapter.layout else {
            throw LoRAError.mismatch("the adapter was made for a model of another shape")
        }
        var writer = GGUFWriter(copying: base)
        var merged: [MergedTensor] = []
        for slot in adapter.layout.slots {
            let name = "blk.\(slot.layer).\(slot.target.ggufStem).weight"
            guard let index = writer.tensors.firstIndex(where: { $0.name == name }), let source = base.tensor(name) else {
                throw LoRAError.mismatch("the base model has no tensor \(name)")
            }
            guard source.dimensions == [slot.inFeatures, slot.outFeatures] else {
                throw LoRAError.mismatch("\(name) has dims \(source.dimensions), the adapter expects [\(slot.inFeatures), \(slot.outFeatures)]")
            }
            guard source.type.isSupported else { throw LoRAError.badFile("\(name) has type \(source.type.name), which cannot be read") }
            var weight = [Float](repeating: 0, count: source.elementCount)
            weight.withUnsafeMutableBufferPointer { w in
                dequantize(source.type, base.data(of: source).baseAddress!, into: w.baseAddress!, count: source.elementCount)
            }
            adapter.addDelta(slot, to: &weight)
            let type: GGMLType = switch outputType {
            case .f16: .f16
            case .f32: .f32
            case .original: source.type.canQuantize ? source.type : .f16
            }
            var bytes = [UInt8](repeating: 0, count: try type.rowBytes(weight.count))
            try weight.withUnsafeBufferPointer { w in
                try bytes.withUnsafeMutableBytes { b in try quantize(type, w.baseAddress!, into: b.baseAddress!, count: w.count) }
            }
            writer.tensors[index] = .init(name: name, type: type, dimensions: source.dimensions, data: bytes)
            merged.append(MergedTensor(name: name, from: source.type, to: type))
        }
        return (writer, merged)
    }
}
