import Foundation

/// Hugging Face PEFT's LoRA layout for a LLaMA model: `adapter_config.json` and
/// `adapter_model.safetensors` with tensors named
/// `base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight` (r × in) and
/// `….lora_B.weight` (out × r), F32 — what `PeftModel.from_pretrained` loads.
///
/// Our adapters live in the GGUF model's layout, where the converter permuted the rows of Q and K
/// (`convert_hf_to_gguf.py`'s `permute`: within each head, the two RoPE halves are interleaved).
/// So B of q and k is un-permuted on export and permuted on import, exactly as
/// `convert_lora_to_gguf.py` permutes `lora_B`; A and the other projections are copied as they are.
public enum PEFTAdapter {
    public static let configFile = "adapter_config.json"
    public static let weightsFile = "adapter_model.safetensors"

    public static func tensorName(layer: Int, target: LoRATarget, matrix: String) -> String {
        "base_model.model.model.layers.\(layer).\(target.peftModule).lora_\(matrix).weight"
    }

    /// Writes both files into `directory` (created when missing), each atomically.
    public static func save(_ adapter: LoRAAdapter, model: LlamaConfig, to directory: String, baseModel: String = "")
        throws(LoRAError)
    {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .badFile("cannot create \(directory): \(error.localizedDescription)")
        }
        var writer = SafetensorsWriter()
        writer.metadata = ["format": "pt"]
        let r = adapter.layout.rank
        for slot in adapter.layout.slots {
            try writer.add(tensorName(layer: slot.layer, target: slot.target, matrix: "A"), shape: [r, slot.inFeatures],
                           values: Array(adapter.parameters[slot.aOffset..<(slot.aOffset + r * slot.inFeatures)]))
            var b = Array(adapter.parameters[slot.bOffset..<(slot.bOffset + r * slot.outFeatures)])
            if let heads = ropeHeads(slot.target, model) {
                let gguf = b
                for row in 0..<slot.outFeatures {
                    let from = ggufRow(hfRow: row, rows: slot.outFeatures, heads: heads)
                    b.replaceSubrange(row * r..<(row + 1) * r, with: gguf[from * r..<(from + 1) * r])
                }
            }
            try writer.add(tensorName(layer: slot.layer, target: slot.target, matrix: "B"), shape: [slot.outFeatures, r], values: b)
        }
        let c = adapter.config
        let config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": c.rank, "lora_alpha": Double(c.alpha),
            "lora_dropout": Double(c.dropout), "target_modules": c.targets.map { String($0.peftModule.split(separator: ".").last!) },
            "use_rslora": c.useRSLoRA, "bias": "none", "fan_in_fan_out": false, "base_model_name_or_path": baseModel,
            "inference_mode": true, "init_lora_weights": true, "use_dora": false, "modules_to_save": NSNull(),
            "layers_to_transform": NSNull(), "layers_pattern": NSNull(), "rank_pattern": [String: Any](),
            "alpha_pattern": [String: Any](), "revision": NSNull(), "auto_mapping": NSNull(),
        ]
        guard let json = try? JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]) else {
            throw .badFile("cannot encode the adapter configuration")
        }
        do {
            try writer.write(to: directory + "/" + weightsFile)
            try AtomicFile.write([UInt8](json) + [10], to: directory + "/" + configFile)
        } catch { throw .badFile(error.description) }
    }

    /// Reads a PEFT LoRA adapter for a model of shape `model`, checking every tensor's shape.
    public static func load(from directory: String, model: LlamaConfig) throws(LoRAError) -> LoRAAdapter {
        let configPath = directory + "/" + configFile
        guard let data = FileManager.default.contents(atPath: configPath),
              let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { throw .badFile("\(configPath) is missing or not JSON") }
        guard (json["peft_type"] as? String)?.uppercased() == "LORA" else {
            throw .badFile("\(configPath): peft_type is \(json["peft_type"] ?? "missing"), only LORA adapters are supported")
        }
        guard let rank = (json["r"] as? NSNumber)?.intValue, let alpha = (json["lora_alpha"] as? NSNumber)?.floatValue else {
            throw .badFile("\(configPath) lacks r or lora_alpha")
        }
        if (json["fan_in_fan_out"] as? Bool) == true { throw .badFile("\(configPath): fan_in_fan_out adapters (GPT-2 style) are not supported") }
        if (json["use_dora"] as? Bool) == true { throw .badFile("\(configPath): DoRA adapters are not supported") }
        if (json["lora_bias"] as? Bool) == true { throw .badFile("\(configPath): adapters with a LoRA bias are not supported") }
        if let bias = json["bias"] as? String, bias != "none" { throw .badFile("\(configPath): bias \"\(bias)\" is not supported, only \"none\"") }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let p = json[key] as? [String: Any], !p.isEmpty { throw .badFile("\(configPath): per-module \(key) is not supported") }
        }
        let modules: [String]
        if let list = json["target_modules"] as? [String] { modules = list } else if let one = json["target_modules"] as? String {
            modules = [one]
        } else { throw .badFile("\(configPath) lacks target_modules") }
        var targets: [LoRATarget] = []
        for m in modules {
            guard let t = LoRATarget(name: m) else { throw .badFile("\(configPath): target module \(m) is not a LLaMA projection") }
            targets.append(t)
        }
        let config = LoRAConfig(rank: rank, alpha: alpha, dropout: (json["lora_dropout"] as? NSNumber)?.floatValue ?? 0,
                                targets: targets, useRSLoRA: (json["use_rslora"] as? Bool) ?? false)
        try config.validate()
        let file = try SafetensorsFile(path: directory + "/" + weightsFile)
        let layout = LoRALayout(config: config, model: model)
        var parameters = [Float](repeating: 0, count: layout.parameterCount)
        for slot in layout.slots {
            for (matrix, offset, shape) in [("A", slot.aOffset, [rank, slot.inFeatures]), ("B", slot.bOffset, [slot.outFeatures, rank])] {
                let name = tensorName(layer: slot.layer, target: slot.target, matrix: matrix)
                guard let info = file.tensor(name) ?? file.tensor(name.replacingOccurrences(of: ".weight", with: ".default.weight")) else {
                    throw .mismatch("the adapter has no \(name); it was trained for another model or other layers")
                }
                guard info.shape == shape else {
                    throw .mismatch("\(name) has shape \(info.shape), this model needs \(shape); was the adapter trained on another base model?")
                }
                let values = try file.floats(info.name)
                if matrix == "B", let heads = ropeHeads(slot.target, model) {
                    for row in 0..<slot.outFeatures {
                        let to = offset + ggufRow(hfRow: row, rows: slot.outFeatures, heads: heads) * rank
                        parameters.replaceSubrange(to..<(to + rank), with: values[row * rank..<(row + 1) * rank])
                    }
                } else {
                    parameters.replaceSubrange(offset..<(offset + values.count), with: values)
                }
            }
        }
        return try LoRAAdapter(config: config, model: model, parameters: parameters)
    }

    /// Heads whose rows the GGUF converter permuted for this projection (q: all heads, k: the
    /// key/value heads), or nil when its rows are in Hugging Face order.
    static func ropeHeads(_ target: LoRATarget, _ model: LlamaConfig) -> Int? {
        switch target {
        case .query: model.headCount
        case .key: model.kvHeadCount
        default: nil
        }
    }

    /// Where Hugging Face row `hfRow` of a q/k projection sits in the GGUF weight: within each head
    /// of size d, HF holds [2][d/2] (two RoPE halves), GGUF holds [d/2][2] (pairs adjacent).
    static func ggufRow(hfRow: Int, rows: Int, heads: Int) -> Int {
        let d = rows / heads, half = d / 2
        let head = hfRow / d, within = hfRow % d
        return head * d + 2 * (within % half) + within / half
    }
}
