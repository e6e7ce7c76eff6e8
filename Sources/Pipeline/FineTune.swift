import Corpus
import Engine
import Foundation
import Workspace

/// A fine-tuning run: which model, dataset and run folder, and every setting. Made from a workspace
/// by `init(workspace:…)`, which `tunebench train` (after applying its flags to the workspace's
/// settings) and the Train pane both call, so the two start the same job and `config.json` says so.
public struct FineTuneSpec: Sendable {
    public var modelPath: String
    public var datasetDirectory: URL
    public var runDirectory: URL
    public var lora: LoRAConfig
    public var training: TrainingSettings
    public var threads = 2
    /// Hold the frozen base in f32 instead of dequantizing each matrix when used (speed for memory;
    /// the numbers are the same).
    public var dequantizeBase = false
    public var resume = false
    /// With `resume`: continue even though the settings differ from the run's config.json (the
    /// change is recorded in its `history`).
    public var forceSettings = false
    /// Seed of the adapter's initial A matrices (the training seed).
    public var adapterSeed: UInt64

    public init(modelPath: String, datasetDirectory: URL, runDirectory: URL, lora: LoRAConfig = LoRAConfig(),
                training: TrainingSettings = .fineTuneDefaults) {
        self.modelPath = modelPath
        self.datasetDirectory = datasetDirectory
        self.runDirectory = runDirectory
        self.lora = lora
        self.training = training
        adapterSeed = training.seed
    }

    /// The run `workspace` describes: its model, its prepared dataset, its `[lora]` and
    /// `[training]` sections, in `runDirectory` (default: a new `runs/<date-time>` folder).
    public init(workspace: Workspace, runDirectory: URL? = nil, resume: Bool = false,
                threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) throws(FineTuneError) {
        let model = workspace.modelURL
        guard FileManager.default.fileExists(atPath: model.path) else {
            throw FineTuneError(workspace.settings.model.path == nil
                ? "the default model is not cached at \(model.path); run scripts/fetch-model.sh to download it"
                : "no model at \(model.path)")
        }
        let dataset = workspace.datasetURL
        guard FileManager.default.fileExists(atPath: dataset.appendingPathComponent(DatasetManifest.fileName).path) else {
            throw FineTuneError("no prepared dataset at \(dataset.path); prepare one first (tunebench prepare, or p in the Dataset pane)")
        }
        do {
            try workspace.settings.validate(section: "lora")
            try workspace.settings.validate(section: "training")
        } catch { throw FineTuneError(error.description) }
        self.init(modelPath: model.path, datasetDirectory: dataset,
                  runDirectory: runDirectory ?? Self.newRunDirectory(in: workspace.runsURL),
                  lora: workspace.settings.lora, training: workspace.settings.training)
        self.resume = resume
        self.threads = threads
    }

    /// The run recorded in `runDirectory`'s `config.json` (model, dataset, LoRA, every training
    /// setting, the adapter seed), set to resume from its `last` checkpoint: resuming uses the
    /// run's own settings, never the workspace's current ones.
    public init(recordedIn runDirectory: URL) throws(FineTuneError) {
        let path = runDirectory.appendingPathComponent("config.json")
        let recorded: RecordedRunConfig
        do { recorded = try JSONDecoder().decode(RecordedRunConfig.self, from: Data(contentsOf: path)) } catch {
            throw FineTuneError("cannot resume \(runDirectory.lastPathComponent): \(path.path) is unreadable (\(error))")
        }
        guard let model = recorded.model, let dataset = recorded.dataset, let lora = recorded.lora else {
            throw FineTuneError("cannot resume \(runDirectory.lastPathComponent): its config.json names no model, dataset or LoRA settings")
        }
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: runDirectory.appendingPathComponent("last").path)) != nil else {
            throw FineTuneError("cannot resume \(runDirectory.lastPathComponent): it has no checkpoint")
        }
        self.init(modelPath: model, datasetDirectory: URL(fileURLWithPath: dataset), runDirectory: runDirectory,
                  lora: lora, training: recorded.training)
        adapterSeed = recorded.adapterSeed ?? recorded.training.seed
        dequantizeBase = recorded.dequantizeBase ?? false
        resume = true
    }

    /// `runs/<yyyyMMdd-HHmmss>`, with `-2`, `-3`… when that folder exists already.
    public static func newRunDirectory(in runs: URL, now: Date = Date()) -> URL {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        let name = f.string(from: now)
        var candidate = runs.appendingPathComponent(name)
        var n = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = runs.appendingPathComponent("\(name)-\(n)")
            n += 1
        }
        return candidate
    }
}

public struct FineTuneError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A LoRA fine-tune of a GGUF model on a prepared dataset: the training graph, the trainer and the
/// run directory wired together. Construct it (which loads and checks everything), then `run`.
/// Not thread-safe; run it on one background thread.
public final class FineTuneJob {
    public let spec: FineTuneSpec
    public let model: LlamaModel
    public let tokenizer: Tokenizer
    public let dataset: PreparedDataset
    public let trainer: Trainer
    public let run: TrainingRun
    private let graph: TrainingGraph
    /// This process's hold on the run folder, for the job's lifetime.
    private let lock: RunLock
    private var parameters: [Float]

    public init(spec: FineTuneSpec) throws {
        self.spec = spec
        model = try LlamaModel(path: spec.modelPath)
        tokenizer = try Tokenizer(gguf: model.gguf)
        let identity = TokenizerIdentity(tokenizer: tokenizer, modelFile: URL(fileURLWithPath: spec.modelPath).lastPathComponent)
        dataset = try PreparedDataset(directory: spec.datasetDirectory, expectedTokenizer: identity)
        guard !dataset.train.isEmpty else { throw FineTuneError("the dataset at \(spec.datasetDirectory.path) has no training windows") }
        trainer = try Trainer(settings: spec.training, trainCount: dataset.train.count)
        graph = try TrainingGraph(model: model, lora: spec.lora, batch: spec.training.batchSize,
                                  sequence: dataset.manifest.contextLength, threads: spec.threads,
                                  dequantizeBase: spec.dequantizeBase, baseQuant: spec.training.baseQuant)
        parameters = LoRAAdapter(config: spec.lora, model: model.config, seed: spec.adapterSeed).parameters
        var run = try TrainingRun(directory: spec.runDirectory.path)
        lock = try RunLock(directory: spec.runDirectory.path)
        let lora = spec.lora, config = model.config, base = URL(fileURLWithPath: spec.modelPath).lastPathComponent
        let architecture = config.architecture
        run.exportAdapter = { parameters, directory in
            let adapter = try LoRAAdapter(config: lora, model: config, parameters: parameters)
            try PEFTAdapter.save(adapter, model: config, to: directory, baseModel: base)
            try GGUFAdapter.save(adapter, architecture: architecture, to: directory + "/adapter.gguf")
        }
        self.run = run
    }

    /// The tokens each sample continues: the sample prompt, or the opening of the first test
    /// (else train) window up to its first EOS; nil when there is nothing to start from.
    public var samplePrompt: [Int32]? {
        let text = spec.training.samplePrompt
        if !text.isEmpty { return tokenizer.encode(text) }
        guard let window = dataset.test.first ?? dataset.train.first else { return nil }
        var opening: [Int32] = []
        for (token, mask) in zip(window.tokens, window.mask).prefix(32) {
            if mask == TokenWindow.padding || token == tokenizer.eosID { break }
            opening.append(token)
        }
        return opening.isEmpty ? nil : opening
    }

    /// The adapter as it stands (the initial one before `run`, the trained one after).
    public var adapter: LoRAAdapter {
        get throws { try LoRAAdapter(config: spec.lora, model: model.config, parameters: parameters) }
    }

    /// PEFT's `print_trainable_parameters` line: trainable, all (base + adapter) and the share.
    public var trainableParameters: String {
        let trainable = parameters.count
        let base = model.gguf.tensors.reduce(0) { $0 + $1.elementCount }
        let all = base + trainable
        return "trainable params: \(grouped(trainable)) || all params: \(grouped(all)) || trainable%: "
            + String(format: "%.4f", 100 * Double(trainable) / Double(all))
    }

    /// Trains until the last step, early stopping or a `.stop` answer; checkpoints, metrics and
    /// adapters go to the run directory.
    @discardableResult
    public func run(progress: (TrainingEvent) -> TrainingProgress) throws -> TrainingSummary {
        let train = dataset.train, test = dataset.test
        let batch = graph.batch, sequence = graph.sequence, eos = tokenizer.eosID
        var tokens = [Int32](repeating: 0, count: batch * sequence)
        var mask = [UInt8](repeating: TokenWindow.padding, count: batch * sequence)
        var positions = [Int32](repeating: 0, count: batch * sequence)

        /// Lays windows into the batch buffers: rows past the windows are padding, positions
        /// restart after every EOS (each packed example attends only to itself).
        func fill(_ windows: [TokenWindow]) {
            for row in 0..<batch {
                let base = row * sequence
                if row < windows.count {
                    let w = windows[row]
                    var position: Int32 = 0
                    for t in 0..<sequence {
                        if t > 0, let eos, w.tokens[t - 1] == eos { position = 0 }
                        tokens[base + t] = w.tokens[t]
                        mask[base + t] = w.mask[t]
                        positions[base + t] = position
                        position += 1
                    }
                } else {
                    for t in 0..<sequence {
                        tokens[base + t] = 0
                        mask[base + t] = TokenWindow.padding
                        positions[base + t] = Int32(t)
                    }
                }
            }
        }

        let graph = graph
        let step: Trainer.StepFunction = { windows, parameters, gradients, rng in
            fill(windows.map { train[$0] })
            let seed = rng.next()
            let result = try parameters.withUnsafeBufferPointer { p in
                try gradients.withUnsafeMutableBufferPointer { g in
                    try graph.lossAndGradients(tokens: tokens, lossMask: mask, positions: positions, parameters: p,
                                               gradients: g, lossScale: 1, dropoutSeed: seed)
                }
            }
            return LossSum(lossSum: result.lossSum, tokens: result.predictedTokens)
        }
        let eval: Trainer.EvalFunction? = test.isEmpty ? nil : { parameters, batchDone in
            var sum = 0.0, count = 0, start = 0
            let batches = (test.count + batch - 1) / batch
            if batchDone(0, batches) == .stop { return nil }
            while start < test.count {
                let end = min(start + batch, test.count)
                fill((start..<end).map { test[$0] })
                let result = try parameters.withUnsafeBufferPointer { p in
                    try graph.loss(tokens: tokens, lossMask: mask, positions: positions, parameters: p)
                }
                sum += result.lossSum
                count += result.predictedTokens
                start = end
                if batchDone((start + batch - 1) / batch, batches) == .stop, start < test.count { return nil }
            }
            return LossSum(lossSum: sum, tokens: count)
        }
        let sample: (([Float]) throws -> String)? = spec.training.sampleEvery <= 0 ? nil : samplePrompt.map { prompt in
            { [model, tokenizer, spec] parameters in
                let adapter = try LoRAAdapter(config: spec.lora, model: model.config, parameters: parameters)
                let session = InferenceSession(model: model, contextLength: 512, threads: spec.threads, adapter: adapter)
                let generator = TextGenerator(session: session, tokenizer: tokenizer)
                var text = ""
                var greedy = SamplingParameters()
                greedy.temperature = 0
                _ = try generator.generate(prompt: prompt, maxTokens: spec.training.sampleTokens, sampling: greedy,
                                           stopStrings: [], shouldStop: { false }, emit: { text += $0 })
                return text
            }
        }
        // A run that starts afresh (no `last` checkpoint to resume) records its full settings; the
        // trainer keeps this config.json. A resumed run keeps the one it was started with.
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: run.lastPath)) == nil {
            try run.writeConfig(RunConfig(spec: spec, totalSteps: trainer.totalSteps))
        } else if spec.resume {
            try checkResumedSettings()
        }
        return try trainer.train(parameters: &parameters, run: run, resume: spec.resume, step: step, eval: eval,
                                 sample: sample, progress: progress)
    }

    /// The live process training the run in `directory` (the holder of its `RunLock`), if any.
    public static func trainingProcess(in directory: URL) -> Int32? { RunLock.holder(of: directory.path) }

    private func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}

extension FineTuneJob {
    /// A resumed run must go on with the settings it was started with: a different rank on other
    /// targets would load the saved numbers into the wrong matrices, a new learning rate or dataset
    /// would change the run silently. Refuses, naming each difference, unless `forceSettings`; then
    /// the differences are appended to config.json's `history` and the new settings recorded.
    func checkResumedSettings() throws {
        let saved = (try? Data(contentsOf: URL(fileURLWithPath: run.configPath)))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        let requested = try JSONSerialization.jsonObject(with: JSONEncoder().encode(RunConfig(spec: spec, totalSteps: trainer.totalSteps))) as? [String: Any] ?? [:]
        // dequantizeBase trades memory for speed (same numbers); totalSteps follows from the others.
        let ignored: Set<String> = ["history", "dequantizeBase", "totalSteps"]
        let old = Self.flatten(saved).filter { !ignored.contains($0.key) }
        let new = Self.flatten(requested).filter { !ignored.contains($0.key) }
        let changes = Set(old.keys).union(new.keys).sorted().compactMap { key -> String? in
            let a = old[key] ?? "unset", b = new[key] ?? "unset"
            return a == b ? nil : "\(key) \(a) → \(b)"
        }
        guard !changes.isEmpty else { return }
        guard spec.forceSettings else {
            throw FineTuneError("--resume with other settings than the run was started with: \(changes.joined(separator: ", ")); "
                + "use the same settings, or add --force-settings to continue with the new ones")
        }
        var history = saved["history"] as? [[String: Any]] ?? []
        let step = (try? run.loadLast())??.state.step ?? 0
        history.append(["atStep": step, "changed": changes])
        var config = requested
        config["history"] = history
        let json = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write([UInt8](json) + [UInt8(ascii: "\n")], to: run.configPath)
    }

    /// `lora.rank`-style keys with each value's JSON text.
    static func flatten(_ object: [String: Any], prefix: String = "") -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object {
            if let nested = value as? [String: Any] {
                out.merge(flatten(nested, prefix: prefix + key + ".")) { a, _ in a }
            } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) {
                out[prefix + key] = String(decoding: data, as: UTF8.self)
            }
        }
        return out
        return out
    }
}

/// A `config.json` read back: what `RunConfig` writes (a trainer-only run lacks the job's fields).
struct RecordedRunConfig: Decodable {
    var training: TrainingSettings
    var model: String?
    var dataset: String?
    var lora: LoRAConfig?
    var adapterSeed: UInt64?
    var dequantizeBase: Bool?

    init(from decoder: Decoder) throws {
        training = try TrainingSettings(from: decoder)
        let c = try decoder.container(keyedBy: RunConfig.Keys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        dataset = try c.decodeIfPresent(String.self, forKey: .dataset)
        lora = try c.decodeIfPresent(LoRAConfig.self, forKey: .lora)
        adapterSeed = try c.decodeIfPresent(UInt64.self, forKey: .adapterSeed)
        dequantizeBase = try c.decodeIfPresent(Bool.self, forKey: .dequantizeBase)
    }
}

/// A fine-tune's `config.json`: the trainer's settings at the top level (as `Trainer` writes them,
/// so `TrainingSettings` still decodes it; `baseQuant` is null when the base is kept as the file
/// stores it), plus what the job adds: model, dataset, LoRA, the adapter seed and whether the
/// frozen base was held in f32, and the run's length.
struct RunConfig: Encodable {
    let spec: FineTuneSpec
    /// The run's length in optimizer steps, for lists of runs (max steps, or epochs × steps per epoch).
    var totalSteps: Int?

    enum Keys: String, CodingKey { case model, dataset, lora, adapterSeed, dequantizeBase, totalSteps }

    func encode(to encoder: Encoder) throws {
        try spec.training.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(spec.modelPath, forKey: .model)
        try c.encode(spec.datasetDirectory.path, forKey: .dataset)
        try c.encode(spec.lora, forKey: .lora)
        try c.encode(spec.adapterSeed, forKey: .adapterSeed)
        try c.encode(spec.dequantizeBase, forKey: .dequantizeBase)
        try c.encodeIfPresent(totalSteps, forKey: .totalSteps)
    }
}
