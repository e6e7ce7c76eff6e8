import Foundation

/// Extracts the cropped text of a list of pages one at a time, handing each to a sink as soon as
/// it is ready (so a caller can stream it to disk), and collects warnings instead of failing on a
/// bad page: image-only pages, unreadable page objects, turned text, misaligned layouts.
public struct PageExtraction: Sendable {
    public var crop: CropBox?
    public var pages: [Int]

    /// What happened, for the final summary line.
    public struct Summary: Equatable, Sendable {
        public var pagesWritten = 0
        /// Pages written with no text (image-only or blank).
        public var emptyPages: [Int] = []
        /// Pages that could not be read at all (not written).
        public var failedPages: [Int] = []
        public var warnings: [String] = []
    }

    /// `crop == nil` keeps the whole page; `pages` are 1-based page numbers.
    public init(crop: CropBox?, pages: [Int]) {
        self.crop = crop
        self.pages = pages
    }

    /// Runs over `pages`; `sink(page, text)` is called in order and may throw to stop (e.g. disk
    /// full): what it already received stays written. `progress(done, total)` follows each page.
    public func run(
        on document: PDFDocument,
        sink: (Int, String) throws -> Void,
        progress: (Int, Int) -> Void = { _, _ in }
    ) rethrows -> Summary {
        var summary = Summary()
        if document.forbidsCopying {
            summary.warnings.append("the PDF's owner forbids copying its text; extracting anyway for your own use")
        }
        if let note = document.repairNote { summary.warnings.append(note) }
        var turned: [Int: [Int]] = [:]
        for (done, number) in pages.enumerated() {
            let page: PDFPage
            do { page = try document.page(number) } catch {
                summary.failedPages.append(number)
                summary.warnings.append("page \(number): \(error.description); skipped")
                progress(done + 1, pages.count)
                continue
            }
            let text = crop.map { page.text(in: $0) } ?? page.text
            if !page.hasText {
                summary.emptyPages.append(number)
            } else if page.rotation != 0 {
                turned[page.rotation, default: []].append(number)
            }
            if page.layoutMismatch {
                summary.warnings.append("page \(number): poppler's text and character boxes disagree; the crop may be inexact")
            }
            try sink(number, text)
            summary.pagesWritten += 1
            progress(done + 1, pages.count)
        }
        if !summary.emptyPages.isEmpty {
            summary.warnings.append(
                "\(summary.emptyPages.count) page(s) have no text layer (image-only scans or blank), written empty: "
                    + describeRanges(summary.emptyPages))
        }
        for (angle, numbers) in turned.sorted(by: { $0.key < $1.key }) {
            summary.warnings.append(
                "\(numbers.count) page(s) show text turned \(angle)° (rotated page or text); the crop box applies to the "
                    + "page as displayed: " + describeRanges(numbers))
        }
        return summary
    }
}

/// "1-3,7,9-12" for an ascending list of page numbers.
public func describeRanges(_ numbers: [Int]) -> String {
    var parts: [String] = []
    var i = 0
    while i < numbers.count {
        var j = i
        while j + 1 < numbers.count && numbers[j + 1] == numbers[j] + 1 { j += 1 }
        parts.append(i == j ? "\(numbers[i])" : "\(numbers[i])-\(numbers[j])")
        i = j + 1
    }
    return parts.joined(separator: ",")
}

/// One line of pages.jsonl: `{"<page>": "<text>"}` with JSON string escaping, no trailing newline.
public func jsonlLine(page: Int, text: String) -> String {
    var out = "{\"\(page)\": \""
    out.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    out += "\"}"
    return out
}
