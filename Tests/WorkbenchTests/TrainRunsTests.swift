import class Engine.RunLock
import Foundation
import Testing
import Workspace
@testable import Workbench

/// A trainer stand-in that is in the middle of an eval when asked to pause or stop: it says
/// `pausing` / `stopping` at once, and the test decides when the run ends.
private final class EvalController: TrainingController {
    var state = TrainingState.idle
    var calls: [String] = []
    var resumed: [URL] = []
    var sink: (@Sendable (TrainingEvent) -> Void)?

    func start(_ workspace: Workspace, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        sink = events
        state = .running
        events(.state(.running))
        events(.plan(totalSteps: 30))
        for step in 1...10 { events(.metrics(MetricRecord(step: step, loss: 3 - Double(step) * 0.1, elapsed: Double(step)))) }
        events(.evalProgress(step: 10, done: 3, total: 40, elapsed: 6))
    }
    func resumeRun(_ directory: URL, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        resumed.append(directory)
        sink = events
        state = .running
        events(.state(.running))
    }
    func pause() { calls.append("pause"); state = .pausing; sink?(.state(.pausing)) }
    func resume() { calls.append("resume"); state = .running; sink?(.state(.running)) }
    func stop() { calls.append("stop"); state = .stopping; sink?(.state(.stopping)) }
    /// The trainer's thread ending the run.
    func end(_ final: TrainingState) { state = final; sink?(.state(final)) }
}

/// Writes a run folder as the trainer leaves it: config.json, metrics.jsonl (train rows 1…`steps`,
/// eval rows at `evals`), a `last` link to `checkpoint-<saved>` and its trainer.json.
@discardableResult
func writeRun(in runs: URL, _ name: String, steps: Int, total: Int, saved: Int?, evals: [Int: Double] = [:],
              rank: Int = 4, patience: Int? = nil, evalsWithoutImprovement: Int = 0) throws -> URL {
    let dir = runs.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var config: [String: Any] = ["learningRate": 0.0005, "schedule": "linear", "maxSteps": total, "totalSteps": total,
                                 "lora": ["rank": rank, "alpha": 8, "useRSLoRA": true], "model": "/m/SmolLM2.gguf"]
    if let patience { config["earlyStoppingPatience"] = patience }
    try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
    var log = ""
    for step in 1...max(1, steps) where steps > 0 {
        log += "{\"step\":\(step),\"loss\":\(3 - Double(step) * 0.05),\"lr\":0.0005,\"elapsed\":\(step)}\n"
        if let e = evals[step] { log += "{\"step\":\(step),\"eval_loss\":\(e)}\n" }
    }
    try log.write(to: dir.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
    if let saved {
        let checkpoint = dir.appendingPathComponent("checkpoint-\(saved)")
        try FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: true)
        let trainer = "{\"step\":\(saved),\"epoch\":0,\"position\":\(saved),\"rng\":\"1f\",\"evals_without_improvement\":\(evalsWithoutImprovement),\"elapsed\":1}"
        try trainer.write(to: checkpoint.appendingPathComponent("trainer.json"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("last").path, withDestinationPath: "checkpoint-\(saved)")
    }
    return dir
}

@Suite struct TrainRunsTests {
    private func press(_ pane: TrainPane, _ keys: Key...) { for k in keys { _ = pane.handle(.key(k)) } }
    private func render(_ pane: TrainPane, width: Int = 120, height: Int = 30) -> Grid {
        var g = Grid(width: width, height: height)
        pane.draw(into: &g, in: g.bounds)
        return g
    }
    private func settingsColumn(_ g: Grid) -> String { g.lines.map { String($0.prefix(36)) }.joined(separator: "\n") }

    @Test func stopDuringAnEvalSaysSoAtOnceAndTheRunEndsStopped() throws {
        let fake = EvalController()
        let pane = TrainPane(controller: fake, model: WorkspaceModel(try makeSampleWorkspace()))
        press(pane, .character("s")); pane.update()
        #expect(render(pane).lines[0].contains("eval 3/40 ETA 1m14s"))  // 6 s for 3 batches: 37 left at 2 s
        press(pane, .character("x"))
        // Before any event from the trainer is taken in: the message and the state line.
        #expect(pane.message == "stopping after this batch…" && pane.state == .stopping)
        #expect(render(pane).lines[0].contains("● stopping"))
        fake.end(.stopped); pane.update()
        let header = render(pane).lines[0]
        #expect(header.contains("● stopped") && !header.contains("finished") && !header.contains("eval 3/40"), "\(header)")
        #expect(pane.message == nil)
    }

    /// Two `p` presses pause and resume, whatever the trainer has reported in between (a second
    /// press during an eval used to pause again).
    @Test func secondPauseBeforeThePauseTookEffectResumes() throws {
        let fake = EvalController()
        let pane = TrainPane(controller: fake, model: WorkspaceModel(try makeSampleWorkspace()))
        press(pane, .character("s")); pane.update()
        press(pane, .character("p"))
        #expect(pane.message == "pausing after this batch…" && pane.state == .pausing)
        press(pane, .character("p"))
        #expect(fake.calls == ["pause", "resume"] && pane.state == .running)
    }

    @Test func divergedAndFailedAreShownApart() throws {
        let fake = EvalController()
        let pane = TrainPane(controller: fake, model: WorkspaceModel(try makeSampleWorkspace()))
        press(pane, .character("s")); pane.update()
        fake.end(.diverged("loss is nan at step 11")); pane.update()
        #expect(render(pane).lines[0].contains("● diverged: loss is nan at step 11"))
        #expect(!pane.state.isActive && pane.state != .failed("loss is nan at step 11"))
    }

    @Test func runSummariesReadTheirStateStepsBestAndSettings() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("tb-runs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        let old = Date().addingTimeInterval(-3600)
        func stale(_ dir: URL) throws {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: dir.appendingPathComponent("metrics.jsonl").path)
        }
        try stale(try writeRun(in: runs, "a-finished", steps: 30, total: 30, saved: 30, evals: [10: 2.5, 20: 2.2, 30: 2.3]))
        try stale(try writeRun(in: runs, "b-stopped", steps: 14, total: 30, saved: 12, rank: 8))
        try stale(try writeRun(in: runs, "c-early", steps: 12, total: 30, saved: 12, evals: [4: 2, 8: 2.1, 12: 2.2],
                               patience: 2, evalsWithoutImprovement: 2))
        try stale(try writeRun(in: runs, "d-failed", steps: 0, total: 30, saved: nil))
        try writeRun(in: runs, "e-live", steps: 5, total: 30, saved: 4)  // its log was just written
        try writeRun(in: runs, "f-just-stopped", steps: 6, total: 30, saved: 6)  // a stop saves at its last row
        try FileManager.default.createDirectory(at: runs.appendingPathComponent("not-a-run"), withIntermediateDirectories: true)
        // Trained by a live process (this one holds its run lock), whatever its files say; a lock file
        // nobody holds (left by a killed run) is a stopped run.
        let marked = try writeRun(in: runs, "g-marked", steps: 6, total: 30, saved: 6)
        try stale(marked)
        let held = try RunLock(directory: marked.path)
        defer { withExtendedLifetime(held) {} }
        let dead = try writeRun(in: runs, "h-dead", steps: 6, total: 30, saved: 6)
        try stale(dead)
        try "999999999\n".write(to: dead.appendingPathComponent(RunLock.fileName), atomically: true, encoding: .utf8)

        let list = RunSummary.list(in: runs)
        #expect(list.map(\.name) == ["h-dead", "g-marked", "f-just-stopped", "e-live", "d-failed", "c-early", "b-stopped", "a-finished"])
        let byName = Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
        #expect(byName["a-finished"]?.status == .finished && byName["a-finished"]?.bestEvalLoss == 2.2)
        #expect(byName["b-stopped"]?.status == .stopped && byName["b-stopped"]?.progressText == "14/30")
        #expect(byName["b-stopped"]?.checkpointStep == 12 && byName["b-stopped"]?.keySettings == "r 8  lr 0.0005  linear")
        #expect(byName["c-early"]?.status == .finished)
        #expect(byName["d-failed"]?.status == .failed && byName["d-failed"]?.bestEvalLoss == nil)
        #expect(byName["e-live"]?.status == .running && byName["f-just-stopped"]?.status == .stopped)
        #expect(byName["g-marked"]?.status == .running && byName["h-dead"]?.status == .stopped)
        #expect(byName["a-finished"]?.setting("lora.useRSLoRA") == "true" && byName["a-finished"]?.setting("lora.alpha") == "8")
    }

    @Test func theRunsListOpensResumesAndOverlays() throws {
        let fake = EvalController()
        let workspace = try makeSampleWorkspace()
        let pane = TrainPane(controller: fake, model: WorkspaceModel(workspace))
        let old = Date().addingTimeInterval(-3600)
        for (name, steps, saved) in [("20260101-100000", 30, 30), ("20260101-110000", 14, 12)] {
            let dir = try writeRun(in: workspace.runsURL, name, steps: steps, total: 30, saved: saved, evals: [10: 2.5], rank: steps == 30 ? 4 : 8)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: dir.appendingPathComponent("metrics.jsonl").path)
        }
        press(pane, .character("r"))
        #expect(pane.column == .runs && pane.runs.map(\.name) == ["20260101-110000", "20260101-100000"])
        var column = settingsColumn(render(pane))
        #expect(column.contains("20260101-110000 stopped") && column.contains("14/30  best 2.500  r 8"), "\(column)")
        // A finished run cannot be resumed; the stopped one resumes from its checkpoint, with its curve.
        press(pane, .down, .character("R"))
        #expect(fake.resumed.isEmpty && pane.message?.contains("only a stopped run resumes") == true)
        // A click on the first run's row selects it.
        _ = pane.handleMouse(MouseEvent(kind: .press, x: 2, y: 2))
        #expect(pane.selectedRun == 0)
        press(pane, .character("R"))
        #expect(fake.resumed.map(\.lastPathComponent) == ["20260101-110000"])
        #expect(pane.history.trainLoss.count == 12 && pane.history.totalSteps == 30)
        fake.end(.stopped); pane.update()
        // Overlay the finished run, then open it: its settings replace the form.
        press(pane, .down, .character("o"))
        #expect(pane.compare?.name == "20260101-100000" && pane.compare?.history.trainLoss.count == 30)
        #expect(render(pane).lines[1].contains("─ 20260101-100000"))
        press(pane, .enter)
        press(pane, .character("r"))
        column = settingsColumn(render(pane))
        #expect(column.contains("Settings of 20260101-100000") && column.contains("lora.rank"), "\(column)")
        #expect(render(pane).lines[0].contains("● finished"))
        #expect(pane.history.trainLoss.count == 30)
    }
}
