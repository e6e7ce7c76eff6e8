import Foundation
import Testing
@testable import Corpus

/// The sample book in samples/ (the PDF the README's main command opens): extraction with the
/// ground-truth crop and with AutoCrop's proposal. Its ground truth was written by
/// samples/make-sample-book.py from the layout it drew (line texts, baselines, font metrics), not
/// by reading the PDF back, so it is independent of the extractor.
@Suite struct SampleBookTests {
    static let name = "pride-and-prejudice-a5"

    static func load() throws -> (document: PDFDocument, gt: GroundTruth) {
        let samples = packageRoot().appendingPathComponent("samples")
        let document = try PDFDocument(path: samples.appendingPathComponent(name + ".pdf").path)
        let gt = try GroundTruth.load(url: samples.appendingPathComponent(name + ".gt.json"))
        return (document, gt)
    }

    /// Runs `PageExtraction` as `tunebench extract` does and collects the pages.
    static func extract(_ document: PDFDocument, crop: CropBox, pages: ClosedRange<Int>) throws -> [Int: String] {
        var output: [Int: String] = [:]
        let summary = try PageExtraction(crop: crop, pages: Array(pages)).run(on: document) { output[$0] = $1 }
        #expect(summary.failedPages.isEmpty && summary.emptyPages.isEmpty && summary.warnings.isEmpty)
        return output
    }

    /// Lines of `output` that are a page's running head or folio, unless the GT body has that line
    /// too (a chapter opening's heading "Chapter 3" is body; the same words up top are furniture).
    static func furnitureLines(in output: [Int: String], gt: GroundTruth) -> [String] {
        var found: [String] = []
        for page in gt.pages {
            guard let text = output[page.page] else { continue }
            let bodyLines = Set((page.body ?? "").split(separator: "\n").map(String.init))
            let furniture = [page.header ?? "", page.footer ?? ""].filter { !$0.isEmpty && !bodyLines.contains($0) }
            for line in text.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if furniture.contains(trimmed) { found.append("page \(page.page): \(trimmed)") }
            }
        }
        return found
    }

    @Test func groundTruthCropExtractsTheBodyWithoutFurniture() throws {
        let (document, gt) = try Self.load()
        #expect(document.pageCount == gt.page_count)
        let crop = CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3])
        let output = try Self.extract(document, crop: crop, pages: gt.bodyRange)
        let score = scoreOutput(output, against: gt)
        // Every body word is drawn as its own string, so nothing but the crop can lose one.
        #expect(score.f1 >= 0.999, "F1 \(score.f1)")
        #expect(score.headerFooterTokens > 0 && score.leakedTokens == 0)
        #expect(Self.furnitureLines(in: output, gt: gt).isEmpty)
    }

    @Test func autoCropFindsRunningHeadsFoliosAndTheBodyPages() throws {
        let (document, gt) = try Self.load()
        let proposal = AutoCrop.propose(for: document)
        let furniture = Set(proposal.evidence.filter(\.isFurniture).map(\.pattern))
        // The book title on even pages, "Chapter N" on odd pages, the folio in every body footer.
        #expect(furniture.isSuperset(of: ["pride and prejudice", "chapter #", "#"]), "\(proposal.evidence)")
        // Chapter openings' headings ("Chapter N", lower down) must not be taken for furniture.
        #expect(!proposal.evidence.contains { $0.isFurniture && $0.top > gt.crop_box[1] && $0.bottom < gt.crop_box[3] })
        #expect(proposal.bodyPages == gt.bodyRange, "\(proposal.pageRangeReason)")
        let valid = try #require(gt.crop_box_valid)
        #expect((valid.top[0]...valid.top[1]).contains(proposal.box.top), "box \(proposal.box)")
        #expect((valid.bottom[0]...valid.bottom[1]).contains(proposal.box.bottom), "box \(proposal.box)")

        let output = try Self.extract(document, crop: proposal.box, pages: proposal.bodyPages)
        let score = scoreOutput(output, against: gt)
        #expect(score.f1 >= 0.999, "F1 \(score.f1)")
        #expect(score.leakedTokens == 0 && score.wronglyIncluded.isEmpty && score.wronglyExcluded.isEmpty)
        #expect(Self.furnitureLines(in: output, gt: gt).isEmpty)
    }

    @Test func autoCropExplainsItsConfidenceAndTheExcludedPages() throws {
        let (document, gt) = try Self.load()
        let proposal = AutoCrop.propose(for: document)
        // The confidence is the product of named factors, each with its evidence.
        #expect(proposal.signals.map(\.name) == ["running furniture", "body start", "margins", "body size"])
        #expect(abs(proposal.signals.map(\.factor).reduce(1, *) - proposal.confidence) < 1e-9)
        let furniture = try #require(proposal.signals.first)
        #expect(furniture.evidence.contains("head 'Pride and Prejudice' on"), "\(furniture)")
        #expect(furniture.evidence.contains("foot page number '"), "\(furniture)")
        #expect(!proposal.isDoubtful)
        // Pages 1–4 (title, note, contents, blank) are front matter, and the contents page is named.
        let front = try #require(proposal.excludedPages.first)
        #expect(front.kind == .frontMatter && front.pages == 1...(gt.bodyRange.lowerBound - 1))
        #expect(front.description.contains("table of contents (page 3 opens 'Contents')"), "\(front)")
        #expect(proposal.excludedPages.count == 1)  // the body runs to the last page
        // Examples show a head spelled out and an arabic folio, not a numeral of the front matter.
        for judged in proposal.evidence {
            #expect(judged.example.filter(\.isLetter).count >= 2 || judged.example.allSatisfy(\.isNumber), "\(judged.example)")
        }
    }

    @Test func aTwoPageBodyIsDoubtful() {
        let signals = AutoCrop.confidenceSignals(
            furniture: [], bodyPages: [], range: 40...41, pageCount: 120, foundStart: true, headerGap: nil, footerGap: nil)
        let size = signals.first { $0.name == "body size" }
        #expect(size?.factor == 0.6 && size?.evidence.contains("2 of 120 pages") == true)
        #expect(signals.map(\.factor).reduce(1, *) < CropProposal.doubtfulBelow)
    }
}
