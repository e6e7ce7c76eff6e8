import Foundation

/// The workbench frame: tab bar, the active pane, status bar, help overlay, quit question and the
/// too-small message. It owns the panes and routes events; it draws into a `Grid` and never
/// touches the terminal, so all of it is testable by rendering into a fixed-size grid.
public final class WorkbenchApp {
    /// Below this size the frame shows a message instead of the panes.
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public private(set) var panes: [any Pane]
    public private(set) var activeIndex = 0
    public var theme: Theme
    /// The status bar's fixed fields (workspace, model, adapter, memory); run state and tokens/s
    /// come from the panes' jobs.
    public var status = StatusInfo()
    /// A one-line notice shown in the status bar until the next key (theme warnings and the like).
    public var notice: String?
    /// Set when the user asked for no colour (`NO_COLOR`): the theme key then changes nothing.
    public var colorsOff = false
    private let themes: ThemeLibrary?
    private var overlay: Overlay?
    /// Called with the theme's name after the theme key changed it (the workbench saves it to the
    /// workspace); returns a problem to show, or nil.
    public var onThemeChange: ((String) -> String?)?

    enum Overlay { case help, confirmQuit(String) }

    /// What the loop should do after an event.
    public enum Response: Equatable { case keepRunning, quit }

    public init(panes: [any Pane], theme: Theme, themes: ThemeLibrary? = nil) {
        precondition(!panes.isEmpty, "the workbench needs a pane")
        self.panes = panes
        self.theme = theme
        self.themes = themes
    }

    public var activePane: any Pane { panes[activeIndex] }

    /// Replaces the pane at `index` (the lead swaps the Train and Chat placeholders in here).
    public func setPane(_ pane: any Pane, at index: Int) { panes[index] = pane }

    /// Opens the key help in any pane, a text input's included (where `?` is typed).
    public static let helpKey = Key.function(12)

    /// The app's own keys that apply now, listed after the pane's in the help overlay. While a text
    /// input has focus it owns the printable keys, so `?` and `q` drop out: F12 and Ctrl-C remain.
    public var keyBindings: [KeyBinding] {
        [
            KeyBinding([.tab, .backTab], "next / previous pane") { [self] key in
                activeIndex = (activeIndex + (key == .tab ? 1 : panes.count - 1)) % panes.count
            },
            KeyBinding((1...panes.count).map { .function($0) }, "go to pane") { [self] key in
                if case .function(let n) = key { activeIndex = n - 1 }
            },
            helpBinding,
            KeyBinding([.function(5)], "next colour theme") { [self] _ in cycleTheme() },
            quitBinding,
        ].compactMap(availableNow)
    }

    private var helpBinding: KeyBinding {
        KeyBinding([.character("?"), Self.helpKey], "this help") { [self] _ in overlay = .help }
    }

    private var quitBinding: KeyBinding {
        KeyBinding([.character("q"), .control("c")], "quit (asks first while something runs)") { [self] _ in
            if let job = runningJob { overlay = .confirmQuit(job.description) } else { response = quit() }
        }
    }

    /// `binding` without the printable keys while the active pane's text input has focus; nil if
    /// none of its keys is left.
    private func availableNow(_ binding: KeyBinding) -> KeyBinding? {
        guard activePane.capturesText else { return binding }
        var b = binding
        b.keys.removeAll(where: \.isPrintable)
        return b.keys.isEmpty ? nil : b
    }

    /// What the last key asked the loop to do.
    private var response = Response.keepRunning

    /// The running job of any pane, for the quit question and the status bar.
    public var runningJob: JobStatus? { panes.lazy.compactMap(\.job).first }

    /// Lets the panes take in background results; returns whether anything changed.
    public func update() -> Bool {
        var changed = false
        for pane in panes where pane.update() { changed = true }
        return changed
    }

    public func handle(_ event: InputEvent) -> Response {
        guard case .key(let key) = event else {
            if case .mouse(let mouse) = event, overlay == nil, !handleTabClick(mouse) { _ = activePane.handleMouse(mouse) }
            return .keepRunning
        }
        notice = nil
        switch overlay {
        case .help:
            overlay = nil
            return .keepRunning
        case .confirmQuit:
            overlay = nil
            if key == .character("y") || key == .character("Y") { return quit() }
            return .keepRunning
        case nil: break
        }
        response = .keepRunning
        dispatch(key)
        return response
    }

    /// Runs the binding of `key`: the active pane's table first, then the app's (no key is in
    /// both). Returns whether there was one.
    @discardableResult
    func dispatch(_ key: Key) -> Bool {
        activePane.keyBindings.dispatch(key) || keyBindings.dispatch(key)
    }

    /// Lets every pane wrap up (a training run saves its checkpoint), then quits.
    private func quit() -> Response {
        for pane in panes { pane.prepareToQuit() }
        return .quit
    }

    private func cycleTheme() {
        guard let themes else { return }
        if colorsOff { notice = "NO_COLOR is set: the theme stays mono"; return }
        let names = themes.names
        guard !names.isEmpty else { notice = "no themes found"; return }
        let next = names[((names.firstIndex(of: theme.name) ?? -1) + 1) % names.count]
        do {
            theme = try themes.load(next)
            notice = onThemeChange?(next) ?? "theme: \(next)"
        } catch { notice = error.description }
    }

    public func draw(into grid: inout Grid) {
        grid.clear()
        guard grid.width >= Self.minimumWidth, grid.height >= Self.minimumHeight else {
            drawTooSmall(into: &grid)
            return
        }
        let (tabBar, rest) = grid.bounds.splitTop(1)
        let (body, statusBar) = rest.splitTop(rest.height - 1)
        drawTabBar(into: &grid, in: tabBar)
        activePane.draw(into: &grid, in: body)
        drawStatusBar(into: &grid, in: statusBar)
        switch overlay {
        case .help: drawHelp(into: &grid, in: body)
        case .confirmQuit(let job):
            drawDialog(into: &grid, in: body, title: "Quit?",
                       lines: ["\(job) is still running.", "Quit anyway? It stops (training saves first).", "", "y: quit   any other key: stay"])
        case nil: break
        }
    }

    /// A click on a tab of the tab bar switches to its pane.
    private func handleTabClick(_ mouse: MouseEvent) -> Bool {
        guard mouse.kind == .press, mouse.y == tabBarRow,
              let index = tabColumns.firstIndex(where: { $0.contains(mouse.x) }) else { return false }
        activeIndex = index
        return true
    }

    /// The mouse lines of the help: the app's, then the active pane's.
    static let appMouseActions = ["click a tab: switch to its pane"]

    /// Where the tabs were last drawn: the bar's row and each tab's columns.
    private var tabBarRow = 0
    private var tabColumns: [Range<Int>] = []

    private func drawTabBar(into grid: inout Grid, in rect: Rect) {
        grid.fill(rect, role: .status)
        var x = grid.put(" TuneBench ", x: rect.x, y: rect.y, role: .status, attributes: .bold)
        tabBarRow = rect.y
        tabColumns = []
        for (index, pane) in panes.enumerated() {
            let label = " F\(index + 1) \(pane.title) "
            let start = x + 1
            x = grid.put(label, x: start, y: rect.y, role: index == activeIndex ? .selection : .status,
                         attributes: index == activeIndex ? .bold : [])
            tabColumns.append(start..<x)
        }
        // The keys that work now: a text input with focus takes `?` and `q` as text.
        let hint = "\(hintKey(helpBinding)) help  \(hintKey(quitBinding)) quit "
        if x + Grid.displayWidth(of: hint) + 1 <= rect.maxX {
            grid.put(hint, x: rect.maxX - Grid.displayWidth(of: hint), y: rect.y, role: .status)
        }
    }

    private func drawStatusBar(into grid: inout Grid, in rect: Rect) {
        grid.fill(rect, role: .status)
        var info = status
        if let adapter = panes.lazy.compactMap(\.adapterInUse).first { info.adapter = adapter }
        if let job = runningJob {
            info.runState = job.description
            info.tokensPerSecond = job.tokensPerSecond
        }
        if let notice {
            grid.put(" " + notice, x: rect.x, y: rect.y, role: .status, attributes: .bold)
        } else {
            grid.put(info.text(width: rect.width), x: rect.x, y: rect.y, role: .status)
        }
    }

    /// The first key of `binding` that works now.
    private func hintKey(_ binding: KeyBinding) -> String { availableNow(binding)?.keys.first?.label ?? "" }

    /// The help overlay's lines: every binding of the active pane's table as it stands now, then
    /// the app's — the tables `dispatch` runs.
    var helpLines: [String] {
        let pane = activePane.keyBindings, app = keyBindings
        let keyWidth = (pane + app).map { Grid.displayWidth(of: $0.label) }.max() ?? 0
        func line(_ binding: KeyBinding) -> String {
            binding.label + String(repeating: " ", count: keyWidth - Grid.displayWidth(of: binding.label)) + "  " + binding.summary
        }
        let mouse = Self.appMouseActions + activePane.mouseActions
        return pane.map(line) + [""] + app.map(line) + ["", "Mouse"] + mouse.map { "  " + $0 } + ["", "any key closes this help"]
    }

    private func drawHelp(into grid: inout Grid, in rect: Rect) {
        drawDialog(into: &grid, in: rect, title: "Keys: \(activePane.title)", lines: helpLines)
    }

    /// A bordered box centred in `rect`, clipped to it.
    private func drawDialog(into grid: inout Grid, in rect: Rect, title: String, lines: [String]) {
        let contentWidth = max(Grid.displayWidth(of: title) + 2, lines.map { Grid.displayWidth(of: $0) }.max() ?? 0)
        let width = min(rect.width, contentWidth + 4)
        let height = min(rect.height, lines.count + 2)
        let box = Rect(x: rect.x + (rect.width - width) / 2, y: rect.y + (rect.height - height) / 2, width: width, height: height)
        grid.fill(box, role: .text)
        Frame.drawBorder(into: &grid, box, role: .accent, title: title)
        for (i, line) in lines.prefix(height - 2).enumerated() {
            grid.put(line, x: box.x + 2, y: box.y + 1 + i, clip: box.inset(by: 1))
        }
    }

    private func drawTooSmall(into grid: inout Grid) {
        let lines = [
            "Terminal too small: \(grid.width)×\(grid.height).",
            "TuneBench needs \(Self.minimumWidth)×\(Self.minimumHeight).",
            "Enlarge the window, or \(hintKey(quitBinding)) to quit.",
        ]
        let top = max(0, (grid.height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let x = max(0, (grid.width - Grid.displayWidth(of: line)) / 2)
            grid.put(line, x: x, y: top + i, role: i == 0 ? .warning : .text)
        }
    }
}

/// Box-drawing helpers shared by the frame and the panes.
public enum Frame {
    /// A single-line border on the edge cells of `rect`, with an optional title in the top edge.
    public static func drawBorder(into grid: inout Grid, _ rect: Rect, role: ColorRole = .border, title: String? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        for x in rect.x + 1..<rect.maxX - 1 {
            grid.put("─", x: x, y: rect.y, role: role)
            grid.put("─", x: x, y: rect.maxY - 1, role: role)
        }
        for y in rect.y + 1..<rect.maxY - 1 {
            grid.put("│", x: rect.x, y: y, role: role)
            grid.put("│", x: rect.maxX - 1, y: y, role: role)
        }
        grid.put("┌", x: rect.x, y: rect.y, role: role)
        grid.put("┐", x: rect.maxX - 1, y: rect.y, role: role)
        grid.put("└", x: rect.x, y: rect.maxY - 1, role: role)
        grid.put("┘", x: rect.maxX - 1, y: rect.maxY - 1, role: role)
        if let title, rect.width > 4 {
            grid.put(" \(title) ", x: rect.x + 2, y: rect.y, role: .title, attributes: .bold,
                     clip: Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: 1))
        }
    }
}

/// A pane standing in for one built elsewhere (Train and Chat come from another branch).
public final class PlaceholderPane: Pane {
    public let title: String
    private let message: String
    public init(title: String, message: String) {
        self.title = title
        self.message = message
    }
    public var keyBindings: [KeyBinding] { [] }
    public func draw(into grid: inout Grid, in rect: Rect) {
        grid.put(message, x: rect.x + 2, y: rect.y + 1, role: .dim, clip: rect)
    }
}
