import Engine
import Foundation
import Synchronization
import Pipeline
import Workspace

/// The Train pane's controller over the real trainer: runs a `FineTuneJob` on a background thread
/// and reports its steps, evals (batch by batch) and samples as pane events. Pausing and stopping
/// are reported at once (`pausing`, `stopping`) and take effect after the current step or eval
/// batch; stopping saves a checkpoint first (the trainer does that on `.stop`).
public final class EngineTrainingController: TrainingController, @unchecked Sendable {
    private let threads: Int
    private let lock = NSLock()
    private var current: TrainingState = .idle  // under `lock`
    private let pauseRequested = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    /// The folder of the run in progress or last run.
    public private(set) var runDirectory: URL?
    private var events: (@Sendable (TrainingEvent) -> Void)?  // under `lock`

    public init(threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
        self.threads = threads
    }

    public var state: TrainingState { lock.withLock { current } }

    private func set(_ state: TrainingState, _ events: @Sendable (TrainingEvent) -> Void) {
        lock.withLock { current = state }
        events(.state(state))
    }

    /// Moves to `to` only from one of `from`, and says so, under one lock (the UI thread and the
    /// trainer's both change the state).
    private func change(from: [TrainingState], to: TrainingState) {
        lock.withLock {
            guard from.contains(current) else { return }
            current = to
            events?(.state(to))
        }
    }

    public func start(_ workspace: Workspace, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        try start(FineTuneSpec(workspace: workspace, threads: threads), events: events)
    }

    /// Resumes the stopped run in `runDirectory` with the settings it recorded (its config.json).
    public func resumeRun(_ runDirectory: URL, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        var spec = try FineTuneSpec(recordedIn: runDirectory)
        spec.threads = threads
        try start(spec, events: events)
    }

    private func start(_ spec: FineTuneSpec, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        guard !state.isActive else { throw ControllerError("a run is already going") }
        runDirectory = spec.runDirectory
        pauseRequested.store(false, ordering: .relaxed)
        stopRequested.store(false, ordering: .relaxed)
        lock.withLock { self.events = events }
        set(.running, events)
        let ready = spec
        let thread = Thread { [self] in self.train(ready, events) }
        thread.name = "tunebench-trainer"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func train(_ spec: FineTuneSpec, _ events: @escaping @Sendable (TrainingEvent) -> Void) {
        do {
            let job = try FineTuneJob(spec: spec)
            events(.plan(totalSteps: job.trainer.totalSteps))
            let summary = try job.run { event in
                switch event {
                case .train(let m):
                    events(.metrics(MetricRecord(step: m.step, epoch: m.epoch, loss: m.loss, learningRate: m.learningRate,
                                                 gradNorm: m.gradNorm, tokensPerSecond: m.tokensPerSecond, elapsed: m.elapsed)))
                    events(.memory(bytes: Self.residentBytes()))
                case .eval(let step, let epoch, let loss, _):
                    events(.metrics(MetricRecord(step: step, epoch: epoch, evalLoss: loss)))
                case .evalProgress(let step, let done, let total, let elapsed):
                    events(.evalProgress(step: step, done: done, total: total, elapsed: elapsed))
                case .sample(let step, let text):
                    events(.sample(step: step, text: text))
                case .save, .finished:
                    break
                }
                // Pause between steps and eval batches: wait here until resumed or stopped.
                if pauseRequested.load(ordering: .relaxed) && !stopRequested.load(ordering: .relaxed) {
                    change(from: [.pausing, .running], to: .paused)
                    while pauseRequested.load(ordering: .relaxed) && !stopRequested.load(ordering: .relaxed) {
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                    change(from: [.paused], to: .running)
                }
                return stopRequested.load(ordering: .relaxed) ? .stop : .more
            }
            set(summary.reason == .stopped ? .stopped : .finished, events)
        } catch let error as TrainingError {
            switch error {
            case .nonFiniteLoss, .diverged: set(.diverged(error.description), events)
            default: set(.failed(error.description), events)
            }
        } catch {
            set(.failed("\(error)"), events)
        }
    }

    public func pause() {
        pauseRequested.store(true, ordering: .relaxed)
        change(from: [.running], to: .pausing)
    }
    public func resume() {
        pauseRequested.store(false, ordering: .relaxed)
        change(from: [.pausing], to: .running)  // a run already paused says `running` itself
    }
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        change(from: [.running, .pausing, .paused], to: .stopping)
    }

    /// Resident memory of this process (VmRSS), or 0 where /proc is not there.
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }

    struct ControllerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
