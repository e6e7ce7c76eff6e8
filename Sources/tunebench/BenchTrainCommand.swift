import ArgumentParser
import Engine
import Foundation

/// Times the LoRA training step (forward, backward and an AdamW update, as PyTorch's side of
/// bench/peft_train_speed.py does) on random tokens.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Benchmark the LoRA training step (forward, backward, AdamW): tokens/s and peak memory.",
        discussion: ExitStatus.discussion("Random tokens, every one trained. The first step is a warm-up and is not timed."))

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Tokens per row.") var seq: Int = 256
    @Option(help: "Rows per batch.") var batch: Int = 4
    @Option(name: .customLong("rank"), help: "LoRA rank.") var rank: Int = 16
    @Option(help: "LoRA alpha.") var alpha: Float = 32
    @Option(help: "LoRA dropout.") var dropout: Float = 0.05
    @Option(help: "Adapted projections, comma-separated (q,k,v,o,gate,up,down).") var targets: String = "q,k,v,o"
    @Option(help: "Timed steps.") var steps: Int = 3
    @Flag(help: "Hold the frozen base in f32 instead of dequantizing each matrix before use.") var dequantizeBase = false
    @Flag(help: "Print where the timed steps' wall-clock time goes, phase by phase.") var profile = false

    func validate() throws {
        guard seq >= 2, batch >= 1, steps >= 1 else { throw ValidationError("--seq must be at least 2, --batch and --steps at least 1") }
        for name in targets.split(separator: ",") where LoRATarget(name: String(name)) == nil {
            throw ValidationError("unknown LoRA target '\(name)' (use q, k, v, o, gate, up, down)")
        }
    }

    func run() throws {
        let model = try LlamaModel(path: modelOptions.modelURL.path)
        let lora = LoRAConfig(rank: rank, alpha: alpha, dropout: dropout,
                              targets: targets.split(separator: ",").compactMap { LoRATarget(name: String($0)) })
        var adapter = LoRAAdapter(config: lora, model: model.config, seed: 1)
        var optimizer = AdamW(parameterCount: adapter.layout.parameterCount)
        let graph: TrainingGraph
        do {
            graph = try TrainingGraph(model: model, lora: lora, batch: batch, sequence: seq, threads: modelOptions.threads,
                                      dequantizeBase: dequantizeBase)
        } catch { throw CLIError(error.description) }
        var rng = SplitMix64(seed: 7)
        let count = batch * seq
        let mask = [UInt8](repeating: 1, count: count)
        let positions = (0..<batch).flatMap { _ in TrainingGraph.positions(sequence: seq, segmentStarts: [0]) }
        var gradients = [Float](repeating: 0, count: adapter.layout.parameterCount)
        print("model \(model.path)\nbatch \(batch) × seq \(seq), LoRA r=\(rank) on \(lora.targets.map(\.rawValue).joined(separator: ",")), "
              + "\(adapter.layout.parameterCount) trainable parameters, \(modelOptions.threads) threads, base \(dequantizeBase ? "f32" : "quantized")")
        var timed = 0.0, tokens = 0
        let phases = TrainingProfile()
        for step in 0...steps {
            let batchTokens = (0..<count).map { _ in Int32(rng.next() % UInt64(model.config.vocabularySize)) }
            if profile && step == 1 { graph.profile = phases }
            let start = Date()
            let result = try adapter.parameters.withUnsafeBufferPointer { p in
                try gradients.withUnsafeMutableBufferPointer { g in
                    do {
                        return try graph.lossAndGradients(tokens: batchTokens, lossMask: mask, positions: positions, parameters: p,
                                                          gradients: g, dropoutSeed: UInt64(step))
                    } catch { throw CLIError("\(error)") }
                }
            }
            optimizer.update(&adapter.parameters, gradients: gradients, lr: 1e-4)
            for i in gradients.indices { gradients[i] = 0 }
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "step %d: loss %.4f, %.2f s, %.1f tokens/s%@", step, result.lossSum / Double(result.predictedTokens),
                         seconds, Double(count) / seconds, step == 0 ? " (warm-up)" : ""))
            if step > 0 { timed += seconds; tokens += count }
        }
        if profile {
            print("where the timed steps' time goes (wall clock, per step):")
            let total = phases.seconds.values.reduce(0, +)
            for phase in TrainingProfile.Phase.allCases {
                let s = (phases.seconds[phase] ?? 0) / Double(steps)
                print("  " + phase.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0)
                      + String(format: " %7.3f s  %5.1f%%", s, 100 * s / (timed / Double(steps))))
            }
            print("  " + "other".padding(toLength: 32, withPad: " ", startingAt: 0)
                  + String(format: " %7.3f s  %5.1f%%", (timed - total) / Double(steps), 100 * (timed - total) / timed))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "training tokens/s: %.1f\npeak RSS: %.0f MiB", Double(tokens) / timed, Double(usage.ru_maxrss) / 1024))
    }
}
