import Engine
import Foundation

/// Writes a prepared dataset directory atomically: every file goes into a hidden sibling
/// directory, which is renamed to the final name only once all are written. A failure (full disk,
/// unwritable directory) removes the partial directory and leaves any earlier dataset in place.
public struct DatasetWriter: Sendable {
    /// Also write `train.jsonl` / `test.jsonl` with `input_ids`, `attention_mask` and `labels`
    /// (-100 where the loss is masked), which Hugging Face `datasets.load_dataset("json", …)` reads.
    public var exportJSONL: Bool

    public init(exportJSONL: Bool = false) {
        self.exportJSONL = exportJSONL
    }

    /// Writes `splits` to `directory`; returns the manifest written. An existing `directory` is
    /// replaced only if it is empty or holds a `manifest.json`.
    @discardableResult
    public func write(_ splits: PreparedSplits, to directory: URL, source: String, sourceFormat: DatasetFormat,
                      tokenizer: TokenizerIdentity, settings: DatasetSettings, createdBy: String,
                      sourceChecksum: String? = nil) throws(DatasetError)
        -> DatasetManifest
    {
        let final = directory.standardizedFileURL
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = manager.fileExists(atPath: final.path, isDirectory: &isDirectory)
        if exists {
            let contents = (try? manager.contentsOfDirectory(atPath: final.path)) ?? []
            guard isDirectory.boolValue, contents.isEmpty || contents.contains(DatasetManifest.fileName) else {
                throw .outputExists(path: final.path)
            }
        }
        let parent = final.deletingLastPathComponent()
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let partial = parent.appendingPathComponent(".\(final.lastPathComponent).partial-\(unique)")
        if !manager.fileExists(atPath: parent.path) {
            try? manager.createDirectory(at: parent, withIntermediateDirectories: true)
        }
        guard mkdir(partial.path, 0o755) == 0 else {
            throw .writeFailed(path: final.path, reason: String(cString: strerror(errno)))
        }
        do {
            let tokenBytes = DatasetManifest.tokenBytes(vocabularySize: tokenizer.vocabularySize)
            var files: [DatasetSplit: DatasetManifest.SplitFile] = [:]
            for split in DatasetSplit.allCases {
                let windows = split == .train ? splits.train : splits.test
                let bytes = Self.encode(windows, tokenBytes: tokenBytes)
                let name = "\(split.rawValue).bin"
                try Self.writeFile(bytes, to: partial.appendingPathComponent(name))
                files[split] = .init(file: name, windows: windows.count, bytes: bytes.count, checksum: FNV1a64.digest(bytes))
                if exportJSONL {
                    try Self.writeFile(Self.jsonl(windows), to: partial.appendingPathComponent("\(split.rawValue).jsonl"))
                }
            }
            let manifest = DatasetManifest(
                formatVersion: DatasetManifest.currentVersion, createdBy: createdBy, source: source,
                sourceFormat: sourceFormat, sourceChecksum: sourceChecksum, tokenizer: tokenizer, contextLength: settings.contextLength,
                tokenBytes: tokenBytes, settings: settings, stats: splits.stats,
                train: files[.train]!, test: files[.test]!)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let json: Data
            do { json = try encoder.encode(manifest) } catch { throw WriteFailure(reason: "\(error)") }
            try Self.writeFile(Array(json) + [0x0A], to: partial.appendingPathComponent(DatasetManifest.fileName))
            try Self.moveIntoPlace(partial, final: final, replacing: exists)
            return manifest
        } catch {
            try? manager.removeItem(at: partial)
            throw .writeFailed(path: final.path, reason: error.reason)
        }
    }

    /// Window records as in `DatasetManifest`: tokens little-endian, then mask bytes.
    static func encode(_ windows: [TokenWindow], tokenBytes: Int) -> [UInt8] {
        guard let first = windows.first else { return [] }
        let context = first.tokens.count
        let windowBytes = context * (tokenBytes + 1)
        var bytes = [UInt8](repeating: 0, count: windows.count * windowBytes)
        bytes.withUnsafeMutableBufferPointer { out in
            for (index, window) in windows.enumerated() {
                var offset = index * windowBytes
                window.tokens.withUnsafeBufferPointer { tokens in
                    for token in tokens {
                        let value = UInt32(bitPattern: token)
                        out[offset] = UInt8(truncatingIfNeeded: value)
                        out[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
                        if tokenBytes == 4 {
                            out[offset + 2] = UInt8(truncatingIfNeeded: value >> 16)
                            out[offset + 3] = UInt8(truncatingIfNeeded: value >> 24)
                        }
                        offset += tokenBytes
                    }
                }
                for value in window.mask {
                    out[offset] = value
                    offset += 1
                }
            }
        }
        return bytes
    }

    /// `{"input_ids": [...], "attention_mask": [...], "labels": [...]}` per window, one a line.
    static func jsonl(_ windows: [TokenWindow]) -> [UInt8] {
        var text = ""
        text.reserveCapacity(windows.count * (windows.first?.tokens.count ?? 0) * 16)
        for window in windows {
            text += "{\"input_ids\": ["
            text += window.tokens.map(String.init).joined(separator: ", ")
            text += "], \"attention_mask\": ["
            text += window.mask.map { $0 == TokenWindow.padding ? "0" : "1" }.joined(separator: ", ")
            text += "], \"labels\": ["
            text += zip(window.tokens, window.mask).map { $1 == TokenWindow.trained ? String($0) : "-100" }
                .joined(separator: ", ")
            text += "]}\n"
        }
        return Array(text.utf8)
    }

    /// Writes through `FileHandle` so that a full disk surfaces as an error, then syncs.
    static func writeFile(_ bytes: [UInt8], to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw WriteFailure(reason: "cannot create \(url.lastPathComponent): \(String(cString: strerror(errno)))")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(bytes))
        try handle.synchronize()
    }

    /// Renames the finished directory to its final name (an existing dataset is moved aside first
    /// and deleted after: `rename(2)` cannot replace a non-empty directory).
    static func moveIntoPlace(_ partial: URL, final: URL, replacing: Bool) throws {
        var aside: URL?
        if replacing {
            let old = partial.deletingLastPathComponent()
                .appendingPathComponent(".\(final.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            guard rename(final.path, old.path) == 0 else {
                throw WriteFailure(reason: "cannot move the old dataset aside: \(String(cString: strerror(errno)))")
            }
            aside = old
        }
        guard rename(partial.path, final.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside.path, final.path) }
            throw WriteFailure(reason: reason)
        }
        if let aside { try? FileManager.default.removeItem(at: aside) }
    }
}

/// A write error whose message is already one line for the user.
struct WriteFailure: Error { var reason: String }

extension Error {
    /// A one-line reason for a file-system error.
    fileprivate var reason: String {
        if let failure = self as? WriteFailure { return failure.reason }
        return JSONLReader.reason(self)
    }
}
