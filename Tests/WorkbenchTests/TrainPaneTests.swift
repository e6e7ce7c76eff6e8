import Foundation
import Testing
import Workspace
@testable import Workbench

/// A trainer stand-in: records calls and, on start, reports a short run through the event sink.
private final class FakeController: TrainingController {
    var state = TrainingState.idle
    var started: [Workspace] = []
    var calls: [String] = []
    var sink: (@Sendable (TrainingEvent) -> Void)?

    func start(_ workspace: Workspace, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        started.append(workspace)
        sink = events
        state = .running
        events(.state(.running))
        events(.plan(totalSteps: 100))
        for step in 1...20 {
            events(.metrics(MetricRecord(step: step, epoch: Double(step) / 40, loss: 3 - Double(step) * 0.1 + (step % 2 == 0 ? 0.05 : -0.05),
                                         learningRate: Double(min(step, 5)) * 1e-4, tokensPerSecond: 250, elapsed: Double(step) * 2)))
            if step % 10 == 0 { events(.metrics(MetricRecord(step: step, evalLoss: 3.1 - Double(step) * 0.08))) }
        }
        events(.sample(step: 20, text: "It is a truth universally acknowledged"))
        events(.memory(bytes: 300 << 20))
    }
    func pause() { calls.append("pause"); state = .paused; sink?(.state(.paused)) }
    func resume() { calls.append("resume"); state = .running; sink?(.state(.running)) }
    func stop() { calls.append("stop"); state = .finished; sink?(.state(.finished)) }
}

/// A Train pane over a fresh workspace in a temporary folder.
private func trainPane(_ controller: FakeController, _ configure: (inout WorkspaceSettings) -> Void = { _ in }) throws -> TrainPane {
    TrainPane(controller: controller, model: WorkspaceModel(try makeSampleWorkspace(configure)))
}

@Suite struct TrainPaneTests {
    private func press(_ pane: TrainPane, _ keys: Key...) { for k in keys { _ = pane.handle(.key(k)) } }
    private func type(_ pane: TrainPane, _ text: String) { for c in text { _ = pane.handle(.key(.character(c))) } }
    private func render(_ pane: TrainPane, width: Int = 120, height: Int = 30) -> Grid {
        var g = Grid(width: width, height: height)
        pane.draw(into: &g, in: g.bounds)
        return g
    }

    @Test func editedSettingsReachTheControllerAndTheRunIsDrawn() throws {
        let fake = FakeController()
        let pane = try trainPane(fake)
        // Rank: a bad value is refused with the engine's reason, a good one accepted.
        press(pane, .enter, .control("u")); type(pane, "0"); press(pane, .enter)
        let refused = render(pane).lines.map { String($0.prefix(36)) }.joined(separator: " ")
        #expect(refused.contains("rank: LoRA rank must be between 1"), "\(refused)")
        #expect(pane.form.isEditing)
        press(pane, .control("u")); type(pane, "16"); press(pane, .enter)
        // Schedule: 13 rows down (after the LoRA and optimizer settings), cycled from cosine to constant.
        for _ in 0..<13 { press(pane, .down) }
        press(pane, .right)
        press(pane, .character("s"))
        #expect(fake.started.count == 1)
        #expect(fake.started[0].settings.lora.rank == 16 && fake.started[0].settings.training.schedule == .constant)
        // The run is the workspace's: the edits are in its file too.
        let saved = try Workspace.open(at: fake.started[0].directory)
        #expect(saved.settings == fake.started[0].settings)
        #expect(pane.update())
        #expect(pane.state == .running)

        let lines = render(pane).lines
        let right = lines.map { String($0.dropFirst(37)) }  // the settings column is 36 wide, then a gap
        // 20 steps of 2 s each, 80 left: ETA 160 s.
        #expect(right[0] == "● running  step 20/100  epoch 0.50  250 tok/s  ETA 2m40s  mem 300 MB")
        #expect(right[1].hasPrefix("─ loss  ─ smoothed 0.60  • eval  last 1.0500  eval 1.5000"))
        // Labels right-aligned in at most half the 36-column settings area.
        #expect(lines[1].hasPrefix("LoRA ") && lines[2].hasPrefix("             rank 16 "), "\(lines[1...2])")
        #expect(lines.contains { $0.hasPrefix("         schedule ‹ constant › ") })
        // The chart's plot area holds braille in the three series' colours.
        let g = render(pane)
        var roles = Set<ColorRole>()
        for y in 0..<g.height { for x in 0..<g.width where g[x, y].character.unicodeScalars.first!.value & 0xFF00 == 0x2800 { roles.insert(g[x, y].role) } }
        #expect(roles == [.trainLine, .smoothLine, .evalLine])
        // LR sparkline: 1e-4 … 5e-4 over 5 warmup steps, then flat: levels (v − 1e-4)/4e-4 · 7
        // rounded = 0, 2, 4 (3.5 rounds up), 5, 7.
        #expect(lines.contains { $0.contains("lr 0.0005 ▁▃▅▆" + String(repeating: "█", count: 16)) })
        #expect(lines.contains { $0.contains("sample at step 20:") })
        #expect(lines.contains { $0.contains("It is a truth universally acknowledged") })
    }

    @Test func theWorkspacesBaseQuantIsShownKeptAndEditable() throws {
        let fake = FakeController()
        let pane = try trainPane(fake) { $0.training.baseQuant = .q8_0 }
        for _ in 0..<30 { press(pane, .down) }
        #expect(render(pane).lines.contains { $0.hasPrefix("       base quant ‹ q8_0 › ") })
        press(pane, .character("s"))
        #expect(fake.started.last?.settings.training.baseQuant == .q8_0)
        press(pane, .character("x"))

        // The last field cycles: as stored → nf4 → q8_0 → q4_0 → as stored.
        let other = FakeController()
        let fresh = try trainPane(other)
        for _ in 0..<30 { press(fresh, .down) }
        #expect(render(fresh).lines.contains { $0.hasPrefix("       base quant ‹ as stored › ") })
        press(fresh, .right)
        press(fresh, .character("s"))
        #expect(other.started.last?.settings.training.baseQuant == .nf4)
    }

    @Test func pauseResumeStopGoToTheController() throws {
        let fake = FakeController()
        let pane = try trainPane(fake)
        press(pane, .character("p"))
        #expect(pane.message == "no run to pause or resume" && fake.calls.isEmpty)
        press(pane, .character("s")); pane.update()
        press(pane, .character("p")); pane.update()
        #expect(pane.state == .paused)
        press(pane, .character("p")); pane.update()
        press(pane, .character("x")); pane.update()
        #expect(fake.calls == ["pause", "resume", "stop"] && pane.state == .finished)
        // Settings are locked while a run is active.
        press(pane, .character("s")); pane.update()
        press(pane, .enter)
        #expect(!pane.form.isEditing)
    }

    @Test func logToggleChangesTheChart() throws {
        let pane = try trainPane(FakeController())
        press(pane, .character("s")); pane.update()
        let linear = render(pane).lines
        press(pane, .character("l"))
        let log = render(pane).lines
        #expect(linear != log)
        #expect(log.contains { $0.contains("log") })
    }

    @Test func followsAMetricsFileReadOnly() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("metrics.jsonl")
        try Data("{\"step\":1,\"loss\":2.5,\"lr\":1e-4,\"elapsed\":1}\n{\"step\":2,\"loss\":2.25,\"lr\":1e-4,\"elapsed\":2}\n".utf8).write(to: url)
        let fake = FakeController()
        let pane = try trainPane(fake)
        press(pane, .character("f")); type(pane, url.path); press(pane, .enter)
        #expect(pane.followedPath == url.path)
        #expect(pane.history.trainLoss.map(\.y) == [2.5, 2.25])
        press(pane, .character("s"))
        #expect(fake.started.isEmpty && pane.message?.hasPrefix("following") == true)
        let h = try FileHandle(forWritingTo: url); try h.seekToEnd(); try h.write(contentsOf: Data("{\"step\":3,\"loss\":2.0}\n".utf8)); try h.close()
        #expect(pane.update())
        #expect(pane.history.latest?.step == 3)
        #expect(render(pane).lines[0].contains("● following  step 3"))
    }

    @Test func followsATrainerStateFile() throws {
        let pane = try trainPane(FakeController())
        pane.startFollowing(path: fixturesDirectory.appendingPathComponent("trainer_state.json").path)
        #expect(pane.history.totalSteps == 8)
        #expect(pane.history.trainLoss.map(\.x) == [2, 4, 6, 8])
        #expect(pane.history.evalLoss.map(\.y) == [2.9532, 2.7011])
        #expect(render(pane).lines[0].contains("step 8/8  epoch 1.00"))
    }
}
