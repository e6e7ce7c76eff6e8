import CPoppler
import Foundation

/// One character of a page's text layer: its Unicode scalar, its box in PDF points from the page's
/// top-left corner (as displayed, page rotation applied) and its font size in points.
public struct PDFCharacter: Equatable, Sendable {
    public var scalar: Unicode.Scalar
    public var box: PDFRect
    public var fontSize: Double
}

/// One line of text as poppler's reading order produces it: `characters` indexes the page's
/// `characters` array; `box` is the union of their boxes.
public struct PDFTextLine: Equatable, Sendable {
    public var text: String
    public var box: PDFRect
    public var characters: Range<Int>
    /// Largest font size on the line, in points (0 when unknown).
    public var fontSize: Double
}

/// A page's geometry and text layer, loaded once from poppler; plain data, safe to share.
public struct PDFPage: Sendable {
    /// 1-based physical page number.
    public let number: Int
    /// Width and height in points, as displayed (page rotation applied).
    public let size: (width: Double, height: Double)
    /// Clockwise angle (0, 90, 180, 270) by which the text appears turned on the displayed page:
    /// a /Rotate entry or a rotated text matrix both show here. poppler-glib does not expose /Rotate
    /// itself, so this is measured from the order of the text lines.
    public let rotation: Int
    /// Characters in reading order, newlines excluded.
    public let characters: [PDFCharacter]
    /// Lines in reading order (poppler keeps each column's lines together).
    public let lines: [PDFTextLine]
    /// poppler returned a different number of boxes than characters; boxes were matched up to the
    /// shorter count (a warning for the caller).
    public let layoutMismatch: Bool

    /// Whether the page has no text layer at all (an image-only page, or a blank one).
    public var hasText: Bool { characters.contains { !isSpace($0.scalar) } }

    /// The keep rule, the one extraction and the workbench's preview both use: for each index of
    /// `characters`, whether the crop keeps it. A character other than a space is kept when its
    /// box's centre lies inside `crop` (`CropBox.keeps`); a space is never kept by itself, it only
    /// separates kept characters (poppler places some spaces oddly in right-to-left runs).
    public func keptCharacters(in crop: CropBox) -> [Bool] {
        characters.map { !isSpace($0.scalar) && crop.keeps($0.box) }
    }

    /// The text of the characters `keptCharacters(in: crop)` keeps, line by line in reading order
    /// (lines left empty by the crop are dropped; one space where a line had any between kept
    /// characters; no trailing spaces).
    public func text(in crop: CropBox) -> String {
        let kept = keptCharacters(in: crop)
        var out = String.UnicodeScalarView()
        characters.withUnsafeBufferPointer { chars in
            var wroteLine = false
            for line in lines {
                var pendingSpace = false
                var wroteAny = false
                for i in line.characters {
                    let c = chars[i]
                    if isSpace(c.scalar) {
                        pendingSpace = wroteAny
                        continue
                    }
                    guard kept[i] else { continue }
                    if pendingSpace { out.append(" ") }
                    pendingSpace = false
                    if !wroteAny && wroteLine { out.append("\n") }
                    out.append(c.scalar)
                    wroteAny = true
                }
                wroteLine = wroteLine || wroteAny
            }
        }
        return String(out)
    }

    /// All the text of the page, line by line.
    public var text: String { text(in: CropBox(x0: -.infinity, top: -.infinity, x1: .infinity, bottom: .infinity)) }

    /// Builds the page from characters in poppler's order and the indices where its lines break.
    /// Line pieces poppler emits separately although they share a row (right-to-left runs, a
    /// tag and its description) are joined, right to left when the row's script is.
    public init(number: Int, size: (width: Double, height: Double), characters: [PDFCharacter], lineBreaks: [Int],
                layoutMismatch: Bool = false)
    {
        self.number = number
        self.size = size
        self.layoutMismatch = layoutMismatch
        var pieces: [Range<Int>] = []
        var start = 0
        for end in lineBreaks + [characters.count] where end >= start {
            if end > start, Self.makeLine(characters, start..<end) != nil { pieces.append(start..<end) }
            start = end
        }
        // Group consecutive pieces into rows.
        var rows: [[(range: Range<Int>, box: PDFRect)]] = []
        for piece in pieces {
            guard let box = Self.makeLine(characters, piece)?.box else { continue }
            if let row = rows.last, let rowFirst = row.first?.box,
               Self.sharesRow(row.dropFirst().reduce(rowFirst) { $0.union($1.box) }, box), row.allSatisfy({ box.x0 >= $0.box.x1 - 1 || box.x1 <= $0.box.x0 + 1 })
            {
                rows[rows.count - 1].append((piece, box))
            } else {
                rows.append([(piece, box)])
            }
        }
        var ordered: [PDFCharacter] = []
        ordered.reserveCapacity(characters.count + rows.count)
        var lines: [PDFTextLine] = []
        for var row in rows {
            if row.count > 1 {
                var rtl = 0, ltr = 0
                for piece in row { for i in piece.range where characters[i].scalar.properties.isAlphabetic {
                    if isLeftToRightLetter(characters[i].scalar) { ltr += 1 } else { rtl += 1 }
                } }
                row.sort { rtl > ltr ? $0.box.x0 > $1.box.x0 : $0.box.x0 < $1.box.x0 }
            }
            let lineStart = ordered.count
            for (k, piece) in row.enumerated() {
                if k > 0, let last = ordered.last, !isSpace(last.scalar) {
                    // A space between the pieces, boxed in the gap between them.
                    let gapBox = PDFRect(x0: min(last.box.x1, piece.box.x0), top: piece.box.top,
                                         x1: max(last.box.x1, piece.box.x0), bottom: piece.box.bottom)
                    ordered.append(PDFCharacter(scalar: " ", box: gapBox, fontSize: last.fontSize))
                }
                ordered.append(contentsOf: characters[piece.range])
            }
            if let line = Self.makeLine(ordered, lineStart..<ordered.count) { lines.append(line) }
        }
        self.characters = ordered
        self.lines = lines
        rotation = Self.measureRotation(ordered, lines)
    }

    /// Two boxes on one row: their vertical overlap is at least half the smaller height.
    private static func sharesRow(_ a: PDFRect, _ b: PDFRect) -> Bool {
        let overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
        return overlap > 0.5 * min(a.height, b.height)
    }

    private static func makeLine(_ chars: [PDFCharacter], _ range: Range<Int>) -> PDFTextLine? {
        var box: PDFRect? = nil
        var scalars = String.UnicodeScalarView()
        var fontSize = 0.0
        for i in range {
            let c = chars[i]
            scalars.append(c.scalar)
            fontSize = max(fontSize, c.fontSize)
            if isSpace(c.scalar) { continue }
            box = box.map { $0.union(c.box) } ?? c.box
        }
        guard let box else { return nil }
        return PDFTextLine(text: String(scalars), box: box, characters: range, fontSize: fontSize)
    }

    /// Measured from consecutive letters inside each line: upright text advances rightwards, text
    /// turned 90° clockwise downwards, 180° leftwards, 270° upwards. Right-to-left scripts advance
    /// leftwards when upright, so they do not vote. Needs a clear majority of at least 10 votes.
    private static func measureRotation(_ characters: [PDFCharacter], _ lines: [PDFTextLine]) -> Int {
        var votes = [0, 0, 0, 0]
        characters.withUnsafeBufferPointer { chars in
            for line in lines where line.characters.count >= 2 {
                for i in line.characters.dropLast() {
                    let a = chars[i], b = chars[i + 1]
                    guard isLeftToRightLetter(a.scalar), isLeftToRightLetter(b.scalar) else { continue }
                    let dx = b.box.centerX - a.box.centerX, dy = b.box.centerY - a.box.centerY
                    if abs(dx) >= abs(dy) { votes[dx >= 0 ? 0 : 2] += 1 } else { votes[dy > 0 ? 1 : 3] += 1 }
                }
            }
        }
        let total = votes.reduce(0, +)
        guard total >= 10, let best = votes.indices.max(by: { votes[$0] < votes[$1] }),
              Double(votes[best]) >= 0.6 * Double(total) else { return 0 }
        return best * 90
    }
}

/// A letter of a script written left to right (Hebrew, Arabic, Syriac, Thaana, N'Ko… excluded).
@inline(__always) func isLeftToRightLetter(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x0590...0x08FF, 0xFB1D...0xFDFF, 0xFE70...0xFEFF: return false
    case 0x41...0x5A, 0x61...0x7A: return true
    case 0...0x7F: return false
    default: return s.properties.isAlphabetic
    }
}

/// Unicode whitespace, with an ASCII fast path (the stdlib property lookup is slow in hot loops).
@inline(__always) func isSpace(_ s: Unicode.Scalar) -> Bool {
    s.value < 0x80 ? (s.value == 0x20 || (0x09...0x0D).contains(s.value)) : s.properties.isWhitespace
}

extension PDFPage {
    /// Reads size, text, boxes and font sizes of a poppler page (the caller holds the document lock).
    init(loading page: OpaquePointer, number: Int) {
        var width = 0.0, height = 0.0
        poppler_page_get_size(page, &width, &height)

        // Text: one scalar per layout rectangle, newlines included, once the bidi marks poppler
        // inserts (which have no rectangle) are dropped.
        var scalars: [Unicode.Scalar] = []
        if let cText = poppler_page_get_text(page) {
            defer { g_free(cText) }
            let utf8 = UnsafeBufferPointer(start: UnsafeRawPointer(cText).assumingMemoryBound(to: UInt8.self),
                                           count: strlen(cText))
            var decoder = UTF8()
            var iterator = utf8.makeIterator()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let s): if !isBidiMark(s) { scalars.append(s) }
                case .emptyInput: break loop
                case .error: scalars.append("\u{FFFD}")
                }
            }
        }
        var rects: UnsafeMutablePointer<PopplerRectangle>? = nil
        var rectCount: guint = 0
        var boxes: [PDFRect] = []
        if poppler_page_get_text_layout(page, &rects, &rectCount) != 0, let rects {
            boxes = UnsafeBufferPointer(start: rects, count: Int(rectCount)).map {
                PDFRect(x0: $0.x1, top: $0.y1, x1: $0.x2, bottom: $0.y2)
            }
        }
        g_free(rects)
        let count = min(scalars.count, boxes.count)

        // Font sizes come as runs [start_index, end_index] over the same character indices.
        var fontSizes = [Double](repeating: 0, count: count)
        if count > 0, let list = poppler_page_get_text_attributes(page) {
            var node: UnsafeMutablePointer<GList>? = list
            while let current = node {
                if let raw = current.pointee.data {
                    let attr = raw.assumingMemoryBound(to: PopplerTextAttributes.self).pointee
                    let lo = max(0, Int(attr.start_index)), hi = min(count - 1, Int(attr.end_index))
                    if lo <= hi { for i in lo...hi { fontSizes[i] = attr.font_size } }
                }
                node = current.pointee.next
            }
            poppler_page_free_text_attributes(list)
        }

        var characters: [PDFCharacter] = []
        characters.reserveCapacity(count)
        var lineBreaks: [Int] = []
        for i in 0..<count {
            if scalars[i] == "\n" {
                lineBreaks.append(characters.count)
            } else {
                characters.append(PDFCharacter(scalar: scalars[i], box: boxes[i], fontSize: fontSizes[i]))
            }
        }
        self.init(number: number, size: (width, height), characters: characters, lineBreaks: lineBreaks,
                  layoutMismatch: scalars.count != boxes.count)
    }
}

/// Directional formatting characters poppler adds around right-to-left runs (no layout rectangle).
@inline(__always) func isBidiMark(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
}
