/// A drawing surface of braille dots: each terminal cell holds a 2 × 4 block of dots, written as
/// one character of the U+2800 block. Dot (x, y) lives in cell (x / 2, y / 4); y grows downwards.
///
/// Each cell also remembers the role of the last series that put a dot in it, so curves keep their
/// colours where they do not overlap.
public struct BrailleCanvas: Sendable, Equatable {
    /// Size in cells.
    public let columns: Int, rows: Int
    /// Size in dots: 2 per column, 4 per row.
    public var dotWidth: Int { columns * 2 }
    public var dotHeight: Int { rows * 4 }

    private var bits: [UInt8]  // rows × columns, the low 8 bits of the braille code point
    private var roles: [ColorRole?]

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        bits = Array(repeating: 0, count: self.columns * self.rows)
        roles = Array(repeating: nil, count: self.columns * self.rows)
    }

    /// Bit of dot (dx, dy) inside its cell, per the Unicode braille numbering: dots 1-2-3-7 down
    /// the left column, 4-5-6-8 down the right one.
    private static let dotBits: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]

    /// Sets one dot; dots outside the canvas are ignored.
    public mutating func set(x: Int, y: Int, role: ColorRole) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let i = (y / 4) * columns + x / 2
        bits[i] |= Self.dotBits[y % 4][x % 2]
        roles[i] = role
    }

    /// Whether dot (x, y) is set.
    public func isSet(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return false }
        return bits[(y / 4) * columns + x / 2] & Self.dotBits[y % 4][x % 2] != 0
    }

    /// Draws a straight line of dots from (x0, y0) to (x1, y1), both ends included: one dot per step
    /// along the longer axis, the other coordinate rounded half to even.
    public mutating func line(x0: Int, y0: Int, x1: Int, y1: Int, role: ColorRole) {
        let dx = abs(x1 - x0), dy = abs(y1 - y0)
        let sx = x0 <= x1 ? 1.0 : -1.0, sy = y0 <= y1 ? 1.0 : -1.0
        let steps = max(dx, dy)
        if steps == 0 { set(x: x0, y: y0, role: role); return }
        for i in 0...steps {
            let x = Double(x0) + Double(i) * Double(dx) / Double(steps) * sx
            let y = Double(y0) + Double(i) * Double(dy) / Double(steps) * sy
            set(x: Int(x.rounded(.toNearestOrEven)), y: Int(y.rounded(.toNearestOrEven)), role: role)
        }
    }

    /// The character of cell (column, row): U+2800 plus the dot bits (U+2800 itself when empty).
    public func character(column: Int, row: Int) -> Character {
        Character(Unicode.Scalar(0x2800 + UInt32(bits[row * columns + column]))!)
    }

    /// Copies the canvas into the grid with its top-left cell at (x, y). Empty cells are left as
    /// they are, so axes or a background drawn before show through.
    public func draw(into grid: inout Grid, x: Int, y: Int) {
        for row in 0..<rows {
            for column in 0..<columns where bits[row * columns + column] != 0 {
                let gx = x + column, gy = y + row
                guard gx >= 0, gy >= 0, gx < grid.width, gy < grid.height else { continue }
                grid[gx, gy] = Cell(character(column: column, row: row), role: roles[row * columns + column] ?? .text)
            }
        }
    }
}
