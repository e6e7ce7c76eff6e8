import Corpus
import Engine

/// Everything a workspace records, section by section as in `tunebench.toml`. Paths are as the
/// user wrote them, relative to the workspace folder unless absolute.
public struct WorkspaceSettings: Sendable, Equatable {
    public var pdf = PDFSection()
    public var dataset = DatasetSection()
    public var model = ModelSection()
    public var lora = LoRAConfig()
    public var training = TrainingSection()
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

/// How the learning rate moves over a run.
public enum LearningRateSchedule: String, CaseIterable, Sendable {
    case constant, linear, cosine
}

/// `[training]`: plain hyperparameters for the trainer (written elsewhere).
public struct TrainingSection: Sendable, Equatable {
    public var learningRate = 2e-4
    public var schedule: LearningRateSchedule = .cosine
    /// Steps of linear warm-up from 0.
    public var warmupSteps = 10
    public var epochs = 1
    /// Stop after this many optimizer steps (0: run the epochs).
    public var maxSteps = 0
    /// Windows per micro-batch.
    public var batchSize = 4
    /// Micro-batches per optimizer step.
    public var gradAccumulation = 1
    /// Evaluate on the test split every this many steps (0: never).
    public var evalEvery = 50
    /// Write a checkpoint every this many steps (0: only at the end).
    public var saveEvery = 100
    public var weightDecay = 0.0
    public var seed: UInt64 = 42
    /// Requantize the frozen base's layer projections into this format at load (QLoRA); nil: train
    /// on the model file's own format.
    public var baseQuant: BaseQuantization?
    public init() {}
}

/// `[chat]`: sampling for the Chat pane.
public struct ChatSection: Sendable, Equatable {
    public var sampling = SamplingParameters()
    public var maxTokens = 256
    public var systemPrompt = ""
    /// An adapter directory (e.g. `runs/<id>/adapter`); nil: the base model alone.
    public var adapter: String?
    public init() {}
}

/// `[ui]`: the workbench's look.
public struct UISection: Sendable, Equatable {
    /// A theme name from `themes/` (dark, light, mono).
    public var theme = "dark"
    public init() {}
}
