import Corpus
import Engine
import Foundation
import Pipeline
import Workspace

/// The Dataset pane: the input's records and a detail view with token boundaries in alternating
/// colours, the packed training windows, stats and a length histogram, the preparation settings
/// (saved to `tunebench.toml`), and `p` to prepare the dataset in the background.
public final class DatasetPane: Pane {
    public let title = "Dataset"

    enum Message: Sendable {
        case loaded(DatasetSnapshot)
        case prepared(DatasetSnapshot)
        case failed(String)
    }

    enum Focus { case records, windows, settings }

    private let model: WorkspaceModel
    private let source: TokenizerSource
    private let mailbox: EventInbox<Message>
    private(set) var snapshot: DatasetSnapshot?
    private var focus: Focus = .records
    private var selectedRecord = 0
    private var selectedWindow = 0
    /// The packing settings of `[dataset]`, edited in place in the workspace.
    private(set) var settingsForm: SettingsForm
    var form: Form { settingsForm.form }
    private var detailScroll = 0
    /// The list's visible rows as last drawn and the index of the first, for the mouse.
    private var listRows: (rect: Rect, first: Int)?
    private var loading = false
    /// The input's modification date when it was last read.
    private var loadedInputDate: Date?
    private var preparing = false
    private(set) var message: String?

    /// Starts reading the workspace's dataset input in the background.
    public init(model: WorkspaceModel, waker: Waker, source: TokenizerSource) {
        self.model = model
        self.source = source
        mailbox = EventInbox(waker: waker)
        settingsForm = SettingsForm(model: model, sections: ["dataset"], excluding: ["dataset.input", "dataset.format", "dataset.output"],
                                    steps: Self.steps)
        reload()
    }

    private var settings: DatasetSettings { model.settings.dataset.settings }

    /// In the settings: the form's keys (its editor's alone while a value is typed), Esc back; in
    /// the lists: ↑/↓ select. Both: the detail view, the views, prepare, reload.
    public var keyBindings: [KeyBinding] {
        var bindings: [KeyBinding] = []
        if focus == .settings {
            let formBindings = form.keyBindings { [self] change in
                settingsForm.edit(change)
                if let problem = settingsForm.commit() { message = "error: \(problem)" }
            }
            if form.isEditing { return formBindings }
            bindings = formBindings + [KeyBinding([.escape, .character("s")], "back to the records") { [self] _ in focus = .records }]
        } else {
            bindings = [
                KeyBinding([.up, .down], focus == .windows ? "select a window" : "select a record") { [self] key in
                    let d = key == .up ? -1 : 1
                    if focus == .windows {
                        selectedWindow = clamp(selectedWindow + d, snapshot?.windows.count ?? 0)
                    } else {
                        selectedRecord = clamp(selectedRecord + d, snapshot?.records.count ?? 0)
                    }
                    detailScroll = 0
                },
                KeyBinding([.character("s")], "edit the settings") { [self] _ in focus = .settings },
            ]
        }
        return bindings + [
            KeyBinding([.pageUp, .pageDown], "scroll the detail view") { [self] key in
                detailScroll = key == .pageDown ? detailScroll + 5 : max(0, detailScroll - 5)
            },
            KeyBinding([.character("w")], focus == .windows ? "show the records" : "show the packed windows") { [self] _ in
                focus = focus == .windows ? .records : .windows
                detailScroll = 0
            },
            KeyBinding([.character("p")], "prepare the dataset into the workspace") { [self] _ in prepare() },
            KeyBinding([.character("l")], "reload the input") { [self] _ in reload() },
        ]
    }

    /// What ←/→ do to the numbers: the context length doubles or halves (powers of two are what
    /// models use), the min length moves by 10 characters, the test fraction by 0.05, the seed by 1.
    static let steps: [String: @Sendable (String, Int) -> String] = [
        "dataset.context_length": { text, d in Int(text).map { "\(min(1 << 20, max(2, d > 0 ? $0 * 2 : $0 / 2)))" } ?? text },
        "dataset.min_length": { text, d in Int(text).map { "\(max(0, $0 + 10 * d))" } ?? text },
        "dataset.test_fraction": { text, d in
            Double(text).map { "\(min(0.95, max(0, (($0 + 0.05 * Double(d)) * 100).rounded() / 100)))" } ?? text
        },
        "dataset.seed": { text, d in UInt64(text).map { "\(d > 0 ? $0 &+ 1 : ($0 == 0 ? 0 : $0 - 1))" } ?? text },
    ]

    public var job: JobStatus? {
        if preparing { return JobStatus("preparing dataset") }
        if loading { return JobStatus("reading dataset") }
        return nil
    }

    /// Reads the input again (after an extraction, say).
    public func reload() {
        guard !loading else { return }
        loadedInputDate = inputModificationDate()
        guard loadedInputDate != nil else {
            snapshot = nil
            message = "no \(model.settings.dataset.input) yet: extract the book in the PDF pane (e)"
            return
        }
        loading = true
        let ws = model.workspace
        let (input, output, format, settings, source, mailbox) = (ws.datasetInputURL, ws.datasetURL, ws.settings.dataset.format, self.settings, source, mailbox)
        runInBackground {
            do {
                mailbox.post(.loaded(try DatasetLoading.load(input: input, output: output, format: format, settings: settings, source: source)))
            } catch { mailbox.post(.failed(Self.describe(error))) }
        }
    }

    private func prepare() {
        guard !preparing else { return }
        preparing = true
        message = nil
        let ws = model.workspace
        let (job, source, mailbox) = (PrepareJob(workspace: ws), source, mailbox)
        runInBackground {
            do {
                mailbox.post(.prepared(try DatasetLoading.prepare(job, source: source)))
            } catch { mailbox.post(.failed(Self.describe(error))) }
        }
    }

    static func describe(_ error: Error) -> String {
        "\(error)"
    }

    public func update() -> Bool {
        let messages = mailbox.drain()
        for message in messages { apply(message) }
        // The input changed on disk (the PDF pane extracted the book again): read it again.
        if !loading, !preparing, inputModificationDate() != loadedInputDate {
            reload()
        }
        return !messages.isEmpty
    }

    /// When the input file was last written (nil: it does not exist).
    private func inputModificationDate() -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: model.workspace.datasetInputURL.path))?[.modificationDate] as? Date
    }

    func apply(_ result: Message) {
        switch result {
        case .loaded(let snapshot):
            loading = false
            self.snapshot = snapshot
            message = nil
        case .prepared(let snapshot):
            preparing = false
            self.snapshot = snapshot
            if let stats = snapshot.stats {
                message = "prepared \(stats.trainWindows) train + \(stats.testWindows) test windows → \(model.settings.dataset.output)/"
            }
        case .failed(let reason):
            loading = false
            preparing = false
            message = "error: \(reason)"
        }
        selectedRecord = min(selectedRecord, max(0, (snapshot?.records.count ?? 1) - 1))
        selectedWindow = min(selectedWindow, max(0, (snapshot?.windows.count ?? 1) - 1))
    }

    // MARK: Events

    private func clamp(_ value: Int, _ count: Int) -> Int { min(max(0, value), max(0, count - 1)) }

    /// A click on a row of the list selects it; the wheel moves the selection.
    public func handleMouse(_ mouse: MouseEvent) -> Bool {
        guard focus != .settings, let list = listRows else { return false }
        let count = focus == .windows ? snapshot?.windows.count ?? 0 : snapshot?.records.count ?? 0
        var index = focus == .windows ? selectedWindow : selectedRecord
        switch mouse.kind {
        case .scrollUp: index -= 1
        case .scrollDown: index += 1
        case .press where list.rect.contains(x: mouse.x, y: mouse.y): index = list.first + mouse.y - list.rect.y
        default: return false
        }
        if focus == .windows { selectedWindow = clamp(index, count) } else { selectedRecord = clamp(index, count) }
        detailScroll = 0
        return true
    }

    public var mouseActions: [String] { focus == .settings ? [] : ["click a row: select it", "wheel: move the selection"] }

    // MARK: Drawing

    public func draw(into grid: inout Grid, in rect: Rect) {
        let bottomHeight = min(12, max(0, rect.height - 6))
        let (top, bottom) = rect.splitTop(rect.height - bottomHeight)
        let listWidth = min(24, top.width / 3)
        let (list, detail) = top.splitLeft(listWidth)
        drawList(into: &grid, in: list)
        drawDetail(into: &grid, in: detail)
        guard bottomHeight >= 4 else { return }
        let settingsWidth = min(34, bottom.width / 3)
        let (settingsBox, rest) = bottom.splitLeft(settingsWidth)
        let (statsBox, histogramBox) = rest.splitLeft(rest.width / 2)
        drawSettings(into: &grid, in: settingsBox)
        drawStats(into: &grid, in: statsBox)
        drawHistogram(into: &grid, in: histogramBox)
    }

    private func drawList(into grid: inout Grid, in rect: Rect) {
        let windowsMode = focus == .windows
        let count = windowsMode ? snapshot?.windowCount ?? 0 : snapshot?.records.count ?? 0
        Frame.drawBorder(into: &grid, rect, role: focus == .settings ? .border : .accent,
                         title: windowsMode ? "windows (\(count))" : "records (\(count))")
        let inner = rect.inset(by: 1)
        listRows = nil
        guard let snapshot, !inner.isEmpty else {
            grid.put(loading ? "reading…" : "no input", x: inner.x, y: inner.y, role: .dim, clip: inner)
            return
        }
        let selected = windowsMode ? selectedWindow : selectedRecord
        let total = windowsMode ? snapshot.windows.count : snapshot.records.count
        let first = max(0, min(selected - inner.height / 2, total - inner.height))
        listRows = (Rect(x: inner.x, y: inner.y, width: inner.width, height: min(inner.height, total - first)), first)
        for row in 0..<min(inner.height, total - first) {
            let index = first + row
            let text: String
            var role: ColorRole = .text
            if windowsMode {
                text = String(format: "%4d  %4d trained", index + 1, snapshot.windows[index].trained)
            } else {
                let record = snapshot.records[index]
                let kept = DatasetPreparer(settings: settings).keeps(record.record)
                text = record.record.label.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(format: " %6d ch %@", record.characters, kept ? "✓" : "✗")
                if !kept { role = .cut }
            }
            let isSelected = index == selected
            if isSelected { grid.fill(Rect(x: inner.x, y: inner.y + row, width: inner.width, height: 1), role: .selection) }
            grid.put(text, x: inner.x, y: inner.y + row, role: isSelected ? .selection : role, clip: inner)
        }
    }

    /// Token pieces wrapped into `rect`, alternating `.tokenA` / `.tokenB`; newlines shown as ↵ and
    /// start a new row. In window mode, context-only tokens are `.dim` and padding `.cut`.
    private func drawDetail(into grid: inout Grid, in rect: Rect) {
        let inner = rect.inset(by: 1)
        var pieces: [String] = []
        var mask: [UInt8]? = nil
        var title = "detail"
        if let snapshot {
            if focus == .windows, selectedWindow < snapshot.windows.count {
                let w = snapshot.windows[selectedWindow]
                pieces = w.pieces
                mask = w.mask
                title = "train window \(selectedWindow + 1)/\(snapshot.windowCount) · \(w.pieces.count) tokens · \(w.trained) trained"
            } else if focus != .windows, selectedRecord < snapshot.records.count {
                let r = snapshot.records[selectedRecord]
                pieces = r.pieces
                let origin = r.record.pages.map { $0.count == 1 ? "page \($0.lowerBound)" : "pages \($0.lowerBound)–\($0.upperBound)" }
                    ?? "line \(r.record.line)"
                title = "\(origin) · \(r.characters) characters · \(r.pieces.count) tokens"
            } else if focus == .windows {
                title = "no windows yet: p prepares the dataset"
            }
        }
        Frame.drawBorder(into: &grid, rect, role: .border, title: title)
        guard !inner.isEmpty else { return }
        if snapshot == nil {
            let text = loading ? "reading \(model.settings.dataset.input)…" : message ?? ""
            grid.put(text, x: inner.x, y: inner.y, role: message?.hasPrefix("error") == true ? .error : .dim, clip: inner)
            return
        }
        var x = inner.x, row = 0
        for (i, piece) in pieces.enumerated() {
            var role: ColorRole = i % 2 == 0 ? .tokenA : .tokenB
            if let mask {
                if mask[i] == TokenWindow.padding { role = .cut } else if mask[i] == TokenWindow.ignored { role = .dim }
            }
            for ch in piece {
                if ch == "\n" {
                    if row >= detailScroll && row - detailScroll < inner.height {
                        grid.put("↵", x: x, y: inner.y + row - detailScroll, role: role, clip: inner)
                    }
                    x = inner.x
                    row += 1
                    continue
                }
                let w = max(1, Grid.displayWidth(of: ch))
                if x + w > inner.maxX { x = inner.x; row += 1 }
                if row >= detailScroll && row - detailScroll < inner.height {
                    grid.put(String(ch), x: x, y: inner.y + row - detailScroll, role: role, clip: inner)
                }
                x += w
            }
            if row - detailScroll >= inner.height { break }
        }
    }

    private func drawSettings(into grid: inout Grid, in rect: Rect) {
        Frame.drawBorder(into: &grid, rect, role: focus == .settings ? .accent : .border, title: "settings (s)")
        let inner = rect.inset(by: 1)
        // Values in one column, after the longest label that leaves them room ("‹ off ›", "1048576").
        form.draw(into: &grid, in: inner, focused: focus == .settings, labelWidth: max(0, inner.width - 10))
    }

    private func drawStats(into grid: inout Grid, in rect: Rect) {
        Frame.drawBorder(into: &grid, rect, role: .border, title: "stats")
        let inner = rect.inset(by: 1)
        var lines: [(String, ColorRole)] = []
        if let snapshot {
            let keeper = DatasetPreparer(settings: settings)
            let kept = snapshot.records.filter { keeper.keeps($0.record) }.count
            lines.append(("input \(URL(fileURLWithPath: snapshot.inputPath).lastPathComponent) (\(snapshot.format.rawValue))", .text))
            lines.append(("records \(snapshot.records.count), \(kept) kept, \(snapshot.records.count - kept) dropped", .text))
            if snapshot.badLines > 0 { lines.append(("\(snapshot.badLines) bad lines skipped", .warning)) }
            if let s = snapshot.stats {
                lines.append(("tokens \(s.tokens), \(s.trainedTokens) trained", .text))
                lines.append(("dropped in packing \(s.tokensDropped), padding \(s.paddingTokens)", .text))
                lines.append(("windows \(s.windows): \(s.trainWindows) train, \(s.testWindows) test", .text))
                // Wrapped: the box is narrow and the line names what differs.
                if let stale = staleness { lines += wrap(stale, width: inner.width).map { ($0, .warning) } }
            } else {
                lines.append(("not prepared yet: p prepares", .dim))
            }
        } else {
            lines.append((loading ? "reading the input…" : "no input read", .dim))
        }
        if preparing { lines.append(("preparing…", .accent)) }
        if let message { lines.append((message, message.hasPrefix("error") ? .error : .success)) }
        for (i, (text, role)) in lines.enumerated() where i < inner.height {
            grid.put(text, x: inner.x, y: inner.y + i, role: role, clip: inner)
        }
    }

    /// "out of date: prepared with context 256" while the prepared dataset does not match the
    /// settings or the input as they are now (nil when it does, or nothing is prepared).
    var staleness: String? {
        guard let snapshot, let manifest = snapshot.manifest else { return nil }
        return DatasetStaleness.message(manifest, settings: settings, input: model.workspace.datasetInputURL.lastPathComponent,
                                        inputChecksum: snapshot.inputChecksum)
    }

    /// Words of `text` in lines of at most `width` columns (a longer word is cut by the box).
    private func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    private func drawHistogram(into grid: inout Grid, in rect: Rect) {
        Frame.drawBorder(into: &grid, rect, role: .border, title: "record lengths (characters)")
        let inner = rect.inset(by: 1)
        guard let snapshot, !snapshot.records.isEmpty, inner.height > 0 else { return }
        let histogram = LengthHistogram(lengths: snapshot.records.map(\.characters), bins: inner.height)
        let labelWidth = String(histogram.binWidth * histogram.counts.count - 1).count * 2 + 3
        for (i, line) in histogram.lines(width: max(1, inner.width - labelWidth - 5)).enumerated() where i < inner.height {
            grid.put(line, x: inner.x, y: inner.y + i, role: .accent, clip: inner)
        }
    }
}
