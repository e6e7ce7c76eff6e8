import Engine
import Foundation
import Synchronization
import Pipeline
import Workspace

/// The Train pane's controller over the real trainer: runs a `FineTuneJob` on a background thread
/// and reports its steps, evals and samples as pane events. Pausing and stopping take effect after
/// the current step; stopping saves a checkpoint first (the trainer does that on `.stop`).
public final class EngineTrainingController: TrainingController, @unchecked Sendable {
    private let threads: Int
    private let lock = NSLock()
    private var current: TrainingState = .idle  // under `lock`
    private let pauseRequested = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    /// The folder of the run in progress or last run.
    public private(set) var runDirectory: URL?

    public init(threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
        self.threads = threads
    }

    public var state: TrainingState { lock.withLock { current } }

    private func set(_ state: TrainingState, _ events: @Sendable (TrainingEvent) -> Void) {
        lock.withLock { current = state }
        events(.state(state))
    }

    public func start(_ workspace: Workspace, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        guard !state.isActive else { throw ControllerError("a run is already going") }
        let spec = try FineTuneSpec(workspace: workspace, threads: threads)
        let run = spec.runDirectory
        runDirectory = run
        pauseRequested.store(false, ordering: .relaxed)
        stopRequested.store(false, ordering: .relaxed)
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
            try job.run { event in
                switch event {
                case .train(let m):
                    events(.metrics(MetricRecord(step: m.step, epoch: m.epoch, loss: m.loss, learningRate: m.learningRate,
                                                 gradNorm: m.gradNorm, tokensPerSecond: m.tokensPerSecond, elapsed: m.elapsed)))
                    events(.memory(bytes: Self.residentBytes()))
                case .eval(let step, let epoch, let loss, _):
                    events(.metrics(MetricRecord(step: step, epoch: epoch, evalLoss: loss)))
                case .sample(let step, let text):
                    events(.sample(step: step, text: text))
                case .save, .finished:
                    break
                }
                // Pause between steps: wait here until resumed or stopped.
                if pauseRequested.load(ordering: .relaxed) && !stopRequested.load(ordering: .relaxed) {
                    set(.paused, events)
                    while pauseRequested.load(ordering: .relaxed) && !stopRequested.load(ordering: .relaxed) {
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                    if !stopRequested.load(ordering: .relaxed) { set(.running, events) }
                }
                return stopRequested.load(ordering: .relaxed) ? .stop : .more
            }
            set(.finished, events)
        } catch {
            set(.failed("\(error)"), events)
        }
    }

    public func pause() { pauseRequested.store(true, ordering: .relaxed) }
    public func resume() { pauseRequested.store(false, ordering: .relaxed) }
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        lock.withLock { if current.isActive { current = .stopping } }
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
