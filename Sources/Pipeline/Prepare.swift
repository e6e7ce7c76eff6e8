import Corpus
import Engine
import Foundation
import Workspace

/// A tokenizer with what datasets need beside it: the model's chat format (for conversations) and
/// the identity a prepared dataset records. Loaded from a GGUF model or a Hugging Face
/// `tokenizer.json` (which has no chat template: ChatML is used for conversations).
public struct DatasetTokenizer: Sendable {
    public var tokenizer: Tokenizer
    public var chatFormat: ChatFormat
    public var identity: TokenizerIdentity

    public init(tokenizer: Tokenizer, chatFormat: ChatFormat, identity: TokenizerIdentity) {
        self.tokenizer = tokenizer
        self.chatFormat = chatFormat
        self.identity = identity
    }

    /// Loads the tokenizer of a `.gguf` model or a `tokenizer.json`.
    public static func load(_ url: URL) throws -> DatasetTokenizer {
        guard FileManager.default.fileExists(atPath: url.path) else { throw PipelineError("no model or tokenizer at \(url.path)") }
        let tokenizer: Tokenizer
        let format: ChatFormat
        if url.pathExtension == "json" {
            tokenizer = try Tokenizer(huggingFaceJSON: url)
            format = ChatFormat(template: .chatML, tokenizer: tokenizer)
        } else {
            let gguf = try GGUFFile(path: url.path)
            tokenizer = try Tokenizer(gguf: gguf)
            format = ChatFormat(gguf: gguf, tokenizer: tokenizer)
        }
        return DatasetTokenizer(tokenizer: tokenizer, chatFormat: format,
                                identity: TokenizerIdentity(tokenizer: tokenizer, modelFile: url.lastPathComponent))
    }

    /// Conversations rendered with the model's chat format, as `DatasetPreparer` takes them.
    public var renderer: ChatRenderer {
        let format = chatFormat
        return { messages, addGenerationPrompt in
            try format.render(messages.map { Engine.ChatMessage(role: $0.role, content: $0.content) },
                              addGenerationPrompt: addGenerationPrompt)
        }
    }
}

/// `tunebench prepare` and the Dataset pane's `p`: JSONL → token windows with a train/test split,
/// written to a dataset folder with its manifest.
public struct PrepareJob: Sendable {
    public var input: URL
    public var output: URL
    public var format: DatasetFormat
    public var settings: DatasetSettings
    /// Stop at the first bad line instead of skipping it.
    public var strict = false
    /// Also write `train.jsonl` / `test.jsonl` for Hugging Face `datasets`.
    public var exportJSONL = false
    /// Who made the dataset, for the manifest.
    public var createdBy = "tunebench \(EngineInfo.version)"

    public init(input: URL, output: URL, format: DatasetFormat, settings: DatasetSettings) {
        self.input = input
        self.output = output
        self.format = format
        self.settings = settings
    }

    /// The job a workspace's `[dataset]` section describes.
    public init(workspace: Workspace) {
        let d = workspace.settings.dataset
        self.init(input: workspace.datasetInputURL, output: workspace.datasetURL, format: d.format, settings: d.settings)
    }

    public struct Result: Sendable {
        public var read: JSONLReadResult
        public var splits: PreparedSplits
    }

    /// Reads, tokenizes, splits and writes (atomically); `progress` gets one line per stage.
    public func run(tokenizer: DatasetTokenizer, progress: (String) -> Void = { _ in }) throws -> Result {
        try settings.validate()
        progress("reading \(input.lastPathComponent)")
        let data = try JSONLReader.contents(of: input)
        let read = try JSONLReader(format: format, strict: strict).read(data: data, path: input.path)
        let preparer = DatasetPreparer(settings: settings)
        let records = preparer.records(read)
        progress("tokenizing \(records.count) records")
        let splits = try preparer
            .prepare(records, tokenizer: tokenizer.tokenizer, chatRenderer: tokenizer.renderer, badLines: read.badLines.count)
        progress("writing \(output.lastPathComponent)/")
        try DatasetWriter(exportJSONL: exportJSONL).write(
            splits, to: output, source: input.lastPathComponent, sourceFormat: read.format, tokenizer: tokenizer.identity,
            settings: settings, createdBy: createdBy, sourceChecksum: DatasetStaleness.checksum(of: data))
        return Result(read: read, splits: splits)
    }
}

/// A job that could not run, in one line.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
