import Foundation

/// Reads a Hugging Face Trainer's `trainer_state.json` (written into each checkpoint folder and the
/// output folder) and re-reads it when its size or modification time changes.
///
/// The file is one JSON object; its `log_history` array holds training entries (`loss`,
/// `learning_rate`, `grad_norm`, `epoch`, `step`), evaluation entries (`eval_loss`, `eval_runtime`,
/// …, `epoch`, `step`) and, at the end of training, a summary entry (`train_loss`,
/// `train_runtime`, …) that carries no per-step loss and is skipped. `max_steps` gives the run's length.
public struct TrainerStateReader: Sendable {
    public let path: String
    /// Rows of the last successful read, in file order.
    public private(set) var records: [MetricRecord] = []
    /// `max_steps` of the last read, when the file has it.
    public private(set) var maxSteps: Int?
    private var lastStamp: (size: UInt64, modified: Date)?

    public init(path: String) { self.path = path }

    private struct State: Decodable {
        var log_history: [Entry]
        var max_steps: Int?
        var global_step: Int?
    }

    /// A log entry: decoded leniently, since summary entries have no loss and some no step.
    private struct Entry: Decodable {
        var record: MetricRecord?
        init(from decoder: any Decoder) throws { record = try? MetricRecord(from: decoder) }
    }

    /// Reads the file again if it changed since the last call; returns whether `records` changed.
    /// A file caught half-written (it is not written atomically) keeps the previous rows and is
    /// read again at the next poll.
    public mutating func poll() throws(MetricsSourceError) -> Bool {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            if !FileManager.default.fileExists(atPath: path) { return false }
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        if let last = lastStamp, last.size == size, last.modified == modified { return false }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let state: State
        do { state = try JSONDecoder().decode(State.self, from: data) } catch {
            // Valid JSON without a log_history is the wrong file; anything else may be mid-write.
            if (try? JSONSerialization.jsonObject(with: data)) != nil {
                throw .notTrainerState(path: path, reason: "no log_history array")
            }
            return false
        }
        lastStamp = (size, modified)
        let rows = state.log_history.compactMap(\.record).filter { $0.loss != nil || $0.evalLoss != nil }
        let changed = rows != records || state.max_steps != maxSteps
        records = rows
        maxSteps = state.max_steps
        return changed
    }
}
