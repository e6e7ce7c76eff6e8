import Foundation

/// Follows a run's `metrics.jsonl` while it grows: each `poll()` reads only the bytes appended since
/// the last one and returns the complete new rows. A last line without its newline yet (the trainer
/// is mid-write) waits for the next poll. Lines that are not a metrics object are counted in
/// `skippedLines` and otherwise ignored, so one bad line never hides a run. A file that shrank
/// (a new run at the same path) is read again from the start.
public struct MetricsLogFollower: Sendable {
    public let path: String
    public private(set) var offset: UInt64 = 0
    public private(set) var skippedLines = 0
    private var partial = Data()

    public init(path: String) { self.path = path }

    /// New complete rows since the last poll (empty when the file has not grown or does not exist yet).
    /// `restarted` is true when the file was truncated and the caller should drop earlier rows.
    public mutating func poll() throws(MetricsSourceError) -> (records: [MetricRecord], restarted: Bool) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], false) }
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        var restarted = false
        let data: Data
        do {
            let size = try handle.seekToEnd()
            if size < offset {
                offset = 0
                partial = Data()
                skippedLines = 0
                restarted = true
            }
            try handle.seek(toOffset: offset)
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        offset += UInt64(data.count)
        partial.append(data)
        var records: [MetricRecord] = []
        let decoder = JSONDecoder()
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            let line = partial[partial.startIndex..<newline]
            partial = Data(partial[partial.index(after: newline)...])
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            if let r = try? decoder.decode(MetricRecord.self, from: line) { records.append(r) } else { skippedLines += 1 }
        }
        return (records, restarted)
    }
}
