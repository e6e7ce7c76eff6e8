import Foundation
import Testing

/// The Train pane's runs list and its stop key, end to end: runs survive a restart of the
/// workbench, a stopped run resumes where it stopped, runs overlay, and a stop during a long eval
/// answers at once and ends the run before the eval does.
extension WorkbenchTmuxTests {
    /// `trainingWorkspace()` with `max_steps`, `eval_every` and no samples.
    static func trainingWorkspace(maxSteps: Int, evalEvery: Int) throws -> URL {
        let ws = try trainingWorkspace()
        let toml = ws.appendingPathComponent("tunebench.toml")
        let text = try String(contentsOf: toml, encoding: .utf8)
            .replacingOccurrences(of: "max_steps = 2", with: "max_steps = \(maxSteps)")
            .replacingOccurrences(of: "eval_every = 0", with: "eval_every = \(evalEvery)")
            .replacingOccurrences(of: "sample_every = 2", with: "sample_every = 0")
        try text.write(to: toml, atomically: true, encoding: .utf8)
        return ws
    }

    /// (step, has eval_loss) of each row of a run's metrics.jsonl.
    static func rows(_ run: URL) throws -> [(step: Int, eval: Bool)] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return ((object["step"] as? NSNumber)?.intValue ?? -1, object["eval_loss"] != nil)
        }
    }

    /// Train, stop, quit; reopen: the run is listed as stopped, resumes from the list to its last
    /// step with one row per step, and another run's curve overlays it.
    @Test func runsAreListedAfterARestartResumeAndOverlay() throws {
        let ws = try Self.trainingWorkspace(maxSteps: 6, evalEvery: 0)
        defer { try? FileManager.default.removeItem(at: ws) }
        do {
            let tui = try TmuxSession.trainPane(of: ws, from: ws)
            defer { tui.close() }
            try tui.send("s")
            try tui.wait(for: "two steps", timeout: 180) { $0.contains("step 2/6") }
            try tui.send("x")
            try tui.wait(forText: "● stopped", timeout: 60)
            try tui.send("q")
            try tui.wait(for: "the workbench to exit", timeout: 20) { _ in !tui.isRunning }
        }
        let runs = ws.appendingPathComponent("runs")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: runs.path).first)
        let stoppedAt = try #require(try Self.rows(runs.appendingPathComponent(name)).map(\.step).max())
        #expect(stoppedAt < 6)

        let tui = try TmuxSession.trainPane(of: ws, from: ws)
        defer { tui.close() }
        try tui.send("r")
        let listed = try tui.wait(forText: "\(name) stopped")
        #expect(listed.contains("\(stoppedAt)/6") && listed.contains("r 4  lr 0.0005  linear"), "\(listed)")
        try tui.send("R")
        try tui.wait(for: "the resumed run to finish", timeout: 240) { $0.contains("● finished") && $0.contains("step 6/6") }
        let trainSteps = try Self.rows(runs.appendingPathComponent(name)).filter { !$0.eval }.map(\.step)
        #expect(trainSteps == Array(1...6), "one row per step across the stop: \(trainSteps)")

        // A second run (a copy stands in for one) overlays the first in the chart's legend.
        try FileManager.default.copyItem(at: runs.appendingPathComponent(name), to: runs.appendingPathComponent("zz-copy"))
        try tui.send("r")
        try tui.send("r")  // the list is read again when it opens
        try tui.wait(forText: "zz-copy finished")
        try tui.send("Up")  // the list keeps the selection on the resumed run; zz-copy sorts first
        try tui.send("o")
        try tui.wait(forText: "─ zz-copy")
        try tui.send("Down")
        try tui.send("Enter")
        try tui.send("r")
        let opened = try tui.wait(forText: "Settings of \(name)")
        #expect(opened.contains("─ zz-copy") && opened.contains("lora.rank"))
    }

    /// A run with a long eval (many test windows, one a batch): `x` during the eval is answered
    /// within 300 ms, and the run stops before the eval ends (no eval row, the eval pending in
    /// the checkpoint), within about one batch.
    @Test func stopDuringAnEvalAnswersAtOnceAndEndsBeforeTheEval() throws {
        let ws = FileManager.default.temporaryDirectory.appendingPathComponent("tb-eval-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: ws, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: ws) }
        _ = try TrainingKillTests.prepareDataset(in: ws, testSize: 0.5)  // half the windows in the eval
        let toml = """
            [model]
            path = "\(TrainingKillTests.model.path)"

            [lora]
            rank = 4
            alpha = 8.0

            [training]
            max_steps = 3
            batch_size = 1
            eval_every = 1
            save_every = 0

            """
        try toml.write(to: ws.appendingPathComponent("tunebench.toml"), atomically: true, encoding: .utf8)

        let tui = try TmuxSession.trainPane(of: ws, from: ws)
        defer { tui.close() }
        try tui.send("s")
        // Well into the eval after step 1: the batches done and the total are shown.
        let during = try tui.wait(for: "the eval's progress", timeout: 180) { $0.range(of: #"eval [2-9]/\d\d"#, options: .regularExpression) != nil }
        let total = try #require(during.range(of: #"eval \d+/(\d+)"#, options: .regularExpression).map { String(during[$0]) }
            .flatMap { Int($0.split(separator: "/")[1]) })
        #expect(total >= 20, "the eval is long: \(total) batches")
        let pressed = Date()
        try tui.send("x")
        var feedback: Double?
        while Date().timeIntervalSince(pressed) < 5 {
            let screen = (try? tui.screen()) ?? ""
            if Self.settingsColumnText(screen).contains("stoppingafterthisbatch") { feedback = Date().timeIntervalSince(pressed); break }
        }
        let answered = try #require(feedback, "no 'stopping after this batch…' within 5 s")
        #expect(answered < 0.3, "feedback took \(answered) s")
        let stopped = try tui.wait(forText: "● stopped", timeout: 60)
        let stoppedAfter = Date().timeIntervalSince(pressed)
        print(String(format: "stop during eval: feedback %.0f ms, stopped after %.2f s", answered * 1000, stoppedAfter))
        #expect(!stopped.contains("finished"))

        let runs = ws.appendingPathComponent("runs")
        let run = runs.appendingPathComponent(try #require(try FileManager.default.contentsOfDirectory(atPath: runs.path).first))
        let rows = try Self.rows(run)
        #expect(rows.filter(\.eval).isEmpty && rows.map(\.step) == [1], "the run stopped inside step 1's eval: \(rows)")
        let trainer = try Self.jsonObject(run.appendingPathComponent("last/trainer.json"))
        #expect(trainer["eval_pending"] as? Bool == true && trainer["step"] as? Int == 1)
    }

    /// The Train pane's settings column (36 columns), spaces squeezed out.
    static func settingsColumnText(_ screen: String) -> String {
        screen.split(separator: "\n").map { $0.prefix(36).filter { $0 != " " } }.joined()
    }
}
