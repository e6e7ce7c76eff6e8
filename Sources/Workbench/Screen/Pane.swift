/// One of the workbench's panes (PDF, Dataset, Train, Chat). A pane owns its state and its key
/// table; the app only routes events to the active pane and asks it to draw.
///
/// Panes run on the UI thread. Long work (extraction, training, generation) runs elsewhere and
/// reports back through the event loop; `draw` must only read state, never compute.
public protocol Pane: AnyObject {
    /// Name on the tab bar.
    var title: String { get }
    /// What each key does in the pane's current state (which focus, whether a field is being
    /// edited). The app dispatches keys through this table and only through it, and the help
    /// overlay lists it, so every key the pane takes is shown and every key shown is taken. While a
    /// text input has focus the table holds its typing binding (see `capturesText`).
    var keyBindings: [KeyBinding] { get }
    /// Handles a mouse report; returns whether it used it.
    func handleMouse(_ mouse: MouseEvent) -> Bool
    /// What the mouse does in the pane now, one line each ("wheel: scroll the transcript"), for
    /// the help overlay's Mouse section; kept next to `handleMouse`.
    var mouseActions: [String] { get }
    /// Draws the pane into `rect` of the grid.
    func draw(into grid: inout Grid, in rect: Rect)
    /// Called on the UI thread after every wake-up of the event loop: take in what background
    /// work posted. Returns whether anything changed (the app then redraws).
    func update() -> Bool
    /// The pane's running job, for the status bar and the quit question; nil when idle.
    var job: JobStatus? { get }
    /// Called once when the user quits: finish or save what is running (may block briefly).
    func prepareToQuit()
    /// The adapter this pane generates with, for the status bar ("" for none); nil if the pane
    /// has no say.
    var adapterInUse: String? { get }
}

extension Pane {
    public func prepareToQuit() {}
    public func update() -> Bool { false }
    public var job: JobStatus? { nil }
    public var adapterInUse: String? { nil }
    public func handleMouse(_ mouse: MouseEvent) -> Bool { false }
    public var mouseActions: [String] { [] }

    /// Whether a text input has focus (the chat line, a form value being edited, a prompt): it
    /// owns every printable key, and the app keeps only F-keys, Tab/Shift-Tab, Esc and Ctrl keys.
    /// Read from the table, so it cannot disagree with what the keys do.
    public var capturesText: Bool { keyBindings.contains(where: \.takesText) }

    /// Runs a key's binding from `keyBindings` or hands a mouse report to `handleMouse`; returns
    /// whether the pane used the event (unused keys fall through to the app).
    @discardableResult
    public func handle(_ event: InputEvent) -> Bool {
        switch event {
        case .key(let key): keyBindings.dispatch(key)
        case .mouse(let mouse): handleMouse(mouse)
        case .resize: false
        }
    }
}

/// A job a pane is running in the background.
public struct JobStatus: Sendable, Equatable {
    /// "extracting 12/48", "training step 30".
    public var description: String
    public var tokensPerSecond: Double?
    public init(_ description: String, tokensPerSecond: Double? = nil) {
        self.description = description
        self.tokensPerSecond = tokensPerSecond
    }
}
