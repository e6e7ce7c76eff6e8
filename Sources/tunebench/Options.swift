import ArgumentParser
import Engine
import Foundation

/// `--model` and `--threads`, shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A .gguf path or a file name in the model cache (default: \(ModelCache.defaultModelFile)).")
    var model: String?

    @Option(help: "CPU threads for the forward pass.")
    var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    var modelURL: URL { ModelCache.resolve(model) }

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
    }

    /// Loads the model and its tokenizer, with a clear message when the file is missing.
    func load() throws -> (LlamaModel, Tokenizer) {
        let url = modelURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            if model == nil {
                throw CLIError("the default model is not cached at \(url.path); run scripts/fetch-model.sh (or ./scripts/run.sh) to download it")
            }
            throw CLIError("no model at \(url.path)")
        }
        let model = try LlamaModel(path: url.path)
        return (model, try Tokenizer(gguf: model.gguf))
    }
}

/// `--temperature`, `--top-k`, `--top-p`, `--min-p`, `--repeat-penalty`, `--seed`.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0.7
    @Option(help: "Keep the k most likely tokens (0: all).") var topK: Int = 40
    @Option(help: "Nucleus sampling: keep the smallest set with this much probability.") var topP: Float = 0.95
    @Option(help: "Drop tokens less likely than this fraction of the most likely one.") var minP: Float = 0.05
    @Option(help: "Penalty for tokens seen in the last 64 (1: none).") var repeatPenalty: Float = 1.0
    @Option(help: "Random seed.") var seed: UInt64 = 42

    func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more") }
        guard topK >= 0 else { throw ValidationError("--top-k must be 0 or more") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard minP >= 0, minP < 1 else { throw ValidationError("--min-p must be in [0, 1)") }
        guard repeatPenalty > 0 else { throw ValidationError("--repeat-penalty must be positive") }
    }

    var parameters: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = temperature
        p.topK = topK
        p.topP = topP
        p.minP = minP
        p.repetitionPenalty = repeatPenalty
        p.seed = seed
        return p
    }
}

/// An error shown to the user as one line, `tunebench <command>: error: <description>`, ending the
/// program with `exitCode` (1 unless the command documents another, as `extract` does).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32
    init(_ message: String, exitCode: Int32 = ExitStatus.failure) {
        description = message
        self.exitCode = exitCode
    }
}

/// Writes to standard error.
func printError(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write((text + terminator).data(using: .utf8)!)
}

/// Writes to standard output without buffering, for streamed text.
func writeOut(_ text: String) {
    guard !text.isEmpty else { return }
    FileHandle.standardOutput.write(text.data(using: .utf8)!)
}

/// `--adapter`: a LoRA adapter applied on top of the base model.
struct AdapterOptions: ParsableArguments {
    static let help = "A LoRA adapter: a run folder (its best checkpoint by eval loss, else its last), a checkpoint, a PEFT folder or a GGUF adapter."

    @Option(help: ArgumentHelp(help)) var adapter: String?

    /// The adapter for `model`, or nil when none was asked for.
    func load(for model: LlamaModel) throws -> LoRAAdapter? {
        try adapter.map { try loadAdapter($0, for: model.config) }
    }
}

/// The adapter `given` leads to (`AdapterLocation`), saying on standard error which one it took:
/// `adapter: runs/X/checkpoint-40 (best, eval loss 3.30)`.
func loadAdapter(_ given: String, for model: LlamaConfig) throws -> LoRAAdapter {
    do {
        let location = try AdapterLocation.resolve(given)
        printError("adapter: \(location)")
        return try LoRAAdapter.load(location, model: model)
    } catch { throw CLIError("\(error)") }
}
