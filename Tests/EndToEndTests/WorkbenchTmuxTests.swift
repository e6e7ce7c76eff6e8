import Foundation
import Testing

/// A tmux server with one window running the real `tunebench` workbench, on a private socket.
final class TmuxSession {
    let socket: String
    let directory: URL

    /// Runs `program arguments` in `directory`; `environment` adds to (or replaces) the variables
    /// the workbench gets, e.g. a `PATH` under which `program` is a bare command name.
    init(directory: URL, width: Int = 100, height: Int = 30, arguments: [String] = [],
         program: String = Binary.tunebench.path, environment: [String: String] = [:]) throws {
        self.directory = directory
        socket = FileManager.default.temporaryDirectory.appendingPathComponent("tb-tmux-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock").path
        let variables = (["TERM": "xterm-256color"].merging(environment) { $1 }).sorted { $0.key < $1.key }.map { "'\($0.key)=\($0.value)'" }
        let command = (variables + ([program] + arguments).map { "'\($0)'" }).joined(separator: " ")
        // The server this starts outlives the call, so it must not inherit any descriptor of ours:
        // other tests run processes concurrently and read their pipes to the end, and a server
        // holding a write end would keep them waiting forever. bash closes all but 0–2 first.
        let closeAndExec = #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec tmux "$@""#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", closeAndExec, "tmux-launch",
                             "-S", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)",
                             "-c", directory.path, "env -u NO_COLOR \(command)"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        // The server's and the workbench's process ids, so `close` can make sure both are gone.
        let ids = (try? tmux(["display-message", "-p", "#{pid} #{pane_pid}"]))?.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? []
        processIDs = ids
    }

    private var processIDs: [Int32] = []

    deinit { close() }

    /// Ends the tmux server and with it the workbench (SIGHUP).
    func close() {
        _ = try? tmux(["kill-server"])
        // A workbench stuck in a busy loop must not outlive the test and slow everything after it.
        for pid in processIDs.reversed() where pid > 1 { kill(pid, SIGKILL) }
        processIDs = []
        try? FileManager.default.removeItem(atPath: socket)
    }

    /// Runs a tmux command on this session's socket; returns its standard output.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String { try tmuxStatus(arguments).output }

    func tmuxStatus(_ arguments: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-S", socket] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    func send(_ keys: String...) throws { try tmux(["send-keys"] + keys) }
    func type(_ text: String) throws { try tmux(["send-keys", "-l", text]) }
    func screen() throws -> String { try tmux(["capture-pane", "-p"]) }
    /// The screen with its colours and attributes as escape sequences (`capture-pane -e`).
    func styledScreen() throws -> String { try tmux(["capture-pane", "-p", "-e"]) }
    func resize(width: Int, height: Int) throws { try tmux(["resize-window", "-x", "\(width)", "-y", "\(height)"]) }
    /// Whether the workbench still runs (tmux ends the session when its command exits).
    var isRunning: Bool { ((try? tmuxStatus(["has-session"]))?.status ?? 1) == 0 }

    /// Waits until the screen satisfies `condition`, or fails after `timeout` seconds with the screen.
    @discardableResult
    func wait(for what: String, timeout: Double = 30, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = (try? screen()) ?? ""
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("timed out waiting for \(what); the screen was:\n\(last)")
        throw TmuxTimeout()
    }

    func wait(forText text: String, timeout: Double = 30) throws -> String {
        try wait(for: "'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    struct TmuxTimeout: Error {}
}

/// The workbench end to end, under tmux, on a copy of the sample workspace: auto crop, extract,
/// prepare, train a few steps, chat, resize, quit — asserting on what the terminal shows.
@Suite(.serialized) struct WorkbenchTmuxTests {
    /// A fresh copy of samples/workspace (with the sample book beside it, as in the repository).
    static func sampleWorkspace() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tb-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let workspace = root.appendingPathComponent("workspace")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        let samples = Binary.packageRoot.appendingPathComponent("samples")
        try FileManager.default.copyItem(at: samples.appendingPathComponent("pride-and-prejudice-a5.pdf"),
                                         to: root.appendingPathComponent("pride-and-prejudice-a5.pdf"))
        // The sample settings, with a training run short enough for a test: 3 steps of one window.
        var toml = try String(contentsOf: samples.appendingPathComponent("workspace/tunebench.toml"), encoding: .utf8)
        toml = toml.replacingOccurrences(of: "max_steps = 0", with: "max_steps = 3")
            .replacingOccurrences(of: "batch_size = 4", with: "batch_size = 1")
            .replacingOccurrences(of: "warmup_steps = 10", with: "warmup_steps = 1")
            .replacingOccurrences(of: "eval_every = 50", with: "eval_every = 2")
        try toml.write(to: workspace.appendingPathComponent("tunebench.toml"), atomically: true, encoding: .utf8)
        return workspace
    }

    /// Text inputs take every printable key: `q`, `?` and accented letters typed in the chat, in a
    /// Train form field and in the follow prompt land there, and neither quit nor open the help.
    /// The chat needs only the default model (no dataset, no training).
    @Test func textInputsTakeEveryPrintableKey() throws {
        let text = "Is q a letter? Où est-il?"
        let workspace = try Self.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.deletingLastPathComponent()) }
        let tui = try TmuxSession(directory: workspace)
        defer { tui.close() }
        try tui.wait(forText: "F1 PDF")
        try tui.wait(forText: "? help  q quit")

        // The chat: the line is sent as typed and the real model's reply streams in.
        try tui.send("F4")
        try tui.wait(forText: "Enter sends")
        try tui.type(text)
        let typed = try tui.wait(forText: "> " + text)
        #expect(typed.contains("F12 help  Ctrl-C quit"))
        try tui.send("Enter")
        let chat = try tui.wait(for: "a streamed reply", timeout: 90) { screen in
            screen.contains("you: " + text)
                && screen.split(separator: "\n").contains { $0.hasPrefix("model: ") && $0.count > "model: ".count + 2 }
        }
        #expect(!chat.contains("Keys:"))
        #expect(tui.isRunning)

        // A Train form text field, `targets`: the typed text replaces the value; Esc brings it back.
        try tui.send("F3")
        let train = try tui.wait(forText: " targets ")
        let rows = train.split(separator: "\n", omittingEmptySubsequences: false)
        let firstField = try #require(rows.firstIndex { $0.contains(" rank ") })  // selected at first; no heading between it and targets
        let targetsRow = try #require(rows.firstIndex { $0.contains(" targets ") })
        for _ in firstField..<targetsRow { try tui.send("Down") }
        try tui.send("Enter")
        try tui.type(text)
        let field = try tui.wait(for: "the text in the targets field") { screen in
            screen.split(separator: "\n").contains { $0.contains(" targets ") && $0.contains("est-il?") }
        }
        #expect(field.contains("F12 help  Ctrl-C quit") && !field.contains("Keys:"))
        #expect(tui.isRunning)
        try tui.send("Escape")
        try tui.wait(forText: " targets q,k,v,o")

        // The follow prompt.
        try tui.send("f")
        try tui.wait(forText: "follow file")
        try tui.type(text)
        let prompt = try tui.wait(forText: "> " + text)
        #expect(!prompt.contains("Keys:"))
        #expect(tui.isRunning)
        try tui.send("Escape")
        try tui.wait(for: "the prompt to close") { !$0.contains("follow file") }

        // In the chat, F12 opens the help and Ctrl-C quits.
        try tui.send("F4")
        try tui.send("F12")
        try tui.wait(forText: "Keys: Chat")
        try tui.send("Escape")
        try tui.wait(for: "the help to close") { !$0.contains("Keys: Chat") }
        try tui.send("C-c")
        try tui.wait(for: "the workbench to exit", timeout: 20) { _ in !tui.isRunning }
    }

    /// An installed binary — copied alone into a folder on PATH and started from another folder —
    /// carries its themes: no "no theme" warning in the status bar, and the screen is drawn in the
    /// dark theme's 256 colours (the status bar: fg 252 on bg 236), not in plain terminal colours.
    @Test func anInstalledBinaryDrawsWithItsBuiltInTheme() throws {
        let workspace = try Self.sampleWorkspace()
        let root = workspace.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("bin"), elsewhere = root.appendingPathComponent("elsewhere")
        for folder in [bin, elsewhere] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(at: Binary.tunebench, to: bin.appendingPathComponent("tunebench"))
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let tui = try TmuxSession(directory: elsewhere, arguments: ["open", workspace.path], program: "tunebench",
                                  environment: ["PATH": path, "NO_COLOR": ""])
        defer { tui.close() }

        let screen = try tui.wait(forText: "adapter none")
        let statusBar = screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
        #expect(statusBar.contains("workspace") && !statusBar.contains("theme"), "\(statusBar)")
        let styled = try tui.styledScreen()
        #expect(styled.contains("38;5;252") && styled.contains("48;5;236"), "no dark-theme colours in:\n\(styled.debugDescription.prefix(600))")
        try tui.send("q")
        try tui.wait(for: "the workbench to exit", timeout: 20) { _ in !tui.isRunning }
    }

    @Test func theWholeLoopInTheWorkbench() throws {
        let workspace = try Self.sampleWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.deletingLastPathComponent()) }
        let tui = try TmuxSession(directory: workspace)
        defer { tui.close() }

        // Opens on the PDF pane with the sample book (the status bar is drawn once the first page is).
        try tui.wait(forText: "F1 PDF")
        try tui.wait(forText: "pride-and-prejudice-a5.pdf")
        try tui.wait(forText: "adapter none")

        // Auto crop shows its evidence: the running heads and folios it cut.
        try tui.send("a")
        let cropped = try tui.wait(forText: "auto crop (confidence")
        #expect(cropped.contains("cut  head"))
        #expect(cropped.contains("body pages 5–52"))

        // Extract writes the body pages to the workspace.
        try tui.send("e")
        try tui.wait(forText: "wrote 48 pages to pages.jsonl", timeout: 60)
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("pages.jsonl").path))

        // Prepare the dataset in the Dataset pane.
        try tui.send("F2")
        // 48 pages, joined where a page continues the previous one's sentence.
        try tui.wait(forText: "records (19)")
        try tui.send("p")
        let prepared = try tui.wait(forText: "windows 77: 69 train, 8 test", timeout: 60)
        #expect(prepared.contains("records 19"))
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("dataset/manifest.json").path))

        // Train a few steps: the status line counts them and the chart draws braille points.
        try tui.send("F3")
        try tui.wait(forText: "F3 Train")
        try tui.send("s")
        let trained = try tui.wait(for: "three training steps", timeout: 240) { $0.contains("step 3/3") }
        let braille = trained.unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }.count
        #expect(braille >= 3, "the loss chart shows points")
        try tui.wait(for: "the run to finish", timeout: 120) { $0.contains("finished") }
        let runs = try FileManager.default.contentsOfDirectory(atPath: workspace.appendingPathComponent("runs").path)
        #expect(runs.count == 1)
        if let run = runs.first {
            let metrics = try String(contentsOf: workspace.appendingPathComponent("runs/\(run)/metrics.jsonl"), encoding: .utf8)
            #expect(metrics.split(separator: "\n").filter { $0.contains("\"loss\"") }.count >= 3)
        }

        // Chat: the reply streams into the conversation.
        try tui.send("F4")
        try tui.wait(forText: "Enter sends")
        try tui.type("Say hello.")
        try tui.send("Enter")
        let chat = try tui.wait(for: "a streamed reply", timeout: 90) { screen in
            screen.split(separator: "\n").contains { $0.hasPrefix("model: ") && $0.count > "model: ".count + 2 }
        }
        #expect(chat.contains("you: Say hello."))

        // Too small, then back.
        try tui.resize(width: 40, height: 10)
        try tui.wait(forText: "Terminal too small: 40×10.")
        try tui.resize(width: 100, height: 30)
        try tui.wait(forText: "F1 PDF")

        // Quit: the Chat pane is active, and its input line takes `q` as text; Ctrl-C quits.
        try tui.send("C-c")
        try tui.wait(for: "the workbench to exit", timeout: 20) { _ in !tui.isRunning }
    }
}
