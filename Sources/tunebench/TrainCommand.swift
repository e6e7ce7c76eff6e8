import ArgumentParser
import Engine
import Foundation
import Pipeline
import Workspace

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a LoRA adapter on a prepared dataset.",
        discussion: ExitStatus.discussion("""
            Settings come from the workspace's tunebench.toml (the current folder's, or --workspace) and \
            are overridden by flags. The run folder gets config.json, metrics.jsonl (one JSON object per \
            step), checkpoints (checkpoint-N/, with last and best links) and, in each checkpoint, the \
            adapter in PEFT layout and as a GGUF LoRA adapter. Ctrl-C finishes the current step, saves a \
            checkpoint and exits (status 130); --resume continues from the last checkpoint.
            """))

    @Option(help: "Workspace folder whose tunebench.toml gives the defaults.") var workspace: String?
    @Option(help: "Prepared dataset folder (tunebench prepare).") var dataset: String?
    @Option(name: .shortAndLong, help: "Base model: a .gguf path or a cached file name.") var model: String?
    @Option(help: "Run folder.") var out: String?
    @Option(help: "CPU threads.") var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Option(help: "LoRA rank.") var loraR: Int?
    @Option(help: "LoRA alpha.") var loraAlpha: Float?
    @Option(help: "LoRA dropout.") var loraDropout: Float?
    @Option(help: "Adapted projections, comma-separated: q,k,v,o,gate,up,down.") var loraTargets: String?
    @Flag(help: "Scale by alpha/√r (rsLoRA) instead of alpha/r.") var rslora = false

    @Option(help: "Peak learning rate.") var learningRate: Double?
    @Option(help: "Schedule after warm-up: linear, cosine or constant.") var schedule: String?
    @Option(help: "Warm-up steps.") var warmupSteps: Int?
    @Option(help: "AdamW weight decay.") var weightDecay: Double?
    @Option(help: "Windows per micro-batch.") var batchSize: Int?
    @Option(help: "Micro-batches per optimizer step.") var gradAccumulation: Int?
    @Option(help: "Clip gradients to this global norm (0: no clipping).") var maxGradNorm: Double?
    @Option(help: "Epochs over the training split.") var epochs: Int?
    @Option(help: "Stop after this many optimizer steps.") var maxSteps: Int?
    @Option(help: "Seed for data order, dropout and the adapter's initialisation.") var seed: UInt64?
    @Option(help: "Evaluate on the test split every N steps (0: never).") var evalEvery: Int?
    @Option(help: "Write a checkpoint every N steps (0: only at the end).") var saveEvery: Int?
    @Option(help: "Stop when the eval loss has not improved for N evaluations (0: never).") var patience: Int?
    @Option(help: "Generate from --sample-prompt every N steps.") var sampleEvery: Int?
    @Option(help: "The text the samples continue (default: the opening of the first test window).") var samplePrompt: String?
    @Flag(help: "Hold the frozen base in f32 (faster, more memory) instead of dequantizing each matrix when used.") var dequantizeBase = false
    @Option(help: ArgumentHelp("Requantize the frozen base at load: nf4 (QLoRA's 4-bit NormalFloat, 64-weight blocks), q8_0 or q4_0.",
                               discussion: "Only the layers' q, k, v, o, gate, up and down projections are requantized; the token embedding and the output head stay as the model file stores them. Default: the model file's own format.",
                               valueName: "nf4|q8_0|q4_0")) var baseQuant: String?
    @Flag(help: "Continue the run in --out from its last checkpoint.") var resume = false
    @Flag(help: "With --resume: continue even with settings other than the run's (recorded in its config.json's history).")
    var forceSettings = false
    @Option(help: ArgumentHelp("Write the freshly initialised adapter here, in PEFT layout, before step 1.",
                               discussion: "With the order file, a peer trainer (bench/peft_train_steps.py) can repeat the run from the same start on the same batches.",
                               valueName: "dir")) var exportInitialAdapter: String?
    @Option(help: ArgumentHelp("Write the run's batches here before step 1: a JSON list with, for each optimizer step, the train-split window indices it uses, in order.",
                               valueName: "file")) var exportOrder: String?

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
        if let loraTargets {
            for name in loraTargets.split(separator: ",") where LoRATarget(name: String(name)) == nil {
                throw ValidationError("unknown LoRA target '\(name)' (use q, k, v, o, gate, up, down)")
            }
        }
        if let schedule, LRSchedule(rawValue: schedule) == nil {
            throw ValidationError("unknown schedule '\(schedule)' (use linear, cosine or constant)")
        }
        if let baseQuant, !baseQuant.isEmpty, BaseQuantization(rawValue: baseQuant) == nil {
            throw ValidationError("unknown --base-quant '\(baseQuant)' (use nf4, q8_0 or q4_0)")
        }
    }

    /// The job: the workspace's settings (a fresh workspace's when there is none) with the flags
    /// applied on top, through the same builder as the Train pane.
    func spec() throws -> FineTuneSpec {
        // The workspace: --workspace, else the current folder when it has a tunebench.toml.
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let folder = workspace.map { URL(fileURLWithPath: $0) }
            ?? (FileManager.default.fileExists(atPath: cwd.appendingPathComponent(Workspace.fileName).path) ? cwd : nil)
        var ws = try folder.map { try Workspace.open(at: $0) } ?? Workspace(directory: cwd, settings: WorkspaceSettings())
        for warning in ws.warnings { printError("tunebench train: warning: \(warning)") }
        try apply(to: &ws.settings, cwd: cwd)
        do {
            return try FineTuneSpec(workspace: ws, runDirectory: out.map { URL(fileURLWithPath: $0).standardizedFileURL },
                                    resume: resume, threads: threads)
        } catch { throw CLIError(error.description) }
    }

    /// The flags given, over `settings`. Paths on the command line are relative to the current folder.
    func apply(to settings: inout WorkspaceSettings, cwd: URL) throws {
        if let model {
            let local = cwd.appendingPathComponent(model).standardizedFileURL
            settings.model.path = model.hasPrefix("/") ? model : FileManager.default.fileExists(atPath: local.path) ? local.path : model
        }
        if let dataset { settings.dataset.output = URL(fileURLWithPath: dataset, relativeTo: cwd).standardizedFileURL.path }
        var s = settings
        if let loraR { s.lora.rank = loraR }
        if let loraAlpha { s.lora.alpha = loraAlpha }
        if let loraDropout { s.lora.dropout = loraDropout }
        if let loraTargets { s.lora.targets = LoRATarget.allCases.filter(loraTargets.split(separator: ",").compactMap { LoRATarget(name: String($0)) }.contains) }
        if rslora { s.lora.useRSLoRA = true }
        var t = s.training
        if let learningRate { t.learningRate = learningRate }
        if let schedule, let value = LRSchedule(rawValue: schedule) { t.schedule = value }
        if let warmupSteps { t.warmupSteps = warmupSteps }
        if let weightDecay { t.weightDecay = weightDecay }
        if let batchSize { t.batchSize = batchSize }
        if let gradAccumulation { t.gradientAccumulation = gradAccumulation }
        if let maxGradNorm { t.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil }
        if let epochs { t.epochs = epochs }
        if let maxSteps { t.maxSteps = maxSteps > 0 ? maxSteps : nil }
        if let seed { t.seed = seed }
        if let evalEvery { t.evalEvery = evalEvery }
        if let saveEvery { t.saveEvery = saveEvery }
        if let patience { t.earlyStoppingPatience = patience > 0 ? patience : nil }
        if let sampleEvery { t.sampleEvery = sampleEvery }
        if let samplePrompt { t.samplePrompt = samplePrompt }
        // An empty --base-quant keeps the model file's format even when the workspace names one.
        if let baseQuant { t.baseQuant = BaseQuantization(rawValue: baseQuant) }
        s.training = t
        for section in ["lora", "training"] {
            do { try s.validate(section: section) } catch { throw ValidationError(error.description) }
        }
        settings = s
    }

    func run() throws {
        var spec = try spec()
        spec.dequantizeBase = dequantizeBase
        spec.forceSettings = forceSettings
        let job: FineTuneJob
        do { job = try FineTuneJob(spec: spec) } catch { throw CLIError("\(error)") }
        say("run \(spec.runDirectory.path)")
        say("model \(spec.modelPath), dataset \(spec.datasetDirectory.path): \(job.dataset.train.count) train / \(job.dataset.test.count) test windows of \(job.dataset.manifest.contextLength) tokens")
        if let q = spec.training.baseQuant { say("base projections requantized to \(q.rawValue) (embedding and output head as stored)") }
        say("LoRA r=\(spec.lora.rank) alpha=\(spec.lora.alpha)\(spec.lora.useRSLoRA ? " (rsLoRA)" : "") dropout \(spec.lora.dropout) on \(spec.lora.targets.map(\.rawValue).joined(separator: ",")); \(job.trainer.totalSteps) steps")
        say(job.trainableParameters)
        do {
            if let exportInitialAdapter {
                try PEFTAdapter.save(try job.adapter, model: job.model.config, to: exportInitialAdapter,
                                     baseModel: URL(fileURLWithPath: spec.modelPath).lastPathComponent)
                say("initial adapter written to \(exportInitialAdapter)")
            }
            if let exportOrder {
                let steps = job.trainer.plannedSteps().map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
                try AtomicFile.write(Array(("[\n" + steps.joined(separator: ",\n") + "\n]\n").utf8), to: exportOrder)
                say("order of \(steps.count) steps written to \(exportOrder)")
            }
        } catch { throw CLIError("\(error)") }
        Interrupt.installForTraining()
        let summary: TrainingSummary
        do {
            summary = try job.run { event in
                switch event {
                case .train(let m):
                    say(String(format: "step %d/%d  epoch %.2f  loss %.4f  lr %.3g  grad %.3f  %.0f tok/s  %.0fs",
                                 m.step, job.trainer.totalSteps, m.epoch, m.loss, m.learningRate, m.gradNorm, m.tokensPerSecond, m.elapsed))
                case .eval(let step, _, let loss, let isBest):
                    say(String(format: "eval at step %d: loss %.4f%@", step, loss, isBest ? " (best)" : ""))
                case .evalProgress:
                    break
                case .sample(let step, let text):
                    say("sample at step \(step): \(text.debugDescription)")
                case .save(let step, let directory, let isBest):
                    say("saved step \(step) to \(directory)\(isBest ? " (best)" : "")")
                case .finished(let step, let reason):
                    say("finished at step \(step): \(reason.rawValue)")
                }
                return Interrupt.requested.load(ordering: .relaxed) ? .stop : .more
            }
        } catch { throw CLIError("\(error)") }
        if let best = summary.bestEvalLoss, let step = summary.bestStep {
            say(String(format: "best eval loss %.4f at step %d", best, step))
        }
        // Saved and stopped by Ctrl-C: a script running `train && merge` must not go on as if it had finished.
        if Interrupt.requested.load(ordering: .relaxed) { throw ExitCode(ExitStatus.interrupted) }
    }
}

/// One line to standard output, unbuffered (progress must show as it happens, also in a pipe).
private func say(_ line: String) { writeOut(line + "\n") }
