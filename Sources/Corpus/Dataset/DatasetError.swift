import Foundation

/// Everything that can go wrong reading, preparing, writing or loading a dataset, as one line a user
/// can act on.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input file could not be read.
    case unreadable(path: String, reason: String)
    /// A JSONL line that is not a record of the expected shape (with `--strict`, or when no line is usable).
    case badLine(BadLine)
    /// No line of the input gave a record.
    /// No line gave a record; `first` is the first bad line, to say why.
    case noRecords(path: String, badLines: Int, first: BadLine?)
    /// The input's shape could not be recognised from its first record.
    case unknownFormat(line: Int, keys: [String])
    /// The chat renderer's output for a conversation is not made of growing prefixes, so the prompt
    /// cannot be told from the completion.
    case chatTemplateNotPrefixStable(record: Int)
    /// The chat renderer failed.
    case chatRenderFailed(record: Int, reason: String)
    /// Bad settings (context length, split fraction, …).
    case invalidSettings(String)
    /// After filtering and packing nothing is left to train on.
    case noWindows(reason: String)
    /// Writing the prepared dataset failed; nothing was left under the final name.
    case writeFailed(path: String, reason: String)
    /// The output path exists and is not a prepared dataset, so it is not replaced.
    case outputExists(path: String)
    /// A prepared dataset on disk is missing a file, malformed, or fails its checksum.
    case corrupt(path: String, reason: String)
    /// The manifest was written by a newer or unknown format version.
    case unsupportedVersion(path: String, version: Int)
    /// The dataset was tokenized with another tokenizer than the one training uses.
    case tokenizerMismatch(expected: TokenizerIdentity, found: TokenizerIdentity)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .badLine(let bad): bad.description
        case .noRecords(let path, let badLines, let first):
            "no usable record in \(path)"
                + (first.map { " (\(badLines) bad line(s); the first, \($0))" } ?? (badLines > 0 ? " (\(badLines) bad line(s))" : " (empty file)"))
        case .unknownFormat(let line, let keys):
            "line \(line): cannot tell the format from keys [\(keys.joined(separator: ", "))]; "
                + "expected {\"<page>\": text}, {\"text\"}, {\"prompt\",\"completion\"}, "
                + "{\"instruction\",\"input\",\"output\"} or {\"messages\"}; choose one with --format"
        case .chatTemplateNotPrefixStable(let record):
            "record \(record): the chat template does not render a conversation as growing prefixes, "
                + "so prompt and completion tokens cannot be separated"
        case .chatRenderFailed(let record, let reason): "record \(record): chat template failed: \(reason)"
        case .invalidSettings(let message): message
        case .noWindows(let reason): "no training windows: \(reason)"
        case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
        case .outputExists(let path):
            "\(path) exists and is not a prepared dataset (no manifest.json); choose another --out or remove it"
        case .corrupt(let path, let reason): "\(path): \(reason); prepare the dataset again"
        case .unsupportedVersion(let path, let version):
            "\(path): dataset format version \(version) is not supported (this build reads version \(DatasetManifest.currentVersion))"
        case .tokenizerMismatch(let expected, let found):
            "dataset was tokenized with \(found) but the model's tokenizer is \(expected); prepare it again with this model"
        }
    }
}

/// One JSONL line that was not usable: 1-based line number and why.
public struct BadLine: Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
