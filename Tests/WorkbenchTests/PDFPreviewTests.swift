@testable import Corpus
import Foundation
import Testing
import Workspace
@testable import Workbench

/// The PDF pane's page view tells the truth: it draws exactly the characters extraction keeps,
/// marks cut text so it shows without colour, shows every line of a page in fit mode, and its side
/// panel's lines are whole.
@Suite struct PDFPreviewTests {
    let gt: BookGroundTruth
    let crop: CropBox

    init() throws {
        gt = try BookGroundTruth.load()
        crop = CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3])
    }

    func makePane(width: Double? = nil) throws -> PDFPane {
        let crop = self.crop, gt = self.gt
        let workspace = try makeSampleWorkspace { settings in
            settings.pdf.crop = crop
            settings.pdf.bodyPages = gt.body_pages[0]...gt.body_pages[1]
        }
        return PDFPane(model: WorkspaceModel(workspace), waker: Waker())
    }

    /// The kept words of a layout, read off its placements row by row (a gap of more than one
    /// cell between kept characters separates words).
    static func keptWords(_ layout: PageLayout, _ page: PDFPage) -> [String] {
        var words: [String] = []
        var current = "", last: PageLayout.Placement? = nil
        for p in layout.placements.sorted(by: { ($0.y, $0.x) < ($1.y, $1.x) }) where p.kept {
            if let last, last.y != p.y || p.x - last.x > 1, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.unicodeScalars.append(page.characters[p.index].scalar)
            last = p
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The corpus books the tests carry: the sample book, and the LaTeX novel with footnotes
    /// (Tests/Fixtures/corpus/books), each with its ground-truth crop.
    static let books: [(pdf: String, crop: [Double])] = [
        ("samples/pride-and-prejudice-a5.pdf", []),
        ("Tests/Fixtures/corpus/books/austen-persuasion-a5-latex.pdf", [32.3, 50.9, 387.8, 552.6]),
    ]

    @Test(arguments: books.indices) func thePreviewKeepsExactlyWhatExtractionKeepsOnEveryPage(book: Int) throws {
        let (pdf, box) = Self.books[book]
        let crop = box.isEmpty ? self.crop : CropBox(x0: box[0], top: box[1], x1: box[2], bottom: box[3])
        let document = try PDFDocument(path: packageRoot().appendingPathComponent(pdf).path)
        for number in 1...document.pageCount {
            let page = try document.page(number)
            // Zoom mode in a wide pane: every character has a cell.
            let layout = PageLayout(page: page, crop: crop, rect: Rect(x: 1, y: 1, width: 120, height: 200), mode: .zoom)
            let kept = page.keptCharacters(in: crop)
            let letters = Set(page.characters.indices.filter { !page.characters[$0].scalar.properties.isWhitespace })
            #expect(Set(layout.placements.map(\.index)) == letters, "page \(number): a character is not drawn")
            #expect(layout.placements.allSatisfy { $0.kept == kept[$0.index] }, "page \(number)")
            // The same characters in the same order (spacing may differ: extraction writes no
            // space where poppler has none, e.g. between a contents entry and its page number,
            // while the preview shows the gap).
            let extracted = page.text(in: crop).unicodeScalars.filter { !$0.properties.isWhitespace }
            #expect(String(String.UnicodeScalarView(extracted)) == Self.keptWords(layout, page).joined(), "page \(number)")
            // Fit mode at 120×36 (the pane's page area) draws what it draws by the same rule.
            let fit = PageLayout(page: page, crop: crop, rect: Rect(x: 1, y: 2, width: 78, height: 32), mode: .fit)
            #expect(fit.placements.allSatisfy { $0.kept == kept[$0.index] }, "page \(number)")
        }
    }

    @Test func cutTextIsMarkedSoTheMonoThemeShowsIt() throws {
        let pane = try makePane()
        _ = pane.handle(.key(.pageDown))  // page 6: a running head and a folio, both cut
        let grid = render(pane, width: 110, height: 40)
        let head = try #require(grid.find(gt.pages[5].header.replacingOccurrences(of: " ", with: "·")))
        let firstBody = String(gt.pages[5].body.split(separator: "\n")[0])
        let body = try #require(grid.find(firstBody))
        let mono = try ThemeLibrary(folders: []).load("mono")
        let shown = { (x: Int, y: Int) in mono.style(grid[x, y].role).attributes.union(grid[x, y].attributes) }
        let headLook = shown(head.x, head.y), bodyLook = shown(body.x, body.y)
        #expect(headLook != bodyLook)
        // Underlined as well as dimmed: terminals that do not render dim still show the cut.
        #expect(headLook.contains(.underline) && headLook.contains(.dim))
        #expect(!bodyLook.contains(.underline) && !bodyLook.contains(.dim))
        // (The space inside the cut head is filled with '·', which is how `find` found it.)
    }

    @Test func theCropEdgesHaveRowsOfTheirOwnBetweenTextRows() throws {
        let pane = try makePane()
        _ = pane.handle(.key(.pageDown))
        let grid = render(pane, width: 110, height: 40)
        let top = try #require((0..<40).first { grid[0, $0].character == "▶" })
        let row = grid.row(top)
        // Only the edge and its handle on that row: no text under the edge.
        #expect(row.dropFirst().prefix(110 - PDFPane.panelWidth(for: 110) - 2).allSatisfy { "─┌┐ ".contains($0) }, "\(row)")
        let head = try #require(grid.find(gt.pages[5].header.replacingOccurrences(of: " ", with: "·")))
        #expect(head.y < top)
    }

    /// A page of 41 lines (a 39-line body, a running head and a folio), as the A5 LaTeX novel in the
    /// corpus has, built from character boxes: 12 pt leading, Latin text, each line 60 characters.
    static func fortyOneLinePage() -> PDFPage {
        var characters: [PDFCharacter] = []
        var breaks: [Int] = []
        for line in 0..<41 {
            let top = 40.0 + Double(line) * 12
            let text = line == 0 ? "PERSUASION" : line == 40 ? "\(17)" : "line \(line) " + String(repeating: "word ", count: 11)
            var x = line == 40 ? 205.0 : 50.0
            for scalar in text.unicodeScalars {
                characters.append(PDFCharacter(scalar: scalar, box: PDFRect(x0: x, top: top, x1: x + 5, bottom: top + 9), fontSize: 10))
                x += 5
            }
            breaks.append(characters.count)
        }
        return PDFPage(number: 1, size: (419.5, 595.3), characters: characters, lineBreaks: breaks)
    }

    @Test func fitToPageShowsEveryLineOfAFortyOneLinePageAt120By36() throws {
        let page = Self.fortyOneLinePage()
        #expect(page.lines.count == 41)
        // The pane's page area at 120×36: the workbench gives the pane 34 rows, the border takes
        // one cell each side, the side panel a third of the width.
        let rect = Rect(x: 1, y: 2, width: 120 - PDFPane.panelWidth(for: 120) - 2, height: 34 - 2)
        let crop = CropBox(x0: 40, top: 50, x1: 380, bottom: 520)
        let layout = PageLayout(page: page, crop: crop, rect: rect, mode: .fit)
        #expect(layout.items.count <= rect.height)
        #expect(layout.placements.allSatisfy { rect.contains(x: $0.x, y: $0.y) })
        // Every line has its first word on the screen.
        let drawn = Set(layout.placements.map(\.index))
        for line in page.lines {
            #expect(drawn.contains(line.characters.lowerBound), "line '\(line.text)' not shown")
        }
        // Zoom mode gives each line a row of its own and scrolls.
        let zoom = PageLayout(page: page, crop: crop, rect: rect, mode: .zoom, scroll: 100)
        #expect(zoom.items.count == 43 && zoom.scroll == 43 - rect.height)
        #expect(zoom.sharedRows == 0)
    }

    @Test func zoomScrollsWithItsOwnKeysAndTheArrowsStillMoveEdges() throws {
        let pane = try makePane()
        _ = pane.handle(.key(.pageDown))
        #expect(!pane.keyBindings.contains { $0.keys.contains(.character("j")) })
        _ = pane.handle(.key(.character("z")))
        #expect(pane.zoomed)
        var grid = render(pane, width: 110, height: 20)
        #expect(grid.find("zoom") != nil)
        let head = gt.pages[5].header.replacingOccurrences(of: " ", with: "·")
        let before = try #require(grid.find(head))
        _ = pane.handle(.key(.character("j")))
        grid = render(pane, width: 110, height: 20)
        #expect(grid.find(head).map { $0.y != before.y } ?? true)
        let top = pane.editor.box.top
        _ = pane.handle(.key(.down))
        #expect(pane.editor.box.top != top)
    }

    @Test func theSidePanelGrowsWithTheWidthAndWrapsItsLines() throws {
        let pane = try makePane()
        let document = try PDFDocument(path: sampleBook.path)
        pane.apply(.proposal(AutoCrop.propose(for: document)))
        let proposal = try #require(pane.proposal)
        #expect(PDFPane.panelWidth(for: 120) == 40 && PDFPane.panelWidth(for: 200) > PDFPane.panelWidth(for: 120))
        let grid = render(pane, width: 120, height: 60)
        let panelX = 120 - PDFPane.panelWidth(for: 120)
        let panelText = (0..<60).map { y in String((panelX..<120).map { grid[$0, y].character }) }
            .joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for signal in proposal.signals {
            let words = ("• " + signal.description).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(panelText.contains(words), "'\(words)' not whole in the panel")
        }
        // At 80×24 the panel's text stays right of the page's border.
        let small = render(pane, width: 80, height: 24)
        let border = 80 - PDFPane.panelWidth(for: 80) - 1
        for y in 1..<23 { #expect("│▲".contains(small[border, y].character), "row \(y): \(small.row(y))") }
    }

    @Test func aDoubtfulAutoCropAsksBeforeExtracting() throws {
        let pane = try makePane()
        let doubtful = CropProposal(
            box: crop, bodyPages: 5...6, confidence: 0.5, evidence: [], pageRangeReason: [],
            signals: [ConfidenceSignal(name: "body size", factor: 0.5, evidence: "2 of 52 pages")])
        pane.apply(.proposal(doubtful))
        _ = pane.handle(.key(.character("e")))
        #expect(pane.pendingConfirmation != nil && pane.job == nil)
        #expect(render(pane, width: 110, height: 40).find("extract anyway? y/n") != nil)
        _ = pane.handle(.key(.character("n")))
        #expect(pane.pendingConfirmation == nil && pane.job == nil)
        _ = pane.handle(.key(.character("e")))
        _ = pane.handle(.key(.character("y")))
        #expect(pane.job != nil)
        #expect(waitFor(pane) { pane.job == nil })
        #expect(pane.message?.hasPrefix("wrote 2 pages") == true, "\(pane.message ?? "")")
    }
}
