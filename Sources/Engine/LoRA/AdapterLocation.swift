import Foundation

extension LoRAAdapter {
    /// Loads an adapter from any place a user may point at: a GGUF LoRA file, a PEFT folder
    /// (`adapter_config.json` + `adapter_model.safetensors`), a checkpoint folder holding
    /// `adapter/`, or a run folder (its `last` checkpoint; `best` when `preferBest`).
    public static func load(path: String, model: LlamaConfig, preferBest: Bool = false) throws -> LoRAAdapter {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw LoRAError.badFile("no adapter at \(path)") }
        if !isDirectory.boolValue {
            return try GGUFAdapter.load(try GGUFFile(path: path), model: model)
        }
        for candidate in [path, path + "/adapter", path + (preferBest ? "/best/adapter" : "/last/adapter"), path + "/last/adapter"]
        where fm.fileExists(atPath: candidate + "/" + PEFTAdapter.configFile) {
            return try PEFTAdapter.load(from: candidate, model: model)
        }
        throw LoRAError.badFile("\(path) holds no adapter: expected a .gguf LoRA file, a PEFT folder with \(PEFTAdapter.configFile), or a run folder with checkpoints")
    }
}
