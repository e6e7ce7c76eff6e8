import Workspace

/// Where a training run is.
public enum TrainingState: Sendable, Equatable, CustomStringConvertible {
    case idle, running, paused, stopping, finished
    case failed(String)

    public var description: String {
        switch self {
        case .idle: "idle"
        case .running: "running"
        case .paused: "paused"
        case .stopping: "stopping"
        case .finished: "finished"
        case .failed(let why): "failed: \(why)"
        }
    }

    /// Whether a run exists that pause/resume/stop apply to.
    public var isActive: Bool { self == .running || self == .paused || self == .stopping }
}

/// What a running trainer reports. Sent from the training thread, in order.
public enum TrainingEvent: Sendable, Equatable {
    case state(TrainingState)
    /// The run's length once known (from max steps, or epochs × steps per epoch).
    case plan(totalSteps: Int)
    /// A training step's row or an evaluation row, as also written to `metrics.jsonl`.
    case metrics(MetricRecord)
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
    /// Pauses after the current step.
    func pause()
    func resume()
    /// Stops after the current step, saving a checkpoint.
    func stop()
}
