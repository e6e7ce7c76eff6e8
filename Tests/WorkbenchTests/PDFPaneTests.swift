import Corpus
import Foundation
import Testing
import Workspace
@testable import Workbench

/// The PDF pane on the sample book, checked against the book's layout ground truth
/// (samples/pride-and-prejudice-a5.gt.json: each page's header, footer and body as drawn, the
/// crop box and the range of valid crop edges).
@Suite struct PDFPaneTests {
    let gt: BookGroundTruth

    init() throws { gt = try BookGroundTruth.load() }

    func makePane(crop: Bool = true) throws -> (PDFPane, WorkspaceModel) {
        let gt = self.gt
        let workspace = try makeSampleWorkspace { settings in
            if crop { settings.pdf.crop = CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3]) }
            settings.pdf.bodyPages = gt.body_pages[0]...gt.body_pages[1]
        }
        let model = WorkspaceModel(workspace)
        return (PDFPane(model: model, waker: Waker()), model)
    }

    @Test func keptTextIsKeptAndRunningHeadsAndFoliosAreCut() throws {
        let (pane, _) = try makePane()
        _ = pane.handle(.key(.pageDown))  // body starts at page 5; page 6 has a head and a folio
        #expect(pane.pageNumber == 6)
        let page = gt.pages[5]
        let grid = render(pane, width: 110, height: 40)
        #expect(grid.find("page 6/52") != nil)
        // Cut text fills its spaces with '·'.
        let head = try #require(grid.find(page.header.replacingOccurrences(of: " ", with: "·")), "running head '\(page.header)' not drawn")
        #expect(grid.textRoles(x: head.x, y: head.y, count: page.header.count) == [.cut])
        // The first body line, as the generator drew it.
        let firstLine = String(page.body.split(separator: "\n")[0])
        let body = try #require(grid.find(firstLine))
        #expect(grid.textRoles(x: body.x, y: body.y, count: firstLine.count) == [.kept])
        // The folio is the lowest text on the page: below the body, cut.
        let pageArea = grid.bounds.splitLeft(110 - PDFPane.panelWidth(for: 110)).0.inset(by: 1)
        let folioRow = try #require((pageArea.y..<pageArea.maxY).reversed().first { y in
            (pageArea.x..<pageArea.maxX).contains { grid[$0, y].character == Character(page.footer) }
        })
        #expect(folioRow > body.y)
        let folioRoles = (pageArea.x..<pageArea.maxX).filter { grid[$0, folioRow].character == Character(page.footer) }.map { grid[$0, folioRow].role }
        #expect(folioRoles == [.cut])
        // The side panel reports the crop in points.
        let topRow = try #require(grid.find("▸ top"))
        #expect(grid.row(topRow.y).contains("55.3"))
        #expect(grid.find("body pages 5–52") != nil)
    }

    @Test func snappingMovesTheTopEdgeIntoTheGapUnderTheRunningHead() throws {
        let (pane, model) = try makePane(crop: false)
        _ = pane.handle(.key(.pageDown))
        #expect(pane.editor.box.top == 0 && pane.editor.selected == .top)
        // Down once: above the head; twice: between the head and the first body line, which the
        // ground truth says is where a valid top edge lies.
        _ = pane.handle(.key(.down))
        #expect(pane.editor.box.top < gt.crop_box_valid.top[0])
        _ = pane.handle(.key(.down))
        let valid = gt.crop_box_valid.top[0]...gt.crop_box_valid.top[1]
        #expect(valid.contains(pane.editor.box.top), "top \(pane.editor.box.top)")
        // The choice is in tunebench.toml at once.
        let saved = try Workspace.open(at: model.workspace.directory)
        #expect(saved.settings.pdf.crop?.top == pane.editor.box.top)
        // Free mode moves by the fine step instead.
        _ = pane.handle(.key(.character("s")))
        let before = pane.editor.box.top
        _ = pane.handle(.key(.down))
        #expect(pane.editor.box.top == before + CropEditor.fineStep)
        _ = pane.handle(.key(.character("J")))
        #expect(pane.editor.box.top == before + CropEditor.fineStep + CropEditor.coarseStep)
    }

    @Test func theBottomEdgeSnapsAboveTheFolio() throws {
        let (pane, _) = try makePane(crop: false)
        _ = pane.handle(.key(.pageDown))
        _ = pane.handle(.key(.character(" ")))
        _ = pane.handle(.key(.character(" ")))
        #expect(pane.editor.selected == .bottom)
        _ = pane.handle(.key(.up))
        _ = pane.handle(.key(.up))
        let valid = gt.crop_box_valid.bottom[0]...gt.crop_box_valid.bottom[1]
        #expect(valid.contains(pane.editor.box.bottom), "bottom \(pane.editor.box.bottom)")
    }

    @Test func draggingAnEdgeWithTheMouseMovesItAndSavesIt() throws {
        let (pane, model) = try makePane()
        _ = render(pane, width: 110, height: 40)  // lays out the page so mouse positions map to points
        // The top edge's handle sits in the page border on the edge's row.
        let grid = render(pane, width: 110, height: 40)
        let handleRow = try #require((0..<40).first { grid[0, $0].character == "▶" })
        #expect(pane.handle(.mouse(MouseEvent(kind: .press, x: 20, y: handleRow))))
        #expect(pane.editor.selected == .top)
        _ = pane.handle(.mouse(MouseEvent(kind: .drag, x: 20, y: handleRow + 3)))
        _ = pane.handle(.mouse(MouseEvent(kind: .release, x: 20, y: handleRow + 3)))
        #expect(pane.editor.box.top > gt.crop_box[1] + 20)
        let saved = try Workspace.open(at: model.workspace.directory)
        #expect(saved.settings.pdf.crop == pane.editor.box)
    }

    @Test func goToPageAndTheBodyRangeMarks() throws {
        let (pane, model) = try makePane()
        for key: Key in [.character("g"), .character("1"), .character("2"), .enter] { _ = pane.handle(.key(key)) }
        #expect(pane.pageNumber == 12)
        _ = pane.handle(.key(.character("]")))
        #expect(pane.bodyPages == 5...12)
        _ = pane.handle(.key(.home))
        #expect(pane.pageNumber == 1)
        _ = pane.handle(.key(.end))
        _ = pane.handle(.key(.pageDown))
        #expect(pane.pageNumber == gt.page_count)
        let saved = try Workspace.open(at: model.workspace.directory)
        #expect(saved.settings.pdf.bodyPages == 5...12)
    }

    @Test func autoCropShowsItsJudgedLinesAndMarksThemOnThePage() throws {
        let (pane, model) = try makePane(crop: false)
        _ = pane.handle(.key(.character("a")))
        #expect(pane.job == JobStatus("auto-cropping"))
        #expect(waitFor(pane) { pane.proposal != nil })
        #expect(pane.job == nil)
        let valid = gt.crop_box_valid
        #expect((valid.top[0]...valid.top[1]).contains(pane.editor.box.top))
        #expect((valid.bottom[0]...valid.bottom[1]).contains(pane.editor.box.bottom))
        #expect(pane.bodyPages == gt.body_pages[0]...gt.body_pages[1])
        _ = pane.handle(.key(.pageDown))
        let grid = render(pane, width: 110, height: 40)
        // The evidence list: the running head judged furniture, on every body page but chapter openings.
        let evidence = try #require(grid.find("cut  head ×"))
        #expect(grid.row(evidence.y).contains("'Pride and"))
        // The running head's row carries the furniture mark in the border.
        let head = try #require(grid.find(gt.pages[5].header.replacingOccurrences(of: " ", with: "·")))
        #expect(grid[0, head.y].character == "✂")
        #expect(try Workspace.open(at: model.workspace.directory).settings.pdf.crop == pane.editor.box)
    }

    @Test func extractionWritesTheBodyPagesWithTheCropInTheBackground() throws {
        let (pane, model) = try makePane()
        _ = pane.handle(.key(.character("e")))
        #expect(pane.job != nil)
        #expect(waitFor(pane) { pane.job == nil })
        #expect(pane.message?.hasPrefix("wrote 48 pages") == true, "\(pane.message ?? "")")
        let text = try String(contentsOf: model.workspace.pagesURL, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == gt.body_pages[1] - gt.body_pages[0] + 1)
        // Page 6 as the generator drew its body: words the same, head and folio gone.
        let object = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: String]
        let words = { (s: String) in s.split(whereSeparator: { $0.isWhitespace }) }
        #expect(words(object["6"]!) == words(gt.pages[5].body))
    }
}
