import ArgumentParser
import Engine
import Foundation

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Convert a GGUF model's weight matrices to F32, F16, BF16, Q8_0, Q4_0 or Q4_1.",
        discussion: ExitStatus.discussion("""
            Every 2-D weight (token embedding and output head included) is converted; norms stay F32. \
            Converting an already-quantized model (for example the default Q4_1 one) compounds rounding and \
            needs --allow-requantize. Example: make an F16 model from the default one, then a Q8_0 from that:
              tunebench quantize --model SmolLM2-135M-Instruct.Q4_1.gguf --type f16 --allow-requantize --out smol-f16.gguf
              tunebench quantize --model smol-f16.gguf --type q8_0 --out smol-q8_0.gguf
            """))

    @Option(help: "The model to convert (path or cached name; default: the default model).") var model: String?
    @Option(help: "Target type: f32, f16, bf16, q8_0, q4_0, q4_1.") var type: String
    @Option(help: "Where to write the converted model.") var out: String
    @Flag(help: "Allow converting tensors that are already quantized.") var allowRequantize = false

    func run() throws {
        guard let target = GGMLType(name: type.lowercased()), target.canQuantize else {
            throw CLIError("unknown type '\(type)'; choose one of f32, f16, bf16, q8_0, q4_0, q4_1")
        }
        let url = ModelCache.resolve(model)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("no model at \(url.path)") }
        guard URL(fileURLWithPath: out).standardizedFileURL != url.standardizedFileURL else {
            throw CLIError("--out must differ from the input model")
        }
        let file = try GGUFFile(path: url.path)
        let start = Date()
        let progress = ProgressReport(label: "converting", total: file.tensors.count, unit: "tensors")
        defer { progress.finish() }
        let writer = try ModelQuantizer.convert(file, to: target, allowRequantize: allowRequantize) { done, _ in
            progress.update(done)
        }
        progress.finish()
        try writer.write(to: out)
        let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        printError(String(format: "wrote %@ (%@, %.1f MB) in %.1f s", out, target.name, Double(size) / 1e6, Date().timeIntervalSince(start)))
    }
}
