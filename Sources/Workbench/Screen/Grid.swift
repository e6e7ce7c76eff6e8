/// The semantic colour roles panes draw with. Themes (built in, or TOML files in a `themes/` folder) map roles to colours;
/// pane code never names a colour.
public enum ColorRole: String, CaseIterable, Sendable, Codable {
    case text, dim, accent, title, border, status, selection, highlight
    case kept, cut, cropBox
    case tokenA, tokenB
    case trainLine, smoothLine, evalLine, learningRate
    /// A second run's curve overlaid on the chart for comparison.
    case compareLine
    case user, assistant
    case warning, error, success
}

/// Text attributes of a cell, combined with its role's colours by the backend.
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1)
    public static let dim = CellAttributes(rawValue: 2)
    public static let reverse = CellAttributes(rawValue: 4)
    public static let underline = CellAttributes(rawValue: 8)
}

/// One terminal cell. A wide character (CJK, most emoji) occupies its cell and the next one, which
/// is marked `isContinuation` and holds no character of its own.
public struct Cell: Sendable, Hashable {
    public var character: Character
    public var role: ColorRole
    public var attributes: CellAttributes
    public var isContinuation: Bool

    public init(_ character: Character = " ", role: ColorRole = .text, attributes: CellAttributes = [],
                isContinuation: Bool = false) {
        self.character = character
        self.role = role
        self.attributes = attributes
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}

/// A rectangle of cells: columns `x..<x+width`, rows `y..<y+height`.
public struct Rect: Sendable, Hashable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }

    /// The rectangle shrunk by `n` cells on every side.
    public func inset(by n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
    /// Splits off the top `rows` rows: (top, rest).
    public func splitTop(_ rows: Int) -> (Rect, Rect) {
        let r = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }
    /// Splits off the left `columns` columns: (left, rest).
    public func splitLeft(_ columns: Int) -> (Rect, Rect) {
        let c = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: c, height: height), Rect(x: x + c, y: y, width: width - c, height: height))
    }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
}

/// The in-memory screen that panes draw into. The terminal backend only copies it out, so every
/// pane can be tested by drawing into a grid of a fixed size and reading its text back.
public struct Grid: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]  // row-major, height × width

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Columns a character takes in a terminal: 0 (control, combining, format), 1, or 2 (East Asian
    /// wide and emoji presentation). Independent of the process locale, unlike `wcwidth`.
    public static func displayWidth(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if v < 0xA0 { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        for range in wideRanges where range.contains(v) { return 2 }
        return 1
    }

    /// East Asian Wide / Fullwidth blocks (Unicode 15, UAX #11), coarse but covering real text.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1B000...0x1B2FF, 0x20000...0x2FFFD,
        0x30000...0x3FFFD,
    ]

    /// Columns a string takes in a terminal.
    public static func displayWidth(of text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + displayWidth(of: $1) }
    }

    public mutating func clear(role: ColorRole = .text) {
        for i in cells.indices { cells[i] = Cell(role: role) }
    }

    /// Fills a rectangle (clipped to the grid) with one character.
    public mutating func fill(_ rect: Rect, with character: Character = " ", role: ColorRole = .text,
                              attributes: CellAttributes = []) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { self[x, y] = Cell(character, role: role, attributes: attributes) }
        }
    }

    /// Writes `text` on row `y` from column `x`, clipped to `clip` (default: the whole grid), and
    /// returns the column after the last cell written. Control characters are shown as `·`; a wide
    /// character that does not fit whole is not drawn.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, role: ColorRole = .text,
                             attributes: CellAttributes = [], clip: Rect? = nil) -> Int {
        let area = clip ?? bounds
        guard y >= max(0, area.y), y < min(height, area.maxY) else { return x }
        let limit = min(width, area.maxX)
        var column = x
        for ch in text {
            var c = ch
            var w = Grid.displayWidth(of: c)
            if w == 0 {
                if ch.unicodeScalars.first.map({ $0.value < 0x20 || $0.value == 0x7F }) ?? true { c = "·"; w = 1 } else { continue }
            }
            if column + w > limit { break }
            if column >= max(0, area.x) {
                self[column, y] = Cell(c, role: role, attributes: attributes)
                if w == 2 { self[column + 1, y] = Cell(" ", role: role, attributes: attributes, isContinuation: true) }
            }
            column += w
        }
        return column
    }

    /// The text of row `y`, wide characters once, trailing spaces kept.
    public func row(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].isContinuation { s.append(self[x, y].character) }
        return s
    }

    /// Every row's text with trailing spaces removed — what a snapshot test compares.
    public var lines: [String] {
        (0..<height).map { y in
            var r = row(y)
            while r.last == " " { r.removeLast() }
            return r
        }
    }

    /// The roles along row `y`, for asserting on colours in snapshot tests.
    public func roles(row y: Int) -> [ColorRole] { (0..<width).map { self[$0, y].role } }
}
