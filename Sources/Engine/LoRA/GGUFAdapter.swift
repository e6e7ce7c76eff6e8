import Foundation

/// llama.cpp's GGUF LoRA adapter (as `convert_lora_to_gguf.py` writes and `llama-adapter.cpp`
/// reads it): `general.type = "adapter"`, `adapter.type = "lora"`, `adapter.lora.alpha` (f32), the
/// base model's `general.architecture`, and per projection `blk.{i}.attn_q.weight.lora_a` with ggml
/// dims [in, r] and `….lora_b` with dims [r, out] — the same row-major bytes as PEFT's A (r × in)
/// and B (out × r).
///
/// llama.cpp always scales by alpha/r and has no rsLoRA flag, so an rsLoRA adapter is written
/// with `alpha · √r`, which gives the same scale.
public enum GGUFAdapter {
    public static func tensorName(layer: Int, target: LoRATarget, matrix: String) -> String {
        "blk.\(layer).\(target.ggufStem).weight.lora_\(matrix)"
    }

    /// The adapter as a GGUF file for a base model of the given architecture (e.g. "llama").
    public static func writer(for adapter: LoRAAdapter, architecture: String, name: String = "") -> GGUFWriter {
        let config = adapter.config.withRSLoRA(false)
        var w = GGUFWriter()
        w.set("general.architecture", .string(architecture))
        w.set("general.type", .string("adapter"))
        if !name.isEmpty { w.set("general.name", .string(name)) }
        w.set("adapter.type", .string("lora"))
        w.set("adapter.lora.alpha", .float32(config.alpha))
        let r = adapter.layout.rank
        for slot in adapter.layout.slots {
            let a = Array(adapter.parameters[slot.aOffset..<(slot.aOffset + r * slot.inFeatures)])
            let b = Array(adapter.parameters[slot.bOffset..<(slot.bOffset + r * slot.outFeatures)])
            w.tensors.append(.init(name: tensorName(layer: slot.layer, target: slot.target, matrix: "a"), type: .f32,
                                   dimensions: [slot.inFeatures, r], data: a.withUnsafeBytes { Array($0) }))
            w.tensors.append(.init(name: tensorName(layer: slot.layer, target: slot.target, matrix: "b"), type: .f32,
                                   dimensions: [r, slot.outFeatures], data: b.withUnsafeBytes { Array($0) }))
        }
        return w
    }

    public static func save(_ adapter: LoRAAdapter, architecture: String, to path: String) throws(GGUFError) {
        try writer(for: adapter, architecture: architecture).write(to: path)
    }

    /// Reads a GGUF LoRA adapter for a model of shape `model`. The result uses alpha/r scaling.
    public static func load(_ file: GGUFFile, model: LlamaConfig) throws(LoRAError) -> LoRAAdapter {
        guard file["general.type"]?.stringValue == "adapter", file["adapter.type"]?.stringValue == "lora" else {
            throw .badFile("\(file.file.path) is not a GGUF LoRA adapter (general.type/adapter.type)")
        }
        if let arch = file["general.architecture"]?.stringValue, arch != model.architecture {
            throw .mismatch("the adapter is for a \(arch) model, the base model is \(model.architecture)")
        }
        var targets: Set<LoRATarget> = []
        var rank: Int?
        for t in file.tensors where t.name.hasSuffix(".weight.lora_a") {
            let parts = t.name.split(separator: ".")
            guard parts.count == 5, parts[0] == "blk", let layer = Int(parts[1]), let target = LoRATarget(name: String(parts[2])) else {
                throw .badFile("\(file.file.path): unexpected adapter tensor \(t.name)")
            }
            guard layer < model.layerCount else {
                throw .mismatch("the adapter has a tensor for layer \(layer) (\(t.name)); the base model has \(model.layerCount) layers")
            }
            targets.insert(target)
            guard t.dimensions.count == 2 else { throw .badFile("\(t.name) is not a matrix") }
            if let r = rank, r != t.dimensions[1] { throw .badFile("\(file.file.path): adapter tensors have different ranks") }
            rank = t.dimensions[1]
        }
        guard let rank else { throw .badFile("\(file.file.path) holds no lora_a tensors") }
        // An absent alpha means "scale 1" to llama.cpp, i.e. alpha = r.
        let alpha = file["adapter.lora.alpha"]?.doubleValue.map(Float.init) ?? Float(rank)
        let config = LoRAConfig(rank: rank, alpha: alpha == 0 ? Float(rank) : alpha, dropout: 0,
                                targets: Array(targets), useRSLoRA: false)
        try config.validate()
        let layout = LoRALayout(config: config, model: model)
        var parameters = [Float](repeating: 0, count: layout.parameterCount)
        for slot in layout.slots {
            for (matrix, offset, dims) in [("a", slot.aOffset, [slot.inFeatures, rank]), ("b", slot.bOffset, [rank, slot.outFeatures])] {
                let name = tensorName(layer: slot.layer, target: slot.target, matrix: matrix)
                guard let t = file.tensor(name) else { throw .mismatch("the adapter has no \(name); it covers other layers than this model has") }
                guard t.dimensions == dims else { throw .mismatch("\(name) has dims \(t.dimensions), this model needs \(dims)") }
                guard t.type == .f32 || t.type == .f16 || t.type == .bf16 else {
                    throw .badFile("\(name) is \(t.type.name); F32, F16 and BF16 adapter tensors are supported")
                }
                let count = t.elementCount
                parameters.withUnsafeMutableBufferPointer { p in
                    dequantize(t.type, file.data(of: t).baseAddress!, into: p.baseAddress! + offset, count: count)
                }
            }
        }
        return try LoRAAdapter(config: config, model: model, parameters: parameters)
    }
}
