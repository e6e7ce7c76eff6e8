import Corpus
import Foundation

/// `tunebench extract` and the PDF pane's `e`: the cropped text of a PDF's pages to a page map
/// (`{"<page>": "<text>"}` per line). Pages are written to a temporary file beside the output as
/// they are read and renamed over it at the end, so a failure (a full disk, a damaged page tree)
/// leaves the previous page map as it was.
public struct ExtractJob: Sendable {
    public var pdf: String
    public var password: String?
    /// nil: whole pages.
    public var crop: CropBox?
    /// 1-based page numbers, in order.
    public var pages: [Int]
    public var output: URL
    /// What happens to footnotes (`[pdf] footnotes`).
    public var footnotes: FootnotePolicy

    public init(pdf: String, password: String? = nil, crop: CropBox?, pages: [Int], output: URL,
                footnotes: FootnotePolicy = .drop) {
        self.pdf = pdf
        self.password = password
        self.crop = crop
        self.pages = pages
        self.output = output
        self.footnotes = footnotes
    }

    /// Extracts from `document` (an open copy of `pdf`); more copies are opened so that every core
    /// reads pages (poppler documents are single-threaded). `progress(done, total)` follows each page.
    public func run(document: PDFDocument, progress: (Int, Int) -> Void = { _, _ in }) throws(PDFError) -> PageExtraction.Summary {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let documents = [document] + (1..<workers).compactMap { _ in try? PDFDocument(path: pdf, password: password) }
        let temporary = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).partial-\(getpid())")
        guard let file = fopen(temporary.path, "w") else {
            throw .outputFailed(path: output.path, reason: String(cString: strerror(errno)))
        }
        let summary: PageExtraction.Summary
        do {
            summary = try PageExtraction(crop: crop, pages: pages, footnotes: footnotes).run(
                on: documents,
                sink: { number, text throws(PDFError) in
                    guard fputs(jsonlLine(page: number, text: text) + "\n", file) >= 0, fflush(file) == 0 else {
                        throw .outputFailed(path: output.path, reason: String(cString: strerror(errno)))
                    }
                },
                progress: progress)
        } catch {
            fclose(file)
            unlink(temporary.path)
            throw error as? PDFError ?? .outputFailed(path: output.path, reason: "\(error)")
        }
        guard fclose(file) == 0, rename(temporary.path, output.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw .outputFailed(path: output.path, reason: reason)
        }
        return summary
    }
}
