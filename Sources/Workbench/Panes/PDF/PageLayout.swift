import Corpus

/// Where the PDF pane draws a page: its text rows one under another, each row's characters in
/// reading order, and the crop box's horizontal edges on rows of their own between text rows.
///
/// The page is laid out by rows, not by scaling its coordinates onto cells: a proportional font on
/// a grid of cells either fragments words (a wide pane) or piles lines onto one row (a short one).
/// Each character's kept/cut state comes from `PDFPage.keptCharacters(in:)`, the rule extraction
/// uses, never from the cell it lands on.
///
/// `fit` shows every line of the page: when the page has more rows than the pane, neighbouring
/// rows of one crop region share a cell row (`¦` between them, the part that does not fit ends in
/// `…`). `zoom` gives every page row a cell row and scrolls.
struct PageLayout: Equatable {
    enum Mode: Equatable { case fit, zoom }

    /// One cell row: text (page rows, indices into `textRows`) or a crop edge.
    enum Item: Equatable {
        case text([Int])
        case edge(CropEdge)
    }

    /// A row of text on the page: lines overlapping vertically, left to right.
    struct TextRow: Equatable {
        var lines: [Int]
        var top: Double
        var bottom: Double
        var centerY: Double { (top + bottom) / 2 }
    }

    /// A character drawn at (x, y); `kept` from the shared keep rule.
    struct Placement: Equatable {
        var index: Int
        var x: Int
        var y: Int
        var kept: Bool
    }

    var rect: Rect
    var pageWidth: Double
    var pageHeight: Double
    var mode: Mode
    var textRows: [TextRow] = []
    /// Every cell row, top to bottom; in zoom mode there may be more than `rect.height`.
    var items: [Item] = []
    /// The first item shown (zoom mode).
    var scroll = 0
    var placements: [Placement] = []
    /// Cells where a row ran out of width (`…` drawn), and cell rows holding more than one page row.
    var ellipses: [(x: Int, y: Int, kept: Bool)] = []
    var separators: [(x: Int, y: Int)] = []
    var sharedRows = 0

    static func == (a: PageLayout, b: PageLayout) -> Bool {
        a.rect == b.rect && a.mode == b.mode && a.items == b.items && a.scroll == b.scroll && a.placements == b.placements
    }

    /// Columns per point across the page, and the point at the rect's left edge: the span of the
    /// page's text fills the width (its white margins are not worth columns: a line of a proportional
    /// font needs about one cell per character), crop edges outside it stay at the rect's sides.
    var sx = 1.0
    var originX = 0.0

    init(page: PDFPage, crop: CropBox, rect: Rect, mode: Mode, scroll: Int = 0) {
        self.rect = rect
        pageWidth = page.size.width
        pageHeight = page.size.height
        self.mode = mode
        let boxes = page.lines.map(\.box)
        if let left = boxes.map(\.x0).min(), let right = boxes.map(\.x1).max(), right > left, rect.width > 2 {
            // Two columns of margin each side, for vertical edges outside the text.
            let margin = rect.width > 20 ? 2.0 : 0
            sx = (Double(rect.width) - 2 * margin) / (right - left)
            originX = left - margin / sx
        } else {
            sx = Double(max(1, rect.width)) / pageWidth
        }
        textRows = Self.textRows(of: page)
        let length = textRows.map { $0.lines.reduce(0) { $0 + page.lines[$1].characters.count } }
        items = Self.items(textRows, length: length, crop: crop, height: rect.height, mode: mode)
        sharedRows = items.filter { if case .text(let rows) = $0 { rows.count > 1 } else { false } }.count
        self.scroll = mode == .zoom ? min(max(0, scroll), max(0, items.count - rect.height)) : 0
        place(page, kept: page.keptCharacters(in: crop))
    }

    /// The lines of the page grouped into rows (vertical overlap of more than half the smaller
    /// height), top to bottom, each row's lines left to right.
    static func textRows(of page: PDFPage) -> [TextRow] {
        let order = page.lines.indices.sorted { page.lines[$0].box.top < page.lines[$1].box.top }
        var rows: [TextRow] = []
        for i in order {
            let box = page.lines[i].box
            if let last = rows.last {
                let overlap = min(last.bottom, box.bottom) - max(last.top, box.top)
                if overlap > 0.5 * min(last.bottom - last.top, box.height) {
                    rows[rows.count - 1].lines.append(i)
                    rows[rows.count - 1].top = min(last.top, box.top)
                    rows[rows.count - 1].bottom = max(last.bottom, box.bottom)
                    continue
                }
            }
            rows.append(TextRow(lines: [i], top: box.top, bottom: box.bottom))
        }
        for k in rows.indices { rows[k].lines.sort { page.lines[$0].box.x0 < page.lines[$1].box.x0 } }
        return rows
    }

    /// Text rows with the top edge before the first row whose centre it keeps and the bottom edge
    /// after the last; in fit mode, rows of one region (above, inside, below the crop) share cell
    /// rows, the shortest neighbours first, when there are more rows than cells.
    static func items(_ rows: [TextRow], length: [Int], crop: CropBox, height: Int, mode: Mode) -> [Item] {
        var regions: [[Int]] = [[], [], []]
        for (k, row) in rows.enumerated() {
            regions[row.centerY < crop.top ? 0 : row.centerY <= crop.bottom ? 1 : 2].append(k)
        }
        var cells = [regions[0].count, regions[1].count, regions[2].count]
        let capacity = height - 2
        if mode == .fit && rows.count > capacity && capacity > 0 {
            // Each non-empty region keeps at least one cell row; the rest in proportion.
            let nonEmpty = cells.filter { $0 > 0 }.count
            var spare = max(0, capacity - nonEmpty)
            var shares = cells.map { $0 > 0 ? 1 : 0 }
            let extra = cells.map { Double(max(0, $0 - 1)) }
            let total = extra.reduce(0, +)
            for r in 0..<3 where total > 0 {
                let add = Int((extra[r] / total * Double(spare)).rounded(.down))
                shares[r] += min(add, cells[r] - shares[r])
            }
            spare = capacity - shares.reduce(0, +)
            // Rounding leftovers to the regions with the most rows per cell.
            func crowding(_ r: Int) -> Double { Double(cells[r]) / Double(max(1, shares[r])) }
            while spare > 0 {
                let open = (0..<3).filter { shares[$0] < cells[$0] }
                guard let r = open.max(by: { crowding($0) < crowding($1) }) else { break }
                shares[r] += 1
                spare -= 1
            }
            cells = shares
        }
        // Rows share a cell row in the cheapest pairs first: a paragraph's short last line with its
        // neighbour fits the width, two full lines do not.
        func texts(_ region: [Int], _ count: Int) -> [Item] {
            guard !region.isEmpty else { return [] }
            var groups = region.map { [$0] }
            while groups.count > max(1, count) {
                let cost = { (j: Int) in (groups[j] + groups[j + 1]).reduce(0) { $0 + length[$1] } }
                guard let j = (0..<groups.count - 1).min(by: { cost($0) < cost($1) }) else { break }
                groups[j] += groups.remove(at: j + 1)
            }
            return groups.map { .text($0) }
        }
        return texts(regions[0], cells[0]) + [.edge(.top)] + texts(regions[1], cells[1]) + [.edge(.bottom)]
            + texts(regions[2], cells[2])
    }

    /// Places each text item's characters: a line starts at its column on the page and its
    /// characters follow one cell after another, one cell per run of spaces, jumping ahead only at
    /// a real gap (a tab stop, a second column). A row too wide for the pane moves left, then ends
    /// in `…`.
    private mutating func place(_ page: PDFPage, kept: [Bool]) {
        for (k, item) in items.enumerated() {
            guard case .text(let rows) = item else { continue }
            let y = rect.y + k - scroll
            guard y >= rect.y, y < rect.maxY else { continue }
            var row: [Placement] = []
            var cursor = Int.min
            var rowSeparators: [Int] = []
            for (n, r) in rows.enumerated() {
                if n > 0, cursor != Int.min {
                    rowSeparators.append(cursor + 2)
                    cursor += 2
                }
                for lineIndex in textRows[r].lines {
                    let line = page.lines[lineIndex]
                    let start = column(line.box.x0)
                    var x = cursor == Int.min ? start : max(start, cursor + 2)
                    var previous: PDFCharacter? = nil
                    var pendingSpace = false
                    for i in line.characters {
                        let c = page.characters[i]
                        if c.scalar == " " || c.scalar.properties.isWhitespace {
                            pendingSpace = previous != nil
                            continue
                        }
                        if let previous {
                            let gap = abs(c.box.x0 - previous.box.x1)
                            let em = max(c.fontSize, c.box.height, 1)
                            x += pendingSpace ? 2 : 1
                            if gap > 1.5 * em { x = max(x, column(c.box.x0)) }
                        }
                        row.append(Placement(index: i, x: x, y: y, kept: kept[i]))
                        previous = c
                        pendingSpace = false
                    }
                    if !row.isEmpty { cursor = row[row.count - 1].x }
                }
            }
            guard let first = row.first, let last = row.last else { continue }
            let overflow = last.x - (rect.maxX - 1)
            if overflow > 0 {
                let shift = min(overflow, first.x - rect.x)
                for j in row.indices { row[j].x -= shift }
                rowSeparators = rowSeparators.map { $0 - shift }
            }
            if let cutAt = row.firstIndex(where: { $0.x >= rect.maxX }) {
                // The last cell says more follows, in the keep state of what is hidden.
                let hidden = row[cutAt...]
                ellipses.append((rect.maxX - 1, y, hidden.contains { $0.kept }))
                row = row[..<cutAt].filter { $0.x < rect.maxX - 1 }
            }
            separators += rowSeparators.filter { $0 < rect.maxX - 1 }.map { ($0, y) }
            placements += row
        }
    }

    /// The column of x points (may lie outside `rect` for points off the page).
    func column(_ x: Double) -> Int { rect.x + Int(((x - originX) * sx).rounded(.down)) }
    func edgeColumn(_ x: Double) -> Int { rect.x + min(rect.width - 1, max(0, Int(((x - originX) * sx).rounded()))) }
    /// Points at the left side of a cell's column.
    func pointX(column: Int) -> Double { originX + Double(column - rect.x) / sx }

    /// The cell row of a horizontal edge (may lie outside `rect` when scrolled away).
    func edgeRow(_ edge: CropEdge) -> Int { rect.y + (items.firstIndex(of: .edge(edge)) ?? 0) - scroll }

    /// Where a horizontal edge dragged to cell row `y` goes, in points: the gap above that row's
    /// text (below the last row when past the text).
    func pointY(row y: Int) -> Double {
        let k = y - rect.y + scroll
        let textAt = { (k: Int) -> Int? in
            guard k >= 0, k < items.count, case .text(let rows) = items[k] else { return nil }
            return rows.first
        }
        if let r = textAt(k) ?? (max(0, k + 1)..<max(items.count, k + 1)).lazy.compactMap(textAt).first {
            let above = r > 0 ? textRows[r - 1].bottom : 0
            return (above + textRows[r].top) / 2
        }
        return ((textRows.last?.bottom ?? 0) + pageHeight) / 2
    }

    /// The page rows drawn on cell row `y`, if it shows text.
    func textRowsAt(_ y: Int) -> [Int] {
        let k = y - rect.y + scroll
        guard k >= 0, k < items.count, case .text(let rows) = items[k] else { return [] }
        return rows
    }
}
