import Foundation

/// Extracts the cropped text of a list of pages one at a time, handing each to a sink as soon as
/// it is ready (so a caller can stream it to disk), and collects warnings instead of failing on a
/// bad page: image-only pages, unreadable page objects, turned text, misaligned layouts.
public struct PageExtraction: Sendable {
    public var crop: CropBox?
    public var pages: [Int]
    /// What happens to each page's footnotes (see `FootnotePolicy`).
    public var footnotes: FootnotePolicy = .drop

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
    public init(crop: CropBox?, pages: [Int], footnotes: FootnotePolicy = .drop) {
        self.crop = crop
        self.pages = pages
        self.footnotes = footnotes
    }

    /// Runs over `pages`; `sink(page, text)` is called in order and may throw to stop (e.g. disk
    /// full): what it already received stays written. `progress(done, total)` follows each page.
    public func run(
        on document: PDFDocument,
        sink: (Int, String) throws -> Void,
        progress: (Int, Int) -> Void = { _, _ in }
    ) rethrows -> Summary {
        try run(on: [document], sink: sink, progress: progress)
    }

    /// As `run(on:)`, with one open copy of the same PDF per worker thread: each batch of
    /// `documents.count` pages is read and cropped concurrently (poppler documents are not shared
    /// between threads), then handed to `sink` in page order.
    public func run(
        on documents: [PDFDocument],
        sink: (Int, String) throws -> Void,
        progress: (Int, Int) -> Void = { _, _ in }
    ) rethrows -> Summary {
        precondition(!documents.isEmpty, "at least one document")
        let document = documents[0]
        var summary = Summary()
        if document.forbidsCopying {
            summary.warnings.append("the PDF's owner forbids copying its text; extracting anyway for your own use")
        }
        if let note = document.repairNote { summary.warnings.append(note) }
        var turned: [Int: [Int]] = [:]
        var batch: [Result<(PDFPage, String), PDFError>] = []
        for (done, number) in pages.enumerated() {
            let slot = done % documents.count
            if slot == 0 { batch = readBatch(Array(pages[done..<min(done + documents.count, pages.count)]), documents) }
            let page: PDFPage, text: String
            switch batch[slot] {
            case .success(let result): (page, text) = result
            case .failure(let error):
                summary.failedPages.append(number)
                summary.warnings.append("page \(number): \(error.description); skipped")
                progress(done + 1, pages.count)
                continue
            }
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

    /// Reads and crops `numbers[i]` with `documents[i]`, all at once.
    private func readBatch(_ numbers: [Int], _ documents: [PDFDocument]) -> [Result<(PDFPage, String), PDFError>] {
        let (crop, footnotes) = (crop, footnotes)
        let read: @Sendable (Int) -> Result<(PDFPage, String), PDFError> = { i in
            do throws(PDFError) {
                let page = try documents[i].page(numbers[i])
                return .success((page, footnotes.text(of: page, crop: crop)))
            } catch {
                return .failure(error)
            }
        }
        if numbers.count == 1 { return [read(0)] }
        let results = UnsafeMutableBufferPointer<Result<(PDFPage, String), PDFError>?>.allocate(capacity: numbers.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: numbers.count) { i in slots[i] = read(i) }
        return results.map { $0! }
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
