import Foundation
import Testing

extension TmuxSession {
    /// The workbench on `workspace`, started in `folder` at 120×36, showing its Train pane.
    static func trainPane(of workspace: URL, from folder: URL) throws -> TmuxSession {
        let tui = try TmuxSession(directory: folder, width: 120, height: 36, arguments: ["open", workspace.path])
        try tui.wait(forText: "F1 PDF")
        try tui.send("F3")
        try tui.wait(forText: "F3 Train")
        return tui
    }
}

/// The workbench and the command line run the same jobs from the same settings, the workbench keeps
/// what the user chose, and paths typed in it resolve against the workspace folder.
extension WorkbenchTmuxTests {
    /// A workspace with a prepared dataset whose `tunebench.toml` differs from the defaults in the
    /// settings the Train pane used to drop (rsLoRA, weight decay, save every, targets, schedule,
    /// sample prompt, clipping, patience), with a run short enough for a test.
    static func trainingWorkspace() throws -> URL {
        let ws = FileManager.default.temporaryDirectory.appendingPathComponent("tb-jobs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: ws, withIntermediateDirectories: true)
        _ = try TrainingKillTests.prepareDataset(in: ws)  // pages.jsonl and dataset/, as the workspace defaults name them
        let toml = """
            [model]
            path = "\(TrainingKillTests.model.path)"

            [lora]
            rank = 4
            alpha = 8.0
            dropout = 0.1
            targets = ["q", "v", "gate"]
            rslora = true

            [training]
            learning_rate = 0.0005
            weight_decay = 0.05
            max_grad_norm = 0.5
            schedule = "linear"
            warmup_steps = 1
            max_steps = 2
            batch_size = 1
            seed = 7
            eval_every = 0
            save_every = 1
            patience = 3
            sample_every = 2
            sample_prompt = "Mr. Bennet said"
            sample_tokens = 4

            """
        try toml.write(to: ws.appendingPathComponent("tunebench.toml"), atomically: true, encoding: .utf8)
        return ws
    }

    /// The escapes that style the start of the tab bar (everything before its "TuneBench"): the
    /// theme's `status` role.
    static func tabBarStyle(_ tui: TmuxSession) throws -> String {
        let row = try tui.tmux(["capture-pane", "-p", "-e", "-S", "0", "-E", "0"])
        return String(row[..<(row.range(of: "TuneBench")?.lowerBound ?? row.startIndex)])
    }

    /// Waits for a message of the Train pane, which wraps in its 36-column settings column.
    static func wait(_ tui: TmuxSession, forMessage text: String) throws {
        let squeezed = text.filter { $0 != " " }
        try tui.wait(for: "'\(text)' in the settings column") { screen in
            screen.split(separator: "\n").map { $0.prefix(36).filter { $0 != " " } }.joined().contains(squeezed)
        }
    }

    static func jsonObject(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// A run started with `s` in the Train pane and `tunebench train --workspace` record the same
    /// config.json, field by field; then, in a workbench launched from another folder,
    /// `/adapter runs/NAME` and `f runs/NAME` find that run, and wrong paths are refused at once.
    @Test func theTrainPaneRunsTheWorkspacesJobAndTypedPathsResolveInTheWorkspace() throws {
        let ws = try Self.trainingWorkspace()
        defer { try? FileManager.default.removeItem(at: ws) }
        let elsewhere = ws.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let tui = try TmuxSession.trainPane(of: ws, from: elsewhere)
        defer { tui.close() }
        try tui.send("s")
        try tui.wait(for: "the pane's run to finish", timeout: 180) { $0.contains("finished") }
        let runs = ws.appendingPathComponent("runs")
        let paneRun = try #require(try FileManager.default.contentsOfDirectory(atPath: runs.path).first)

        let cli = try Binary.run(["train", "--workspace", ws.path, "--out", runs.appendingPathComponent("cli").path])
        #expect(cli.status == 0, "\(cli.stderr)")
        let fromPane = try Self.jsonObject(runs.appendingPathComponent("\(paneRun)/config.json"))
        let fromCLI = try Self.jsonObject(runs.appendingPathComponent("cli/config.json"))
        #expect(Set(fromPane.keys) == Set(fromCLI.keys))
        for key in Set(fromPane.keys).union(fromCLI.keys).sorted() {
            #expect((fromPane[key] as? NSObject) == (fromCLI[key] as? NSObject), "config.json \(key): pane \(fromPane[key] ?? "none"), CLI \(fromCLI[key] ?? "none")")
        }
        // And they are the toml's values, not defaults.
        #expect(fromPane["weightDecay"] as? Double == 0.05 && fromPane["saveEvery"] as? Int == 1 && fromPane["schedule"] as? String == "linear")
        #expect(fromPane["samplePrompt"] as? String == "Mr. Bennet said" && fromPane["earlyStoppingPatience"] as? Int == 3)
        let lora = try #require(fromPane["lora"] as? [String: Any])
        #expect(lora["useRSLoRA"] as? Bool == true && lora["targets"] as? [String] == ["q", "v", "gate"])

        // The adapter of the pane's run, by the path the README gives: relative to the workspace.
        try tui.send("F4")
        try tui.wait(forText: "Enter sends")
        try tui.type("/adapter runs/\(paneRun)")
        try tui.send("Enter")
        try tui.wait(forText: "adapter: runs/\(paneRun)")
        try tui.wait(forText: "adapter \(paneRun)")  // the status bar
        try tui.type("/adapter runs/nothing-here")
        try tui.send("Enter")
        try tui.wait(forText: "no adapter at \(ws.path)/runs/nothing-here")

        // Following the run folder shows its curve; a wrong path says so at once.
        try tui.send("F3")
        try tui.wait(forText: "F3 Train")
        try tui.send("f")
        try tui.wait(forText: "follow file")
        try tui.type("runs/\(paneRun)")
        try tui.send("Enter")
        try tui.wait(forText: "following runs/\(paneRun)")
        try tui.wait(forText: "step 2")
        try tui.send("f")
        try tui.wait(forText: "stopped following")
        try tui.send("f")
        try tui.type("runs/missing/metrics.jsonl")
        try tui.send("Enter")
        try Self.wait(tui, forMessage: "no file or run folder at \(ws.path)/runs/missing/metrics.jsonl")
        #expect(tui.isRunning)
    }

    /// A Train field, a chat setting and the theme changed in the workbench are in tunebench.toml
    /// after quitting, written as typed, and are what the workbench shows when it opens again.
    @Test func choicesMadeInTheWorkbenchAreSavedAndRestored() throws {
        let ws = FileManager.default.temporaryDirectory.appendingPathComponent("tb-keep-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: ws, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: ws) }
        try "[lora]\ndropout = 0.1\n\n[ui]\ntheme = \"dark\"\n".write(to: ws.appendingPathComponent("tunebench.toml"), atomically: true, encoding: .utf8)

        var tui = try TmuxSession(directory: ws, width: 120, height: 36)
        try tui.wait(forText: "F1 PDF")
        let darkBar = try Self.tabBarStyle(tui)
        try tui.send("F3")
        try tui.wait(forText: "dropout 0.1")
        try tui.send("Down", "Down", "Enter", "C-u")  // rank, alpha, dropout
        try tui.type("0.05")
        try tui.send("Enter")
        try tui.wait(forText: "dropout 0.05")
        try tui.send("F4")
        try tui.wait(forText: "Enter sends")
        try tui.type("/temp 0.3")
        try tui.send("Enter")
        try tui.wait(forText: "temp 0.30")
        try tui.send("F5")
        try tui.wait(forText: "light")
        let lightBar = try Self.tabBarStyle(tui)
        #expect(lightBar != darkBar, "the theme changed the tab bar's colours")
        try tui.send("C-c")
        try tui.wait(for: "the workbench to exit", timeout: 20) { _ in !tui.isRunning }
        tui.close()

        let toml = try String(contentsOf: ws.appendingPathComponent("tunebench.toml"), encoding: .utf8)
        #expect(toml.contains("\ndropout = 0.05\n"), "\(toml)")
        #expect(toml.contains("\ntemperature = 0.3  #"), "\(toml)")
        #expect(toml.contains("\ntheme = \"light\"\n"), "\(toml)")

        tui = try TmuxSession(directory: ws, width: 120, height: 36)
        defer { tui.close() }
        try tui.wait(forText: "F1 PDF")
        #expect(try Self.tabBarStyle(tui) == lightBar)
        try tui.send("F3")
        try tui.wait(forText: "dropout 0.05")
        try tui.send("F4")
        try tui.wait(forText: "temp 0.30")
    }
}
