import Foundation

/// A rectangle in PDF points, origin at the page's top-left corner, y growing downwards (the
/// convention of poppler-glib and pdfplumber): `x0 < x1`, `top < bottom`.
public struct PDFRect: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x0: Double
    public var top: Double
    public var x1: Double
    public var bottom: Double

    public init(x0: Double, top: Double, x1: Double, bottom: Double) {
        self.x0 = x0
        self.top = top
        self.x1 = x1
        self.bottom = bottom
    }

    public var width: Double { x1 - x0 }
    public var height: Double { bottom - top }
    public var centerX: Double { (x0 + x1) / 2 }
    public var centerY: Double { (top + bottom) / 2 }

    /// The smallest rectangle holding both.
    public func union(_ other: PDFRect) -> PDFRect {
        PDFRect(
            x0: min(x0, other.x0), top: min(top, other.top), x1: max(x1, other.x1),
            bottom: max(bottom, other.bottom))
    }

    public var description: String { formatPoints([x0, top, x1, bottom]) }
}

/// The part of a page whose text is kept, given pdfplumber-style as (x0, top, x1, bottom) in PDF
/// points from the page's top-left corner. A character is inside when its box's centre is.
public struct CropBox: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rect: PDFRect

    public init(x0: Double, top: Double, x1: Double, bottom: Double) {
        rect = PDFRect(x0: x0, top: top, x1: x1, bottom: bottom)
    }

    public init(_ rect: PDFRect) { self.rect = rect }

    /// Parses "x0,top,x1,bottom" (spaces allowed), e.g. "32.3,50.9,387.8,552.6".
    public init(parsing text: String) throws(PDFError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 4 else { throw .badCropBox(text: text, reason: "need 4 numbers, got \(parts.count)") }
        var values: [Double] = []
        for part in parts {
            guard let value = Double(part), value.isFinite else {
                throw .badCropBox(text: text, reason: "'\(part)' is not a number")
            }
            values.append(value)
        }
        guard values[0] < values[2] else { throw .badCropBox(text: text, reason: "x0 must be less than x1") }
        guard values[1] < values[3] else { throw .badCropBox(text: text, reason: "top must be less than bottom") }
        self.init(x0: values[0], top: values[1], x1: values[2], bottom: values[3])
    }

    public var x0: Double { rect.x0 }
    public var top: Double { rect.top }
    public var x1: Double { rect.x1 }
    public var bottom: Double { rect.bottom }

    /// Whether a character with this box is kept: its centre lies inside (edges included).
    @inlinable public func keeps(_ box: PDFRect) -> Bool {
        let cx = (box.x0 + box.x1) / 2
        let cy = (box.top + box.bottom) / 2
        return cx >= rect.x0 && cx <= rect.x1 && cy >= rect.top && cy <= rect.bottom
    }

    /// "x0,top,x1,bottom", the form `init(parsing:)` reads and `--crop` takes.
    public var description: String { formatPoints([x0, top, x1, bottom]).replacingOccurrences(of: " ", with: "") }
}

/// "1.5, 2, 3.25" — points with at most 2 decimals, trailing zeros dropped.
func formatPoints(_ values: [Double]) -> String {
    values.map { value in
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }.joined(separator: ", ")
}
