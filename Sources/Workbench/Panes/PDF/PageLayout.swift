import Corpus

/// Maps PDF points onto the cells of a rectangle: the page stretched to fill it (columns per
/// point `sx`, rows per point `sy`), so the whole page is always visible whatever the terminal.
struct PageLayout: Equatable {
    var rect: Rect
    var pageWidth: Double
    var pageHeight: Double

    var sx: Double { Double(rect.width) / pageWidth }
    var sy: Double { Double(rect.height) / pageHeight }

    /// The column of x points (may lie outside `rect` for points off the page).
    func column(_ x: Double) -> Int { rect.x + Int((x * sx).rounded(.down)) }
    func row(_ y: Double) -> Int { rect.y + Int((y * sy).rounded(.down)) }
    /// The row an edge at y points is drawn on: rounded, so an edge in a gap lands between rows'
    /// text when it can.
    func edgeRow(_ y: Double) -> Int { rect.y + min(rect.height - 1, max(0, Int((y * sy).rounded()))) }
    func edgeColumn(_ x: Double) -> Int { rect.x + min(rect.width - 1, max(0, Int((x * sx).rounded()))) }
    /// Points at the centre of a cell.
    func pointX(column: Int) -> Double { (Double(column - rect.x) + 0.5) / sx }
    func pointY(row: Int) -> Double { (Double(row - rect.y) + 0.5) / sy }
}
