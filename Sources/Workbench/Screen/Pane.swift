/// One of the workbench's panes (PDF, Dataset, Train, Chat). A pane owns its state and its key map;
/// the app only routes events to the active pane and asks it to draw.
///
/// Panes run on the UI thread. Long work (extraction, training, generation) runs elsewhere and
/// reports back through the event loop; `draw` must only read state, never compute.
public protocol Pane: AnyObject {
    /// Name on the tab bar.
    var title: String { get }
    /// Every key the pane handles, for the help overlay.
    var keyBindings: [KeyBinding] { get }
    /// Handles an input event; returns whether it used it (unused keys fall through to the app).
    func handle(_ event: InputEvent) -> Bool
    /// Draws the pane into `rect` of the grid.
    func draw(into grid: inout Grid, in rect: Rect)
    /// Called on the UI thread after every wake-up of the event loop: take in what background
    /// work posted. Returns whether anything changed (the app then redraws).
    func update() -> Bool
    /// The pane's running job, for the status bar and the quit question; nil when idle.
    var job: JobStatus? { get }
    /// Whether the pane is taking text input (a field being edited): then the app's own keys
    /// (`q`, `?`, Tab…) go to the pane first.
    var capturesText: Bool { get }
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
    public var capturesText: Bool { false }
    public var adapterInUse: String? { nil }
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
