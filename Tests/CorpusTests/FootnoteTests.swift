import Foundation
import Testing
@testable import Corpus

/// Footnotes of a pdfLaTeX book (Fixtures/footnotes): 12 notes on 11 pages, set small at the foot
/// of the page, each with a superscript mark in the body. The ground truth's `body` holds the
/// printed page, notes and marks included, and lists the notes apart, so the prose alone is the
/// body with the note lines and one mark per note taken out.
@Suite struct FootnoteTests {
    static let name = "austen-persuasion-a5-latex"

    static func load() throws -> (document: PDFDocument, gt: GroundTruth, crop: CropBox) {
        let document = try PDFDocument(path: corpusDirectory().appendingPathComponent("books/\(name).pdf").path)
        let gt = try GroundTruth.load(url: corpusDirectory().appendingPathComponent("books/\(name).gt.json"))
        return (document, gt, CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3]))
    }

    static func extract(_ document: PDFDocument, crop: CropBox, pages: [Int], footnotes: FootnotePolicy) -> [Int: String] {
        var output: [Int: String] = [:]
        _ = PageExtraction(crop: crop, pages: pages, footnotes: footnotes).run(on: document) { output[$0] = $1 }
        return output
    }

    /// The ground truth's body without its footnotes and the marks pointing to them: the note
    /// lines are the last lines from the first one that opens with "<n> " and a note's first
    /// words; each note's mark " <n> " is taken out of the prose once.
    static func prose(_ page: GroundTruth.Page) -> (text: String, marks: [String]) {
        let body = page.body ?? ""
        guard let notes = page.footnotes, !notes.isEmpty else { return (body, []) }
        let folded = { (s: Substring) in s.replacingOccurrences(of: "’", with: "'") }
        let openings = notes.map { String($0.prefix(12)) }
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.firstIndex(where: { line in
            guard let space = line.firstIndex(of: " "), line[..<space].allSatisfy(\.isNumber), space > line.startIndex else { return false }
            let rest = folded(line[line.index(after: space)...])
            return openings.contains { rest.hasPrefix($0) }
        }) else { return (body, []) }
        let marks = lines[first...].compactMap { line -> String? in
            let digits = line.prefix { $0.isNumber }
            return digits.isEmpty || !line.dropFirst(digits.count).hasPrefix(" ") ? nil : String(digits)
        }
        lines.removeSubrange(first...)
        var text = lines.joined(separator: "\n")
        for mark in marks {
            if let range = text.range(of: " \(mark) ") { text.replaceSubrange(range, with: " ") }
        }
        return (text, marks)
    }

    static func joinedTokens(_ text: String) -> String { " " + scoringTokens(text).joined(separator: " ") + " " }

    @Test func droppingFootnotesKeepsTheProseAndLosesEveryNoteAndMark() throws {
        let (document, gt, crop) = try Self.load()
        let output = Self.extract(document, crop: crop, pages: Array(gt.bodyRange), footnotes: .drop)
        var proseGT = gt
        for i in proseGT.pages.indices { proseGT.pages[i].body = Self.prose(proseGT.pages[i]).text }
        let score = scoreOutput(output, against: proseGT)
        #expect(score.f1 >= 0.999, "F1 \(score.f1)")

        let withNotes = gt.pages.filter { !($0.footnotes ?? []).isEmpty }
        #expect(withNotes.count == 11)
        for page in withNotes {
            let text = try #require(output[page.page])
            for note in page.footnotes ?? [] {
                #expect(!Self.joinedTokens(text).contains(Self.joinedTokens(note)), "page \(page.page) keeps \"\(note)\"")
            }
            // As many of each mark's number as the prose has (dates and numbers stay).
            let (prose, marks) = Self.prose(page)
            #expect(!marks.isEmpty, "page \(page.page)")
            for mark in marks {
                let count = { (s: String) in scoringTokens(s).filter { $0 == mark }.count }
                #expect(count(text) == count(prose), "page \(page.page): mark \(mark) \(count(text)) times, prose \(count(prose))")
            }
        }
        let first = try #require(output[7])
        #expect(first.contains("Sir Walter Elliot, of Kellynch Hall, in Somersetshire"), "\(first.prefix(120))")
        #expect(first.contains("the Baronetage; there"))
    }

    @Test func keepingFootnotesIsThePageAsPrintedAndEndOfRecordMovesThemAfterTheText() throws {
        let (document, _, crop) = try Self.load()
        let kept = try #require(Self.extract(document, crop: crop, pages: [7], footnotes: .keep)[7])
        #expect(kept == (try document.page(7)).text(in: crop))
        #expect(kept.contains("Kellynch Hall is an invented estate"))

        let moved = try #require(Self.extract(document, crop: crop, pages: [7], footnotes: .endOfRecord)[7])
        let dropped = try #require(Self.extract(document, crop: crop, pages: [7], footnotes: .drop)[7])
        #expect(moved.hasPrefix(dropped + "\n\u{0C}\n"))
        let notes = String(moved.dropFirst(dropped.count + 3))
        #expect(notes.hasPrefix("1 Kellynch Hall is an invented estate"), "\(notes)")
        #expect(notes.contains("\n2 The Baronetage of England"), "\(notes)")
    }

    @Test func onAnUncroppedPageTheFolioBelowTheNotesStays() throws {
        let (document, _, _) = try Self.load()
        let page = try document.page(7)
        let split = page.footnoteSplit(in: nil)
        #expect(split.footnotes.map(\.mark) == ["1", "2"])
        #expect(split.footnotes.last?.text.hasSuffix("annual\nvolume.") == true, "\(split.footnotes)")
        #expect(split.body.hasSuffix("concluding with the\n1"), "\(split.body.suffix(60))")
    }

    @Test func aPageWithoutFootnotesIsTheSameUnderEveryPolicy() throws {
        let (document, _, crop) = try Self.load()
        let page = try document.page(8)
        #expect(page.footnoteSplit(in: crop) == FootnoteSplit(body: page.text(in: crop), footnotes: []))
    }
}
