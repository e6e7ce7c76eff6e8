import Foundation
import Workspace

/// Where a training run is. `pausing` and `stopping` are asked for and take effect after the
/// current step or eval batch; a run ends `finished` (its last step, or early stopping),
/// `stopped` (by the user, resumable), `diverged` (a non-finite loss) or `failed`.
public enum TrainingState: Sendable, Equatable, CustomStringConvertible {
    case idle, running, pausing, paused, stopping, finished, stopped
    case diverged(String)
    case failed(String)

    public var description: String {
        switch self {
        case .idle: "idle"
        case .running: "running"
        case .pausing: "pausing"
        case .paused: "paused"
        case .stopping: "stopping"
        case .finished: "finished"
        case .stopped: "stopped"
        case .diverged(let why): "diverged: \(why)"
        case .failed(let why): "failed: \(why)"
        }
    }

    /// Whether a run exists that pause/resume/stop apply to.
    public var isActive: Bool { self == .running || self == .pausing || self == .paused || self == .stopping }
}

/// What a running trainer reports. Sent from the training thread, in order.
public enum TrainingEvent: Sendable, Equatable {
    case state(TrainingState)
    /// The run's length once known (from max steps, or epochs × steps per epoch).
    case plan(totalSteps: Int)
    /// A training step's row or an evaluation row, as also written to `metrics.jsonl`.
    case metrics(MetricRecord)
    /// The eval at `step` has run `done` of `total` test batches in `elapsed` seconds.
    case evalProgress(step: Int, done: Int, total: Int, elapsed: Double)
    /// The sample generation from the fixed prompt at `step`.
    case sample(step: Int, text: String)
    /// The trainer's resident memory, bytes.
    case memory(bytes: Int)
}

/// The seam between the Train pane and a trainer. The pane calls these on the UI thread; the
/// controller does the work elsewhere and reports through `events`, from any thread. The real
/// trainer (issue 4) and the tests' fake implement it alike.
public protocol TrainingController: AnyObject {
    /// The controller's own view of the run.
    var state: TrainingState { get }
    /// Starts the run `workspace` describes (`FineTuneSpec(workspace:)`, as `tunebench train
    /// --workspace` does); throws (with a message for the user) if it cannot start.
    func start(_ workspace: Workspace, events: @escaping @Sendable (TrainingEvent) -> Void) throws
    /// Continues the stopped run in `directory` from its `last` checkpoint, with the settings it
    /// recorded (its config.json), not the workspace's.
    func resumeRun(_ directory: URL, events: @escaping @Sendable (TrainingEvent) -> Void) throws
    /// Pauses after the current step or eval batch.
    func pause()
    func resume()
    /// Stops after the current step or eval batch, saving a checkpoint.
    func stop()
}

extension TrainingController {
    public func resumeRun(_ directory: URL, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        throw ResumeUnsupported()
    }
}

struct ResumeUnsupported: Error, CustomStringConvertible {
    var description: String { "this workbench's trainer cannot resume runs" }
}
