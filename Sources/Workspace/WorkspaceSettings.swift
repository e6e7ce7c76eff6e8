import Corpus
import Engine

/// Everything a workspace records, section by section as in `tunebench.toml`. Each section is the
/// type its job takes (`DatasetSettings`, `LoRAConfig`, `TrainingSettings`, `SamplingParameters`),
/// so a run started in the workbench and one started from the command line read the same values.
/// Paths are as the user wrote them, relative to the workspace folder unless absolute.
public struct WorkspaceSettings: Sendable, Equatable {
    public var pdf = PDFSection()
    public var dataset = DatasetSection()
    public var model = ModelSection()
    public var lora = LoRAConfig()
    public var training = TrainingSettings.fineTuneDefaults
    public var chat = ChatSection()
    public var ui = UISection()
    public init() {}
}

/// `[pdf]`: the book and how it is cropped.
public struct PDFSection: Sendable, Equatable {
    /// The PDF file; nil until the user picks one.
    public var path: String?
    /// The crop box in PDF points (nil: keep whole pages).
    public var crop: CropBox?
    /// The body's pages, 1-based inclusive (nil: every page).
    public var bodyPages: ClosedRange<Int>?
    /// Where `extract` writes the page map.
    public var output = "pages.jsonl"
    /// What `extract` does with footnotes: drop them (and the body's note marks), keep the page as
    /// printed, or move them after the page's text.
    public var footnotes: FootnotePolicy = .drop
    public init() {}
}

/// `[dataset]`: preparation settings (`DatasetSettings`) plus input and output.
public struct DatasetSection: Sendable, Equatable {
    public var input = "pages.jsonl"
    public var format: DatasetFormat = .auto
    public var output = "dataset"
    public var settings = DatasetSettings()
    public init() {}
}

/// `[model]`: the base model.
public struct ModelSection: Sendable, Equatable {
    /// A .gguf path or a cached model's file name; nil: the default model.
    public var path: String?
    public init() {}
}

/// `[chat]`: how the Chat pane (and `tunebench chat --workspace`) answers.
public struct ChatSection: Sendable, Equatable {
    public var sampling = SamplingParameters()
    public var maxTokens = 256
    public var systemPrompt = ""
    /// An adapter: a run folder (its best, else last checkpoint), a checkpoint or an adapter file;
    /// nil: the base model alone.
    public var adapter: String?
    public init() {}

    public func validate() throws(SettingError) {
        do { try sampling.validate() } catch { throw .invalid(error.description) }
        guard (1...1_000_000).contains(maxTokens) else { throw .invalid("max tokens must be between 1 and 1000000, not \(maxTokens)") }
    }
}

/// `[ui]`: the workbench's look.
public struct UISection: Sendable, Equatable {
    /// A theme name (dark, light, mono, or a file in a themes/ folder).
    public var theme = "dark"
    public init() {}
}

extension WorkspaceSettings {
    /// Checks the settings of one section as a whole (a value can be fine alone and not with the
    /// others: epochs 0 with max steps 0).
    public func validate(section: String) throws(SettingError) {
        do {
            switch section {
            case "dataset": try dataset.settings.validate()
            case "lora": try lora.validate()
            case "training": try training.validate()
            case "chat": try chat.validate()
            default: break
            }
        } catch let error as SettingError {
            throw error
        } catch {
            throw .invalid("\(error)")
        }
    }

    /// The choice of `base_quant` that keeps the model file's own format.
    public static let storedFormat = "as stored"

    /// Every setting of the sections the forms edit, in file order. `tunebench.toml` is read and
    /// written through this list, and the workbench's forms are made from it.
    public static let schema: [Setting] = datasetSchema + loraSchema + trainingSchema + chatSchema

    static let datasetSchema: [Setting] = [
        Setting("dataset", "input", "input", .text, get: { .text($0.dataset.input) }, set: { s, v throws(SettingError) in s.dataset.input = try v.nonEmptyText() }),
        Setting("dataset", "format", "format", .choice(DatasetFormat.allCases.map(\.rawValue)), get: { .text($0.dataset.format.rawValue) },
                set: { s, v throws(SettingError) in
                    guard let f = DatasetFormat(rawValue: try v.text()) else { throw .invalid("must be one of \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", "))") }
                    s.dataset.format = f
                }),
        Setting("dataset", "output", "output", .text, get: { .text($0.dataset.output) }, set: { s, v throws(SettingError) in s.dataset.output = try v.nonEmptyText() }),
        Setting("dataset", "context_length", "context length", .integer, get: { .integer($0.dataset.settings.contextLength) },
                set: { s, v throws(SettingError) in s.dataset.settings.contextLength = try v.integer() }),
        Setting("dataset", "min_length", "min length", .integer, note: "characters; shorter records are dropped",
                get: { .integer($0.dataset.settings.minLength) }, set: { s, v throws(SettingError) in s.dataset.settings.minLength = try v.integer() }),
        Setting("dataset", "eos_at_paragraph_ends", "EOS at paragraph ends", .flag, get: { .flag($0.dataset.settings.eosAtParagraphEnds) },
                set: { s, v throws(SettingError) in s.dataset.settings.eosAtParagraphEnds = try v.flag() }),
        Setting("dataset", "newlines_to_spaces", "newlines to spaces", .flag, get: { .flag($0.dataset.settings.newlinesToSpaces) },
                set: { s, v throws(SettingError) in s.dataset.settings.newlinesToSpaces = try v.flag() }),
        Setting("dataset", "pad_last_window", "pad last window", .flag, get: { .flag($0.dataset.settings.padLastWindow) },
                set: { s, v throws(SettingError) in s.dataset.settings.padLastWindow = try v.flag() }),
        Setting("dataset", "pack_conversations", "pack conversations", .flag, get: { .flag($0.dataset.settings.packConversations) },
                set: { s, v throws(SettingError) in s.dataset.settings.packConversations = try v.flag() }),
        Setting("dataset", "test_fraction", "test fraction", .real, get: { .real($0.dataset.settings.testFraction) },
                set: { s, v throws(SettingError) in s.dataset.settings.testFraction = try v.real() }),
        Setting("dataset", "seed", "seed", .integer, get: { .integer(Int(clamping: $0.dataset.settings.seed)) },
                set: { s, v throws(SettingError) in s.dataset.settings.seed = try v.seed() }),
        Setting("dataset", "shuffle", "shuffle", .flag, get: { .flag($0.dataset.settings.shuffle) },
                set: { s, v throws(SettingError) in s.dataset.settings.shuffle = try v.flag() }),
        Setting("dataset", "join_pages", "join pages", .flag, note: "page maps: a page continuing a sentence joins the one before",
                get: { .flag($0.dataset.settings.joinPages) }, set: { s, v throws(SettingError) in s.dataset.settings.joinPages = try v.flag() }),
    ]

    static let loraSchema: [Setting] = [
        Setting("lora", "rank", "rank", group: "LoRA", .integer, get: { .integer($0.lora.rank) }, set: { s, v throws(SettingError) in s.lora.rank = try v.integer() }),
        Setting("lora", "alpha", "alpha", group: "LoRA", .single, get: { .single($0.lora.alpha) }, set: { s, v throws(SettingError) in s.lora.alpha = try v.single() }),
        Setting("lora", "dropout", "dropout", group: "LoRA", .single, get: { .single($0.lora.dropout) }, set: { s, v throws(SettingError) in s.lora.dropout = try v.single() }),
        Setting("lora", "targets", "targets", group: "LoRA", .list, note: "of q, k, v, o, gate, up, down",
                get: { .list($0.lora.targets.map(\.rawValue)) },
                set: { s, v throws(SettingError) in
                    var targets: [LoRATarget] = []
                    for name in try v.list() {
                        guard let t = LoRATarget(name: name) else { throw .invalid("has '\(name)'; use q, k, v, o, gate, up, down") }
                        targets.append(t)
                    }
                    s.lora.targets = LoRATarget.allCases.filter(targets.contains)
                }),
        Setting("lora", "rslora", "rsLoRA", group: "LoRA", .flag, note: "scale by alpha/√rank instead of alpha/rank",
                get: { .flag($0.lora.useRSLoRA) }, set: { s, v throws(SettingError) in s.lora.useRSLoRA = try v.flag() }),
    ]

    static let trainingSchema: [Setting] = [
        Setting("training", "learning_rate", "learning rate", group: "optimizer", .real, get: { .real($0.training.learningRate) },
                set: { s, v throws(SettingError) in s.training.learningRate = try v.real() }),
        Setting("training", "weight_decay", "weight decay", group: "optimizer", .real, get: { .real($0.training.weightDecay) },
                set: { s, v throws(SettingError) in s.training.weightDecay = try v.real() }),
        Setting("training", "adam_beta1", "Adam β1", group: "optimizer", .real, get: { .real($0.training.beta1) },
                set: { s, v throws(SettingError) in s.training.beta1 = try v.real() }),
        Setting("training", "adam_beta2", "Adam β2", group: "optimizer", .real, get: { .real($0.training.beta2) },
                set: { s, v throws(SettingError) in s.training.beta2 = try v.real() }),
        Setting("training", "adam_epsilon", "Adam ε", group: "optimizer", .real, get: { .real($0.training.epsilon) },
                set: { s, v throws(SettingError) in s.training.epsilon = try v.real() }),
        Setting("training", "max_grad_norm", "clip grad norm", group: "optimizer", .real, note: "0: no clipping",
                get: { .real($0.training.maxGradNorm ?? 0) },
                set: { s, v throws(SettingError) in let m = try v.real(); s.training.maxGradNorm = m == 0 ? nil : m }),
        Setting("training", "batch_size", "batch size", group: "optimizer", .integer, get: { .integer($0.training.batchSize) },
                set: { s, v throws(SettingError) in s.training.batchSize = try v.integer() }),
        Setting("training", "grad_accumulation", "grad accumulation", group: "optimizer", .integer,
                get: { .integer($0.training.gradientAccumulation) }, set: { s, v throws(SettingError) in s.training.gradientAccumulation = try v.integer() }),
        Setting("training", "schedule", "schedule", group: "steps", .choice(LRSchedule.allCases.map(\.rawValue)),
                get: { .text($0.training.schedule.rawValue) },
                set: { s, v throws(SettingError) in
                    guard let schedule = LRSchedule(rawValue: try v.text()) else { throw .invalid("must be linear, cosine or constant") }
                    s.training.schedule = schedule
                }),
        Setting("training", "warmup_steps", "warm-up steps", group: "steps", .integer, get: { .integer($0.training.warmupSteps) },
                set: { s, v throws(SettingError) in s.training.warmupSteps = try v.integer() }),
        Setting("training", "epochs", "epochs", group: "steps", .integer, get: { .integer($0.training.epochs) },
                set: { s, v throws(SettingError) in s.training.epochs = try v.integer() }),
        Setting("training", "max_steps", "max steps", group: "steps", .integer, note: "0: run the epochs",
                get: { .integer($0.training.maxSteps ?? 0) },
                set: { s, v throws(SettingError) in let n = try v.integer(); s.training.maxSteps = n == 0 ? nil : n }),
        Setting("training", "seed", "seed", group: "steps", .integer, note: "data order, dropout and the adapter's start",
                get: { .integer(Int(clamping: $0.training.seed)) }, set: { s, v throws(SettingError) in s.training.seed = try v.seed() }),
        Setting("training", "eval_every", "eval every", group: "eval & save", .integer, get: { .integer($0.training.evalEvery) },
                set: { s, v throws(SettingError) in s.training.evalEvery = try v.integer() }),
        Setting("training", "save_every", "save every", group: "eval & save", .integer, note: "0: only at the end and when eval improves",
                get: { .integer($0.training.saveEvery) }, set: { s, v throws(SettingError) in s.training.saveEvery = try v.integer() }),
        Setting("training", "patience", "patience", group: "eval & save", .integer, note: "evals without improvement before stopping; 0: never",
                get: { .integer($0.training.earlyStoppingPatience ?? 0) },
                set: { s, v throws(SettingError) in let n = try v.integer(); s.training.earlyStoppingPatience = n == 0 ? nil : n }),
        Setting("training", "sample_every", "sample every", group: "sampling", .integer, get: { .integer($0.training.sampleEvery) },
                set: { s, v throws(SettingError) in s.training.sampleEvery = try v.integer() }),
        Setting("training", "sample_prompt", "sample prompt", group: "sampling", .text, note: "empty: the opening of the first test window",
                get: { .text($0.training.samplePrompt) }, set: { s, v throws(SettingError) in s.training.samplePrompt = try v.text() }),
        Setting("training", "sample_tokens", "sample tokens", group: "sampling", .integer, get: { .integer($0.training.sampleTokens) },
                set: { s, v throws(SettingError) in s.training.sampleTokens = try v.integer() }),
        Setting("training", "base_quant", "base quant", group: "base model", .choice([storedFormat] + BaseQuantization.allCases.map(\.rawValue)),
                note: "nf4, q8_0 or q4_0 requantizes the layers' projections at load (QLoRA)",
                get: { .text($0.training.baseQuant?.rawValue ?? storedFormat) },
                set: { s, v throws(SettingError) in
                    let name = try v.text()
                    if name.isEmpty || name == storedFormat { s.training.baseQuant = nil; return }
                    guard let q = BaseQuantization(rawValue: name) else { throw .invalid("must be \"\(storedFormat)\", nf4, q8_0 or q4_0, not '\(name)'") }
                    s.training.baseQuant = q
                }),
    ]

    static let chatSchema: [Setting] = [
        Setting("chat", "temperature", "temperature", .single, note: "0: greedy", get: { .single($0.chat.sampling.temperature) },
                set: { s, v throws(SettingError) in s.chat.sampling.temperature = try v.single() }),
        Setting("chat", "top_k", "top-k", .integer, note: "0: all", get: { .integer($0.chat.sampling.topK) },
                set: { s, v throws(SettingError) in s.chat.sampling.topK = try v.integer() }),
        Setting("chat", "top_p", "top-p", .single, get: { .single($0.chat.sampling.topP) },
                set: { s, v throws(SettingError) in s.chat.sampling.topP = try v.single() }),
        Setting("chat", "min_p", "min-p", .single, get: { .single($0.chat.sampling.minP) },
                set: { s, v throws(SettingError) in s.chat.sampling.minP = try v.single() }),
        Setting("chat", "repeat_penalty", "repeat penalty", .single, note: "1: none", get: { .single($0.chat.sampling.repetitionPenalty) },
                set: { s, v throws(SettingError) in s.chat.sampling.repetitionPenalty = try v.single() }),
        Setting("chat", "seed", "seed", .integer, get: { .integer(Int(clamping: $0.chat.sampling.seed)) },
                set: { s, v throws(SettingError) in s.chat.sampling.seed = try v.seed() }),
        Setting("chat", "max_tokens", "max tokens", .integer, get: { .integer($0.chat.maxTokens) },
                set: { s, v throws(SettingError) in s.chat.maxTokens = try v.integer() }),
        Setting("chat", "system_prompt", "system prompt", .text, get: { .text($0.chat.systemPrompt) },
                set: { s, v throws(SettingError) in s.chat.systemPrompt = try v.text() }),
        Setting("chat", "adapter", "adapter", .text, note: "a run folder (its best, else last checkpoint) or an adapter; empty: none",
                get: { .text($0.chat.adapter ?? "") },
                set: { s, v throws(SettingError) in let a = try v.text(); s.chat.adapter = a.isEmpty ? nil : a }),
    ]

    /// The setting of `section` named `key`.
    public static func setting(_ section: String, _ key: String) -> Setting? {
        schema.first { $0.section == section && $0.key == key }
    }
}

/// Typed views of a value, throwing the type a setting needs.
extension SettingValue {
    func integer() throws(SettingError) -> Int {
        guard case .integer(let i) = self else { throw .invalid("must be a whole number") }
        return i
    }
    func seed() throws(SettingError) -> UInt64 {
        let i = try integer()
        guard i >= 0 else { throw .invalid("must be a whole number ≥ 0, not \(i)") }
        return UInt64(i)
    }
    func real() throws(SettingError) -> Double {
        switch self {
        case .real(let d) where d.isFinite: return d
        case .single(let f) where f.isFinite: return Double(f)
        case .integer(let i): return Double(i)
        default: throw .invalid("must be a number")
        }
    }
    func single() throws(SettingError) -> Float {
        switch self {
        case .single(let f) where f.isFinite: return f
        case .real(let d) where d.isFinite && Float(d).isFinite: return Float(d)
        case .integer(let i): return Float(i)
        default: throw .invalid("must be a number")
        }
    }
    func flag() throws(SettingError) -> Bool {
        guard case .flag(let b) = self else { throw .invalid("must be true or false") }
        return b
    }
    func text() throws(SettingError) -> String {
        guard case .text(let s) = self else { throw .invalid("must be a string in quotes") }
        return s
    }
    func nonEmptyText() throws(SettingError) -> String {
        let s = try text()
        guard !s.isEmpty else { throw .invalid("must not be empty") }
        return s
    }
    func list() throws(SettingError) -> [String] {
        guard case .list(let items) = self else { throw .invalid("must be a list of strings") }
        return items
    }
}
