import Foundation
import Workspace

/// The Train pane: hyperparameters as an editable form on the left; on the right the run's state
/// line, the loss chart (raw, smoothed, eval), the learning-rate sparkline and the latest sample.
/// It drives any `TrainingController`, or follows another run's `metrics.jsonl` or Hugging Face
/// `trainer_state.json` read-only.
///
/// The app calls `update()` on each timer tick (and when the inbox wakes it); it applies the
/// trainer's events and polls a followed file.
public final class TrainPane: Pane {
    public let title = "Train"
    /// The `[lora]` and `[training]` settings, edited in place in the workspace.
    public private(set) var settingsForm: SettingsForm
    public var form: Form { settingsForm.form }
    public private(set) var history = RunHistory()
    public private(set) var state = TrainingState.idle { didSet { lockSettingsWhileBusy() } }
    /// One line for the user: why a key did nothing, where a followed file stands.
    public private(set) var message: String?
    public var logScale = false
    /// TensorBoard's smoothing weight, 0 … 0.99.
    public private(set) var smoothing = 0.6
    public let events = EventInbox<TrainingEvent>()

    /// What the settings column lists: the form, or the runs in the workspace's `runs/`.
    public enum Column: Sendable { case form, runs }
    public private(set) var column = Column.form
    public private(set) var runs: [RunSummary] = []
    public private(set) var selectedRun = 0
    /// The run whose recorded settings the column shows instead of the form: opened from the
    /// list, followed, or resumed.
    public private(set) var shownRun: RunSummary?
    /// Another run's curve overlaid on the chart.
    public private(set) var compare: (name: String, history: RunHistory)?
    /// Where the runs list was last drawn (its first row's y and the visible range), for the mouse.
    private var runRows: (y: Int, first: Int, count: Int, rect: Rect)?

    private let controller: any TrainingController
    private let model: WorkspaceModel
    private enum Follow { case log(MetricsLogFollower), trainerState(TrainerStateReader) }
    private var follow: Follow? { didSet { lockSettingsWhileBusy() } }
    private var pathEditor: LineEditor?  // open while typing the path of a run to follow

    public var job: JobStatus? {
        guard controller.state.isActive else { return nil }
        let step = history.latest.map { "training step \($0.step)" } ?? "training"
        // The status bar shows an eval's progress from any pane.
        return JobStatus(history.evalProgressText.map { step + ", " + $0 } ?? step, tokensPerSecond: history.latest?.tokensPerSecond)
    }

    /// A run that is going stops after its current step and saves a checkpoint before the app exits.
    public func prepareToQuit() {
        guard controller.state.isActive else { return }
        controller.stop()
        let deadline = Date().addingTimeInterval(120)
        while controller.state.isActive, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    }

    public init(controller: any TrainingController, model: WorkspaceModel) {
        self.controller = controller
        self.model = model
        settingsForm = SettingsForm(model: model, sections: ["lora", "training"])
    }

    /// The file followed, if any.
    public var followedPath: String? {
        switch follow {
        case .log(let f): f.path
        case .trainerState(let r): r.path
        case nil: nil
        }
    }

    /// The settings only display while a run is active or another run is followed.
    private func lockSettingsWhileBusy() { settingsForm.isEditable = follow == nil && !state.isActive }

    /// The follow prompt's keys while it is open, the form's alone while a value is edited (both
    /// take every printable key), else the form's and the run's.
    public var keyBindings: [KeyBinding] {
        if let editor = pathEditor {
            return [
                KeyBinding([.enter], "follow this metrics.jsonl or trainer_state.json") { [self] _ in
                    pathEditor = nil
                    let path = editor.text.trimmingCharacters(in: .whitespaces)
                    if !path.isEmpty { startFollowing(path: path) }
                },
                KeyBinding([.escape], "cancel") { [self] _ in pathEditor = nil },
            ] + editor.keyBindings { [self] change in if pathEditor != nil { change(&pathEditor!) } }
        }
        // Accepted edits go straight into the workspace (and its file).
        let formBindings = form.keyBindings { [self] change in
            settingsForm.edit(change)
            if let problem = settingsForm.commit() { message = problem }
        }
        if form.isEditing { return formBindings }
        let runBindings: [KeyBinding] = [
            KeyBinding([.character("r")], column == .form ? "list the workspace's runs" : "back to the settings form") { [self] _ in
                toggleColumn()
            },
            KeyBinding([.character("s")], "start training with these settings") { [self] _ in start() },
            KeyBinding([.character("p")], "pause / resume") { [self] _ in
                switch state {
                case .running:
                    controller.pause()
                    message = "pausing after this \(unitInProgress)…"
                case .pausing, .paused:
                    controller.resume()
                    message = "resumed"
                default: message = "no run to pause or resume"
                }
                syncState()
            },
            KeyBinding([.character("x")], "stop (saves a checkpoint)") { [self] _ in
                if state.isActive && state != .stopping {
                    controller.stop()
                    message = "stopping after this \(unitInProgress)…"
                    syncState()
                } else if state == .stopping {
                    message = "stopping after this \(unitInProgress)…"
                } else { message = "no run to stop" }
            },
            KeyBinding([.character("l")], "log scale on/off") { [self] _ in logScale.toggle() },
            KeyBinding([.character("+"), .character("-")], "more / less smoothing") { [self] key in
                smoothing = key == .character("+") ? min(0.99, (smoothing * 10 + 1).rounded() / 10) : max(0, (smoothing * 10 - 1).rounded() / 10)
            },
            KeyBinding([.character("f")], follow == nil ? "follow a metrics.jsonl or trainer_state.json" : "stop following") { [self] _ in
                if follow != nil {
                    follow = nil
                    shownRun = nil
                    message = "stopped following"
                } else if state.isActive {
                    message = "a run is going; stop it before following another"
                } else {
                    pathEditor = LineEditor()
                }
            },
        ]
        return (column == .runs ? runsListBindings : formBindings) + runBindings
    }

    /// The runs list's keys: select, open, resume, overlay.
    private var runsListBindings: [KeyBinding] {
        [
            KeyBinding([.up, .down], "select a run") { [self] key in selectRun(selectedRun + (key == .up ? -1 : 1)) },
            KeyBinding([.enter], "open the run: its curves and settings, read-only") { [self] _ in openSelectedRun() },
            KeyBinding([.character("R")], "resume the stopped run with its own settings") { [self] _ in resumeSelectedRun() },
            KeyBinding([.character("o")], "overlay the run's curve on the chart (again: remove)") { [self] _ in overlaySelectedRun() },
        ]
    }

    private func toggleColumn() {
        column = column == .form ? .runs : .form
        if column == .runs { refreshRuns() }
    }

    /// Reads `runs/` again, keeping the selection on the same run where it is still there.
    public func refreshRuns() {
        let selectedName = runs.indices.contains(selectedRun) ? runs[selectedRun].name : nil
        runs = RunSummary.list(in: model.workspace.runsURL)
        if let name = controllerRunName, state.isActive, let i = runs.firstIndex(where: { $0.name == name }) {
            runs[i].status = .running  // this pane's own run, not another process's
        }
        selectedRun = selectedName.flatMap { name in runs.firstIndex { $0.name == name } } ?? 0
    }

    /// The folder name of the run this pane's controller is training, if known.
    private var controllerRunName: String? { (controller as? EngineTrainingController)?.runDirectory?.lastPathComponent }

    public func selectRun(_ index: Int) {
        guard !runs.isEmpty else { return }
        selectedRun = min(max(0, index), runs.count - 1)
    }

    private var selected: RunSummary? { runs.indices.contains(selectedRun) ? runs[selectedRun] : nil }

    private func openSelectedRun() {
        guard let run = selected else { message = "no runs in \(model.workspace.runsURL.path) yet"; return }
        guard !state.isActive else { message = "a run is going; stop it before opening another"; return }
        startFollowing(path: run.directory.path)
        if follow != nil { message = "opened \(run.name) (read-only; f closes it)" }
    }

    private func resumeSelectedRun() {
        guard let run = selected else { message = "no runs to resume"; return }
        guard !state.isActive else { message = "a run is already \(state)"; return }
        guard run.status == .stopped else { message = "\(run.name) is \(run.status.rawValue); only a stopped run resumes"; return }
        do {
            follow = nil
            // The curve continues from the checkpoint: rows after it are dropped by the trainer too.
            history = RunHistory.read(run: run.directory, upToStep: run.checkpointStep)
            history.totalSteps = run.totalSteps
            let inbox = events
            try controller.resumeRun(run.directory) { inbox.post($0) }
            shownRun = run
            message = "resuming \(run.name) from step \(run.checkpointStep ?? 0)"
            syncState()
        } catch let error as CustomStringConvertible {
            message = "cannot resume: \(error.description)"
        } catch {
            message = "cannot resume: \(error)"
        }
    }

    private func overlaySelectedRun() {
        guard let run = selected else { message = "no runs to overlay"; return }
        if compare?.name == run.name {
            compare = nil
            message = "overlay removed"
        } else {
            compare = (run.name, RunHistory.read(run: run.directory))
            message = "overlaid \(run.name)"
        }
    }


    /// What a pause or stop waits for: the eval batch or the training step under way.
    private var unitInProgress: String { history.evalProgress == nil ? "step" : "batch" }

    /// Takes the controller's state at once, so a key's effect shows before its event arrives.
    private func syncState() {
        let now = controller.state
        if now != state { state = now }
    }

    private func start() {
        guard follow == nil else { message = "following \(followedPath ?? "a run") read-only; press f to stop following"; return }
        guard !state.isActive else { message = "a run is already \(state)"; return }
        if let problem = settingsForm.commit() { message = "cannot start: \(problem)"; return }
        do {
            history = RunHistory()
            history.totalSteps = model.settings.training.maxSteps
            shownRun = nil
            let inbox = events
            try controller.start(model.workspace) { inbox.post($0) }
            message = nil
        } catch let error as CustomStringConvertible {
            message = "cannot start: \(error.description)"
        } catch {
            message = "cannot start: \(error)"
        }
    }

    /// Starts following `typed` read-only, a path relative to the workspace folder unless
    /// absolute: a run folder (its metrics.jsonl), a `.json` file as a trainer_state.json, anything
    /// else as a metrics.jsonl. A path that is not there is refused at once.
    public func startFollowing(path typed: String) {
        var url = model.resolve(typed)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            message = "no file or run folder at \(url.path)"
            return
        }
        if isFolder.boolValue {
            let inside = ["metrics.jsonl", "trainer_state.json"].map { url.appendingPathComponent($0) }
            guard let file = inside.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
                message = "\(url.path) holds no metrics.jsonl or trainer_state.json"
                return
            }
            url = file
        }
        let path = url.path
        history = RunHistory()
        // A TuneBench run folder shows its recorded settings in place of the form.
        let folder = url.deletingLastPathComponent()
        shownRun = FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path)
            ? RunSummary.read(folder) : nil
        if let total = shownRun?.totalSteps { history.totalSteps = total }
        follow = path.hasSuffix(".json") ? .trainerState(TrainerStateReader(path: path)) : .log(MetricsLogFollower(path: path))
        message = "following \(typed)"
        _ = update()
    }

    /// Applies queued trainer events and polls a followed file; returns whether anything changed.
    @discardableResult
    public func update() -> Bool {
        var changed = false
        for event in events.drain() {
            changed = true
            switch event {
            case .state(let s):
                state = s
                if !s.isActive {
                    history.evalProgress = nil
                    if column == .runs { refreshRuns() }  // the run just ended shows its new state
                    if message?.hasPrefix("stopping after") == true || message?.hasPrefix("pausing after") == true { message = nil }
                } else if s == .paused, message?.hasPrefix("pausing after") == true { message = nil }
            case .plan(let total): history.totalSteps = total
            case .metrics(let r): history.add(r)
            case .evalProgress(let step, let done, let total, let elapsed): history.evalProgress = (step, done, total, elapsed)
            case .sample(let step, let text): history.sample = (step, text)
            case .memory(let bytes): history.memoryBytes = bytes
            }
        }
        do {
            switch follow {
            case .log(var f):
                let (rows, restarted) = try f.poll()
                if restarted { history = RunHistory() }
                for r in rows { history.add(r) }
                changed = changed || restarted || !rows.isEmpty
                if f.skippedLines > 0 { message = "following \(f.path) (\(f.skippedLines) unreadable lines skipped)" }
                follow = .log(f)
            case .trainerState(var r):
                if try r.poll() {
                    history = RunHistory()
                    history.totalSteps = r.maxSteps
                    for row in r.records { history.add(row) }
                    changed = true
                }
                follow = .trainerState(r)
            case nil: break
            }
        } catch {
            message = error.description
            follow = nil
            changed = true
        }
        return changed
    }

    public func draw(into grid: inout Grid, in rect: Rect) {
        guard rect.width >= 20, rect.height >= 6 else {
            grid.put("Train: too small", x: rect.x, y: rect.y, role: .warning, clip: rect)
            return
        }
        let (left, right) = rect.splitLeft(min(36, rect.width * 2 / 5))
        drawSettings(into: &grid, in: left)
        drawRun(into: &grid, in: Rect(x: right.x + 1, y: right.y, width: right.width - 1, height: right.height))
    }

    private func drawSettings(into grid: inout Grid, in rect: Rect) {
        let heading = switch (column, shownRun) {
        case (.runs, _): "Runs (\(runs.count))  r: form"
        case (.form, let run?): "Settings of \(run.name)"
        case (.form, nil): follow == nil ? "Settings" : "Settings (following: read-only)"
        }
        grid.put(heading, x: rect.x, y: rect.y, role: .title, attributes: .bold, clip: rect)
        // The prompt and the message keep their rows at the bottom; the form scrolls above them.
        let messageLines = message.map { TextView.wrap(StyledParagraph(text: $0, role: .warning), width: rect.width) } ?? []
        let reserved = min(rect.height / 2, (pathEditor == nil ? 0 : 2) + min(3, messageLines.count))
        let (formRect, rest) = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
            .splitTop(rect.height - 1 - reserved)
        runRows = nil
        switch (column, shownRun) {
        case (.runs, _): drawRunsList(into: &grid, in: formRect)
        case (.form, let run?): drawRecordedSettings(of: run, into: &grid, in: formRect)
        case (.form, nil): form.draw(into: &grid, in: formRect, focused: pathEditor == nil)
        }
        var y = rest.y
        if let pathEditor {
            grid.put("follow file (Enter, Esc):", x: rect.x, y: y, role: .accent, clip: rect)
            pathEditor.draw(into: &grid, in: Rect(x: rect.x, y: y + 1, width: rect.width, height: 1))
            y += 2
        }
        for line in messageLines where y < rect.maxY {
            grid.put(line.text, x: rect.x, y: y, role: .warning, clip: rect)
            y += 1
        }
    }

    /// Two lines a run: its name and state, then steps, best eval loss and key settings.
    private func drawRunsList(into grid: inout Grid, in rect: Rect) {
        guard !runs.isEmpty else {
            grid.put("no runs yet (s starts one)", x: rect.x, y: rect.y, role: .dim, clip: rect)
            return
        }
        let visible = max(1, rect.height / 2)
        let first = min(max(0, selectedRun - visible + 1), max(0, runs.count - visible))
        runRows = (rect.y, first, min(visible, runs.count - first), rect)
        for (row, index) in (first..<min(runs.count, first + visible)).enumerated() {
            let run = runs[index]
            let y = rect.y + row * 2
            let isSelected = index == selectedRun
            let statusRole: ColorRole = switch run.status {
            case .finished: .success
            case .running: .accent
            case .stopped: .warning
            case .failed: .error
            }
            if isSelected { grid.fill(Rect(x: rect.x, y: y, width: rect.width, height: 2), role: .selection) }
            let marker = compare?.name == run.name ? "◆ " : (isSelected ? "▸ " : "  ")
            var x = grid.put(marker + run.name, x: rect.x, y: y, role: isSelected ? .selection : .text, attributes: .bold, clip: rect)
            grid.put(" " + run.status.rawValue, x: x, y: y, role: isSelected ? .selection : statusRole, clip: rect)
            var detail = "  \(run.progressText)"
            if let best = run.bestEvalLoss { detail += String(format: "  best %.3f", best) }
            detail += "  " + run.keySettings
            grid.put(detail, x: rect.x, y: y + 1, role: isSelected ? .selection : .dim, clip: rect)
        }
    }

    /// A click on a run selects it (a second click opens it); the wheel moves the selection.
    public func handleMouse(_ mouse: MouseEvent) -> Bool {
        guard column == .runs, let rows = runRows else { return false }
        switch mouse.kind {
        case .scrollUp: selectRun(selectedRun - 1)
        case .scrollDown: selectRun(selectedRun + 1)
        case .press:
            guard rows.rect.contains(x: mouse.x, y: mouse.y) else { return false }
            let index = rows.first + (mouse.y - rows.y) / 2
            guard index < rows.first + rows.count else { return false }
            if index == selectedRun { openSelectedRun() } else { selectRun(index) }
        default: return false
        }
        return true
    }

    /// A run's config.json, one setting a line, read-only.
    private func drawRecordedSettings(of run: RunSummary, into grid: inout Grid, in rect: Rect) {
        let nameWidth = min(18, rect.width / 2)
        for (row, setting) in run.settings.prefix(rect.height).enumerated() {
            let y = rect.y + row
            let value = setting.name == "model" || setting.name == "dataset"
                ? URL(fileURLWithPath: setting.value).lastPathComponent : setting.value
            grid.put(String(setting.name.prefix(nameWidth - 1)), x: rect.x, y: y, role: .dim, clip: rect)
            grid.put(value, x: rect.x + nameWidth, y: y, clip: rect)
        }
    }

    private func drawRun(into grid: inout Grid, in rect: Rect) {
        // State line: ● running  step 120/500  epoch 0.48  1234 tok/s  ETA 4m05s  mem 312 MB
        var parts: [String] = []
        if let r = history.latest {
            parts.append("step \(r.step)" + (history.totalSteps.map { "/\($0)" } ?? ""))
            if let e = r.epoch { parts.append(String(format: "epoch %.2f", e)) }
            if let t = r.tokensPerSecond { parts.append(String(format: "%.0f tok/s", t)) }
        }
        if let eval = history.evalProgressText, state.isActive { parts.append(eval) }
        if let eta = history.secondsRemaining, follow != nil || state.isActive { parts.append("ETA " + RunHistory.duration(eta)) }
        if let m = history.memoryBytes { parts.append("mem " + RunHistory.bytes(m)) }
        let stateText = follow == nil ? state.description : shownRun.map { $0.status.rawValue } ?? "following"
        let stateRole: ColorRole = switch state {
        case .failed, .diverged: .error
        case .running, .finished: .success
        default: .accent
        }
        var x = grid.put("● " + stateText, x: rect.x, y: rect.y, role: stateRole, attributes: .bold, clip: rect)
        x = grid.put("  " + parts.joined(separator: "  "), x: x, y: rect.y, clip: rect)

        // Legend, then the chart, the LR sparkline and the sample underneath.
        let sampleRows = history.sample == nil ? 0 : min(4, max(0, rect.height - 10))
        let chartTop = rect.y + 2
        let chartHeight = rect.height - 2 - 1 - (sampleRows > 0 ? sampleRows + 1 : 0)
        x = grid.put("─ loss", x: rect.x, y: rect.y + 1, role: .trainLine, clip: rect)
        x = grid.put(String(format: "  ─ smoothed %.2f", smoothing), x: x, y: rect.y + 1, role: .smoothLine, clip: rect)
        x = grid.put("  • eval", x: x, y: rect.y + 1, role: .evalLine, clip: rect)
        if let last = history.latest?.loss { x = grid.put(String(format: "  last %.4f", last), x: x, y: rect.y + 1, role: .dim, clip: rect) }
        if let e = history.evalLoss.last { x = grid.put(String(format: "  eval %.4f", e.y), x: x, y: rect.y + 1, role: .dim, clip: rect) }
        if let compare { grid.put("  ─ " + compare.name, x: x, y: rect.y + 1, role: .compareLine, clip: rect) }
        if chartHeight >= 3 {
            history.chart(smoothing: smoothing, logScale: logScale, compare: compare)
                .draw(into: &grid, in: Rect(x: rect.x, y: chartTop, width: rect.width, height: chartHeight))
        }
        let lrY = chartTop + max(0, chartHeight)
        let lrLabel = history.learningRates.last.map { "lr " + String(format: "%g", $0) + " " } ?? "lr "
        let sparkX = grid.put(lrLabel, x: rect.x, y: lrY, role: .dim, clip: rect)
        grid.put(Sparkline.render(history.learningRates, width: rect.maxX - sparkX), x: sparkX, y: lrY, role: .learningRate, clip: rect)
        if let sample = history.sample, sampleRows > 0 {
            grid.put("sample at step \(sample.step):", x: rect.x, y: lrY + 1, role: .title, clip: rect)
            // The newest lines of the sample if it is long.
            TextView(paragraphs: [StyledParagraph(text: sample.text, role: .assistant)])
                .draw(into: &grid, in: Rect(x: rect.x, y: lrY + 2, width: rect.width, height: sampleRows))
        }
    }
}

extension TrainPane {
    public var mouseActions: [String] {
        column == .runs ? ["click a run: select it (again: open it)", "wheel: move the selection"] : ["r lists the runs; click and wheel work there"]
    }
}
