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
}
