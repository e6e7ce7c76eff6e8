import ArgumentParser
import Engine
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fold a LoRA adapter into its base model and write a standalone GGUF.",
        discussion: ExitStatus.discussion("""
            Every adapted weight becomes W + scale·B·A. --adapter takes a GGUF LoRA file, a PEFT \
            folder (adapter_config.json + adapter_model.safetensors), a checkpoint folder, or a run \
            folder (its best checkpoint by eval loss, else its last, as in generate and chat; the \
            one taken is printed). By default merged weights keep their type \
            (K-quant weights, which cannot be re-quantized here, become F16); other tensors are copied.
            """))

    @Option(name: .shortAndLong, help: "The base model: a .gguf path or a file name in the model cache (default: \(ModelCache.defaultModelFile)).")
    var model: String?
    @Option(help: ArgumentHelp(AdapterOptions.help)) var adapter: String
    @Option(name: .shortAndLong, help: "Where to write the merged .gguf.") var out: String
    @Option(help: "Type of the merged weights: original, f16 or f32.") var type: String = "original"
    /// Deprecated, accepted so that old scripts still run: a run folder's best checkpoint is the default now.
    @Flag(help: .hidden) var best = false

    func validate() throws {
        guard LoRAMerge.OutputType(rawValue: type.lowercased()) != nil else {
            throw ValidationError("--type must be original, f16 or f32, not \(type)")
        }
    }

    func run() throws {
        let modelURL = ModelCache.resolve(model)
        guard FileManager.default.fileExists(atPath: modelURL.path) else { throw CLIError("no model at \(modelURL.path)") }
        guard URL(fileURLWithPath: out).standardizedFileURL != modelURL.standardizedFileURL else {
            throw CLIError("--out must differ from the base model")
        }
        let base = try GGUFFile(path: modelURL.path)
        let config = try LlamaConfig(gguf: base)
        if best { printError("tunebench merge: --best is the default now and does nothing; leave it out") }
        let lora = try loadAdapter(adapter, for: config)
        let start = Date()
        let (writer, merged) = try LoRAMerge.merge(base: base, adapter: lora, outputType: LoRAMerge.OutputType(rawValue: type.lowercased())!)
        try writer.write(to: out)
        let changed = merged.filter { $0.from != $0.to }
        print("merged \(merged.count) weights (rank \(lora.config.rank), scale \(lora.config.scale)) into \(out)")
        if !changed.isEmpty {
            let kinds = Set(changed.map { "\($0.from.name) → \($0.to.name)" }).sorted().joined(separator: ", ")
            print("\(changed.count) of them changed type: \(kinds)")
        }
        printError(String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
}
