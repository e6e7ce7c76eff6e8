import Foundation

/// A run's folder: `config.json`, `metrics.jsonl`, `checkpoint-<step>/` folders and the `last` and
/// `best` links to them.
public struct TrainingRun {
    public let directory: String
    /// Writes an adapter for the given parameters into a checkpoint's `adapter/` folder (for
    /// example PEFT files), so every checkpoint is usable on its own; nil: parameters only.
    public var exportAdapter: ((_ parameters: [Float], _ directory: String) throws -> Void)?

    public var metricsPath: String { directory + "/metrics.jsonl" }
    public var configPath: String { directory + "/config.json" }
    public var lastPath: String { directory + "/last" }
    public var bestPath: String { directory + "/best" }

    /// Opens `directory`, creating it when needed.
    public init(directory: String) throws(TrainingError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch { throw .io(path: directory, reason: "cannot create the folder (\(error.localizedDescription))") }
    }

    /// Writes `config.json` (sorted keys, pretty) atomically.
    public func writeConfig(_ config: some Encodable) throws(TrainingError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(config) else { throw .io(path: configPath, reason: "cannot encode the settings") }
        try AtomicFile.write([UInt8](json) + [UInt8(ascii: "\n")], to: configPath)
    }

    /// The checkpoint `last` points to, or nil when the run has none yet.
    public func loadLast() throws(TrainingError) -> Checkpoint? {
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: lastPath)) != nil else { return nil }
        return try Checkpoint(directory: lastPath)
    }

    /// Saves `checkpoint` as `checkpoint-<step>/`, points `last` (and `best` when asked) at it,
    /// and removes checkpoint folders neither link needs. Returns the folder's path.
    @discardableResult
    public func save(_ checkpoint: Checkpoint, isBest: Bool) throws(TrainingError) -> String {
        let name = "checkpoint-\(checkpoint.state.step)"
        let final = directory + "/" + name
        // This step may already be saved and linked (as best, just before the end or a stop): reuse
        // it. An unlinked folder of the same name is left from an interrupted save: replace it.
        let linked = linkedCheckpoints().contains(name)
        if !(linked && FileManager.default.fileExists(atPath: final + "/" + Checkpoint.trainerFile)) {
            let temporary = directory + "/.\(name).partial-\(getpid())"
            try? FileManager.default.removeItem(atPath: temporary)
            try? FileManager.default.removeItem(atPath: final)
            do { try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false) } catch {
                throw .io(path: temporary, reason: error.localizedDescription)
            }
            try checkpoint.writeFiles(into: temporary)
            if let exportAdapter {
                let adapter = temporary + "/adapter"
                do {
                    try FileManager.default.createDirectory(atPath: adapter, withIntermediateDirectories: false)
                    try exportAdapter(checkpoint.parameters, adapter)
                } catch { throw .io(path: adapter, reason: "\(error)") }
                AtomicFile.syncDirectory(adapter)
            }
            AtomicFile.syncDirectory(temporary)
            guard rename(temporary, final) == 0 else { throw .io(path: final, reason: String(cString: strerror(errno))) }
            AtomicFile.syncDirectory(directory)
        }
        try AtomicFile.pointLink(lastPath, to: name)
        if isBest { try AtomicFile.pointLink(bestPath, to: name) }
        removeUnreferencedCheckpoints()
        return final
    }

    private func linkedCheckpoints() -> Set<String> {
        Set([lastPath, bestPath].compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: $0) })
    }

    /// Deletes checkpoint folders (and half-written ones) that neither `last` nor `best` points to,
    /// and the temporaries of this folder's atomic writes (`last.partial-<pid>`,
    /// `metrics.jsonl.partial-<pid>`, …) that a kill between write and rename leaves behind.
    public func removeUnreferencedCheckpoints() {
        let fm = FileManager.default
        let keep = linkedCheckpoints()
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        for name in names where !keep.contains(name) {
            let checkpoint = name.hasPrefix("checkpoint-") || name.hasPrefix(".checkpoint-")
            let temporary = [lastPath, bestPath, metricsPath, configPath].contains { name.hasPrefix(($0 as NSString).lastPathComponent + ".partial-") }
            if name == RunLock.fileName { continue }
            guard checkpoint || temporary else { continue }
            var doomed = directory + "/" + name
            // A visible checkpoint is first renamed to a hidden name, so that a kill during the
            // deletion never leaves a half-deleted `checkpoint-N/` that looks whole.
            if name.hasPrefix("checkpoint-") {
                let hidden = directory + "/.\(name).deleting-\(getpid())"
                if rename(doomed, hidden) == 0 { doomed = hidden }
            }
            try? fm.removeItem(atPath: doomed)
        }
    }
}
