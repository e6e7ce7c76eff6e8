import Testing
@testable import Corpus

/// The body's page range on a software manual's layout: a long table of contents whose entries
/// look like headings ("1 Introduction . . . 8", "Appendix A Sample session . . . 40"), a body, and
/// appendices. Pages are built from character boxes (no PDF needed).
@Suite struct AutoCropRangeTests {
    /// A page with one 10 pt line per string, 14 pt apart from 60 pt down, letters 5 pt wide.
    static func page(_ number: Int, _ lines: [String]) -> PDFPage {
        var characters: [PDFCharacter] = []
        var breaks: [Int] = []
        for (k, text) in lines.enumerated() {
            let top = 60.0 + Double(k) * 14
            var x = 72.0
            for scalar in text.unicodeScalars {
                characters.append(PDFCharacter(scalar: scalar, box: PDFRect(x0: x, top: top, x1: x + 5, bottom: top + 10), fontSize: 10))
                x += 5
            }
            breaks.append(characters.count)
        }
        return PDFPage(number: number, size: (612, 792), characters: characters, lineBreaks: breaks)
    }

    static let prose = (1...30).map { "Body text of the manual, line \($0) of a page of prose." }

    /// Title page, three pages of contents, 36 body pages (chapter 1 on page 5), 8 appendix pages.
    /// The second contents page opens with an entry whose page number went to a line of its own,
    /// so it reads like the first chapter's heading; the third opens with the appendix's entry.
    static func manual() -> [PDFPage] {
        var pages = [page(1, ["An Introduction to Something", "Version 4.2"])]
        pages.append(page(2, ["Table of Contents"] + (1...9).map { "Preface part \($0) . . . . . \($0 + 1)" }))
        pages.append(page(3, ["1 Introduction and preliminaries"] + (1...9).map { "1.\($0) A section title . . . . . \($0 + 5)" }))
        pages.append(page(4, ["Appendix A A sample session . . . . . 41", "Appendix B Invoking it . . . . . 45"]
            + (1...8).map { "\($0).\($0) Another section . . . . . \($0 + 30)" }))
        pages.append(page(5, ["1 Introduction and preliminaries"] + prose))
        for n in 6...40 { pages.append(page(n, prose)) }
        pages.append(page(41, ["Appendix A A sample session"] + prose))
        for n in 42...48 { pages.append(page(n, prose)) }
        return pages
    }

    @Test func aLongTableOfContentsNeitherStartsNorEndsTheBody() {
        let pages = Self.manual()
        let box = CropBox(x0: 0, top: 0, x1: 612, bottom: 792)
        let (range, reasons, foundStart) = AutoCrop.bodyPageRange(pages, box: box, furniture: [], pageCount: 48)
        #expect(range == 5...40, "\(reasons)")
        #expect(foundStart)
        #expect(reasons.contains { $0.contains("2-4 read as a table of contents") }, "\(reasons)")
        let excluded = AutoCrop.excludedRuns(pages, box: box, range: range, pageCount: 48, reasons: reasons)
        #expect(excluded.map(\.pages) == [1...4, 41...48])
        #expect(excluded.first?.description.contains("table of contents (page 2 opens 'Table of Contents')") == true)
        #expect(excluded.last?.description.contains("appendix (page 41 opens 'Appendix A A sample session')") == true)
    }
}
