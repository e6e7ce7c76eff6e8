import ArgumentParser
import Corpus
import Foundation
import Pipeline

/// `tunebench extract`: PDF → pages.jsonl, one `{"<page>": "<text>"}` line per page, streamed.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract the text of a PDF's pages inside a crop box into a JSONL file.",
        discussion: ExitStatus.discussion("""
            Writes one line per page, {"<page number>": "<text>"}, page numbers 1-based physical \
            indices, into a temporary file renamed over --out when all pages are done (a failure \
            leaves an earlier --out as it was). Coordinates are PDF points from the page's \
            top-left corner (as pdfplumber's x0, top, x1, bottom). --auto proposes a crop box \
            that cuts running headers, footers and page numbers and the page range of the body \
            (skipping front and back matter) unless --pages is given.
            """,
            specific: [
                (0, "done (warnings, e.g. image-only pages written empty, are printed)"),
                (2, "file not found or unreadable"),
                (3, "empty file (0 bytes)"),
                (4, "not a PDF"),
                (5, "damaged or truncated PDF, or no readable pages"),
                (6, "encrypted: password missing or wrong (use --password)"),
                (7, "no selected page has a text layer (a scan: run OCR first)"),
                (8, "cannot write the output file"),
                (9, "bad --crop or --pages, or a page beyond the last one"),
                (10, "finished, but some pages could not be read (the others were written)"),
            ]))

    @Argument(help: "The PDF file.")
    var pdf: String

    @Option(help: "Crop box x0,top,x1,bottom in PDF points from the top-left corner.")
    var crop: String?

    @Flag(help: "Propose the crop box and body page range automatically.")
    var auto = false

    @Option(help: "Pages to extract, e.g. 5-610 or 1-3,7,9- (default: all, or the body with --auto).")
    var pages: String?

    @Option(help: "Password of an encrypted PDF.")
    var password: String?

    @Option(help: "Output JSONL file.")
    var out: String

    @Option(help: "Footnotes: drop (with the body's note marks), keep (as printed) or end-of-record (after a form-feed line; prepare puts them at the end of the record).")
    var footnotes: FootnotePolicy = .drop

    func validate() throws {
        if crop != nil && auto { throw ValidationError("--crop and --auto exclude each other") }
    }

    func run() throws {
        let status: Int32
        do { status = try extract() } catch let error as PDFError {
            throw CLIError(error.description, exitCode: error.exitCode)
        }
        if status != 0 { throw ExitCode(status) }  // the summary line has said which pages failed
    }

    /// Returns 0, or 10 when some pages could not be read; throws `PDFError` for the rest.
    private func extract() throws -> Int32 {
        let cropBox = try crop.map { try CropBox(parsing: $0) }
        let selection = try pages.map { try PageSelection(parsing: $0) }
        let document = try PDFDocument(path: pdf, password: password)

        var box = cropBox
        var pageNumbers = try (selection ?? .all).pages(pageCount: document.pageCount)
        if auto {
            let proposal = AutoCrop.propose(for: document)
            box = proposal.box
            if selection == nil { pageNumbers = Array(proposal.bodyPages) }
            report("auto crop: \(proposal.box) pages \(proposal.bodyPages.lowerBound)-\(proposal.bodyPages.upperBound) "
                + "confidence \(String(format: "%.2f", proposal.confidence)); "
                + "\(proposal.evidence.count) header/footer lines judged")
            for signal in proposal.signals { report("  confidence \(signal)") }
            for excluded in proposal.excludedPages { report("  \(excluded)") }
            for line in proposal.evidence {
                let verdict = line.isFurniture ? "cut " : "kept"
                report(String(format: "  %@ %@ at %.0f–%.0f pt on %d pages, e.g. %@ (%@)", verdict, "\(line.zone)", line.top, line.bottom,
                              line.pages.count, line.shownAs, line.reason))
            }
            if proposal.isDoubtful {
                let weakest = proposal.signals.min { $0.factor < $1.factor }.map { " (weakest: \($0.name), \($0.evidence))" } ?? ""
                report(String(format: "WARNING: auto crop confidence %.2f is below %.2f%@: check the crop box and pages before "
                    + "using this text (tunebench open shows them; --crop and --pages set them by hand)",
                    proposal.confidence, CropProposal.doubtfulBelow, weakest))
            }
        }

        let progress = ProgressReport(label: "extracting", total: pageNumbers.count, unit: "pages")
        defer { progress.finish() }
        let summary = try ExtractJob(pdf: pdf, password: password, crop: box, pages: pageNumbers, output: URL(fileURLWithPath: out),
                                   footnotes: footnotes)
            .run(document: document, progress: { done, _ in progress.update(done) })
        progress.finish()

        for warning in summary.warnings { report("warning: \(warning)") }
        let empty = summary.emptyPages.count
        report("wrote \(summary.pagesWritten) pages to \(out) (\(empty) empty, "
            + "\(summary.failedPages.count) unreadable); \(summary.warnings.count) warning(s)")
        if !pageNumbers.isEmpty && empty == summary.pagesWritten {
            throw PDFError.noTextLayer(path: pdf)
        }
        return summary.failedPages.isEmpty ? 0 : 10
    }
}

private func report(_ message: String) {
    printError("tunebench extract: " + message)
}

extension FootnotePolicy: ExpressibleByArgument {}
