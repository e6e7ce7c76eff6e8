import Corpus

/// An edge of the crop box.
public enum CropEdge: String, CaseIterable, Sendable {
    case top, right, bottom, left

    var isHorizontal: Bool { self == .top || self == .bottom }
}

/// Edits a crop box one edge at a time, in PDF points. Horizontal edges snap by default into the
/// gaps between text lines (an edge through a line would cut its glyphs in half); `snaps = false`
/// moves them freely by the fine or coarse step. Vertical edges always move by steps.
public struct CropEditor: Sendable, Equatable {
    public var box: CropBox
    public var pageWidth: Double
    public var pageHeight: Double
    public var selected: CropEdge = .top
    public var snaps = true

    /// Step sizes in points when not snapping.
    public static let fineStep = 1.0
    public static let coarseStep = 10.0
    /// Gaps a coarse snapping move skips.
    public static let coarseGaps = 5
    /// The crop keeps at least this much of the page in each direction.
    public static let minimumSize = 2.0

    public init(box: CropBox, pageWidth: Double, pageHeight: Double) {
        self.box = box
        self.pageWidth = pageWidth
        self.pageHeight = pageHeight
    }

    /// The y coordinates (points from the top) halfway between consecutive rows of text, plus one
    /// above the first row and one below the last: where a horizontal edge may rest. Lines that
    /// overlap vertically count as one row; ascending.
    public static func lineGaps(of page: PDFPage) -> [Double] {
        let boxes = page.lines.map(\.box).sorted { $0.top < $1.top }
        guard let first = boxes.first else { return [] }
        var rows: [(top: Double, bottom: Double)] = [(first.top, first.bottom)]
        for box in boxes.dropFirst() {
            if box.top < rows[rows.count - 1].bottom {
                rows[rows.count - 1].bottom = max(rows[rows.count - 1].bottom, box.bottom)
            } else {
                rows.append((box.top, box.bottom))
            }
        }
        var gaps = [rows[0].top / 2]
        for i in 1..<rows.count { gaps.append((rows[i - 1].bottom + rows[i].top) / 2) }
        gaps.append((rows[rows.count - 1].bottom + page.size.height) / 2)
        return gaps
    }

    /// Selects the next edge clockwise (top, right, bottom, left).
    public mutating func selectNextEdge() {
        let all = CropEdge.allCases
        selected = all[(all.firstIndex(of: selected)! + 1) % all.count]
    }

    public func value(of edge: CropEdge) -> Double {
        switch edge {
        case .top: box.top
        case .bottom: box.bottom
        case .left: box.x0
        case .right: box.x1
        }
    }

    /// Moves the selected edge by `direction` (+1: down or right, -1: up or left): to the next line
    /// gap (or the fifth with `coarse`) when snapping a horizontal edge, else by a step.
    public mutating func move(_ direction: Int, coarse: Bool, gaps: [Double]) {
        let current = value(of: selected)
        var target: Double
        if snaps && selected.isHorizontal && !gaps.isEmpty {
            let ahead = direction > 0 ? gaps.filter { $0 > current + 0.01 } : gaps.filter { $0 < current - 0.01 }.reversed()
            let skip = coarse ? Self.coarseGaps : 1
            if ahead.isEmpty {
                target = direction > 0 ? (selected.isHorizontal ? pageHeight : pageWidth) : 0
            } else {
                target = ahead[min(skip, ahead.count) - 1]
            }
        } else {
            target = current + Double(direction) * (coarse ? Self.coarseStep : Self.fineStep)
        }
        set(selected, to: target)
    }

    /// Puts `edge` at `value` points, clamped to the page and so the box keeps its minimum size;
    /// a snapping horizontal edge goes to the nearest gap.
    public mutating func set(_ edge: CropEdge, to value: Double, snappingTo gaps: [Double] = []) {
        var v = value
        if snaps && edge.isHorizontal, let nearest = gaps.min(by: { abs($0 - value) < abs($1 - value) }) { v = nearest }
        var r = box.rect
        switch edge {
        case .top: r.top = min(max(0, v), r.bottom - Self.minimumSize)
        case .bottom: r.bottom = max(min(pageHeight, v), r.top + Self.minimumSize)
        case .left: r.x0 = min(max(0, v), r.x1 - Self.minimumSize)
        case .right: r.x1 = max(min(pageWidth, v), r.x0 + Self.minimumSize)
        }
        box = CropBox(r)
    }
}
