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

    private let controller: any TrainingController
    private let model: WorkspaceModel
    private enum Follow { case log(MetricsLogFollower), trainerState(TrainerStateReader) }
    private var follow: Follow? { didSet { lockSettingsWhileBusy() } }
    private var pathEditor: LineEditor?  // open while typing the path of a run to follow

    public var job: JobStatus? {
        guard controller.state.isActive else { return nil }
        let step = history.latest.map { "training step \($0.step)" } ?? "training"
        return JobStatus(step, tokensPerSecond: history.latest?.tokensPerSecond)
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
        return formBindings + [
            KeyBinding([.character("s")], "start training with these settings") { [self] _ in start() },
            KeyBinding([.character("p")], "pause / resume") { [self] _ in
                switch state {
                case .running: controller.pause()
                case .paused: controller.resume()
                default: message = "no run to pause or resume"
                }
            },
            KeyBinding([.character("x")], "stop (saves a checkpoint)") { [self] _ in
                if state.isActive { controller.stop() } else { message = "no run to stop" }
            },
            KeyBinding([.character("l")], "log scale on/off") { [self] _ in logScale.toggle() },
            KeyBinding([.character("+"), .character("-")], "more / less smoothing") { [self] key in
                smoothing = key == .character("+") ? min(0.99, (smoothing * 10 + 1).rounded() / 10) : max(0, (smoothing * 10 - 1).rounded() / 10)
            },
            KeyBinding([.character("f")], follow == nil ? "follow a metrics.jsonl or trainer_state.json" : "stop following") { [self] _ in
                if follow != nil {
                    follow = nil
                    message = "stopped following"
                } else if state.isActive {
                    message = "a run is going; stop it before following another"
                } else {
                    pathEditor = LineEditor()
                }
            },
        ]
    }

    private func start() {
        guard follow == nil else { message = "following \(followedPath ?? "a run") read-only; press f to stop following"; return }
        guard !state.isActive else { message = "a run is already \(state)"; return }
        if let problem = settingsForm.commit() { message = "cannot start: \(problem)"; return }
        do {
            history = RunHistory()
            history.totalSteps = model.settings.training.maxSteps
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
            case .state(let s): state = s
            case .plan(let total): history.totalSteps = total
            case .metrics(let r): history.add(r)
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
        let heading = follow == nil ? "Settings" : "Settings (following: read-only)"
        grid.put(heading, x: rect.x, y: rect.y, role: .title, attributes: .bold, clip: rect)
        // The prompt and the message keep their rows at the bottom; the form scrolls above them.
        let messageLines = message.map { TextView.wrap(StyledParagraph(text: $0, role: .warning), width: rect.width) } ?? []
        let reserved = min(rect.height / 2, (pathEditor == nil ? 0 : 2) + min(3, messageLines.count))
        let (formRect, rest) = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
            .splitTop(rect.height - 1 - reserved)
        form.draw(into: &grid, in: formRect, focused: pathEditor == nil)
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

    private func drawRun(into grid: inout Grid, in rect: Rect) {
        // State line: ● running  step 120/500  epoch 0.48  1234 tok/s  ETA 4m05s  mem 312 MB
        var parts: [String] = []
        if let r = history.latest {
            parts.append("step \(r.step)" + (history.totalSteps.map { "/\($0)" } ?? ""))
            if let e = r.epoch { parts.append(String(format: "epoch %.2f", e)) }
            if let t = r.tokensPerSecond { parts.append(String(format: "%.0f tok/s", t)) }
        }
        if let eta = history.secondsRemaining, follow != nil || state.isActive { parts.append("ETA " + RunHistory.duration(eta)) }
        if let m = history.memoryBytes { parts.append("mem " + RunHistory.bytes(m)) }
        let stateText = follow == nil ? state.description : "following"
        let stateRole: ColorRole = switch state {
        case .failed: .error
        case .running: .success
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
        if let e = history.evalLoss.last { grid.put(String(format: "  eval %.4f", e.y), x: x, y: rect.y + 1, role: .dim, clip: rect) }
        if chartHeight >= 3 {
            history.chart(smoothing: smoothing, logScale: logScale)
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
