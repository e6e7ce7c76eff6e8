import Corpus
import Engine
import Foundation
import Pipeline

/// One record as the pane shows it: its tokens decoded one by one, so token boundaries can be
/// drawn. Made off the UI thread.
struct RecordView: Sendable {
    var record: DatasetRecord
    var characters: Int
    /// Each token's text (special tokens by name), in order.
    var pieces: [String]
}

/// One packed window as the pane shows it.
struct WindowView: Sendable {
    var pieces: [String]
    /// `TokenWindow` mask values, one per piece.
    var mask: [UInt8]
    var trained: Int { mask.filter { $0 == TokenWindow.trained }.count }
}

/// What the pane knows about the dataset: the input's records and, once prepared (now or
/// earlier, from `manifest.json`), the windows and stats.
struct DatasetSnapshot: Sendable {
    var inputPath: String
    var format: DatasetFormat
    var badLines: Int
    var records: [RecordView]
    var stats: DatasetStats?
    var windows: [WindowView]
    var windowCount: Int
    /// The prepared dataset's manifest, to compare with the settings and the input.
    var manifest: DatasetManifest? = nil
    /// `DatasetStaleness.checksum` of the input as it was read.
    var inputChecksum: String? = nil
}

/// Builds snapshots (all of it runs on background threads).
enum DatasetLoading {
    /// Windows decoded for display; the rest are only counted.
    static let maxDecodedWindows = 200

    static func records(input: URL, format: DatasetFormat, settings: DatasetSettings, tokenizer: Tokenizer,
                        renderer: ChatRenderer?) throws -> (JSONLReadResult, [RecordView], checksum: String) {
        let data = try JSONLReader.contents(of: input)
        let read = try JSONLReader(format: format).read(data: data, path: input.path)
        let views = try DatasetPreparer(settings: settings).records(read).map { record -> RecordView in
            let ids: [Int32]
            switch record.content {
            case .text(let text): ids = TextTokenizing.tokens(of: text, tokenizer: tokenizer, settings: settings)
            case .conversation(let messages):
                guard let renderer else { throw DatasetPaneError("conversations need a chat template") }
                ids = try ConversationTokenizing.tokens(of: messages, record: record.line, tokenizer: tokenizer, render: renderer).tokens
            }
            return RecordView(record: record, characters: record.characterCount, pieces: ids.map { tokenizer.decode([$0]) })
        }
        return (read, views, DatasetStaleness.checksum(of: data))
    }

    static func windows(_ set: WindowSet, tokenizer: Tokenizer) -> [WindowView] {
        set.prefix(maxDecodedWindows).map { window in
            WindowView(pieces: window.tokens.map { tokenizer.decode([$0]) }, mask: window.mask)
        }
    }

    /// Reads the input and, when the output folder holds a dataset, its windows and stats.
    static func load(input: URL, output: URL, format: DatasetFormat, settings: DatasetSettings,
                     source: TokenizerSource) throws -> DatasetSnapshot {
        let loaded = try source.load()
        let (read, views, checksum) = try records(input: input, format: format, settings: settings, tokenizer: loaded.tokenizer,
                                        renderer: loaded.renderer)
        var snapshot = DatasetSnapshot(inputPath: input.path, format: read.format, badLines: read.badLines.count,
                                       records: views, stats: nil, windows: [], windowCount: 0, inputChecksum: checksum)
        if FileManager.default.fileExists(atPath: output.appendingPathComponent(DatasetManifest.fileName).path),
           let prepared = try? PreparedDataset(directory: output, expectedTokenizer: loaded.identity) {
            snapshot.stats = prepared.manifest.stats
            snapshot.manifest = prepared.manifest
            snapshot.windows = windows(prepared.train, tokenizer: loaded.tokenizer)
            snapshot.windowCount = prepared.train.count
        }
        return snapshot
    }

    /// Runs the workspace's prepare job (the same one `tunebench prepare` runs) and reloads everything.
    static func prepare(_ job: PrepareJob, source: TokenizerSource) throws -> DatasetSnapshot {
        var job = job
        job.createdBy = "tunebench \(EngineInfo.version) workbench"
        let result = try job.run(tokenizer: try source.load())
        var snapshot = try load(input: job.input, output: job.output, format: job.format, settings: job.settings, source: source)
        snapshot.stats = result.splits.stats
        return snapshot
    }
}
