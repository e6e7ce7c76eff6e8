import Foundation
import Testing
@testable import Corpus

@Suite struct PDFBasicsTests {
    @Test func cropBoxParsesPdfplumberOrder() throws {
        let box = try CropBox(parsing: "32.3, 50.9,387.8,552.6")
        #expect(box == CropBox(x0: 32.3, top: 50.9, x1: 387.8, bottom: 552.6))
        #expect(try CropBox(parsing: box.description) == box)
        #expect(throws: PDFError.self) { try CropBox(parsing: "1,2,3") }
        #expect(throws: PDFError.self) { try CropBox(parsing: "10,0,5,100") }
        #expect(throws: PDFError.self) { try CropBox(parsing: "a,0,5,100") }
    }

    @Test func pageSelectionParsesRangesAndOpenEnds() throws {
        #expect(try PageSelection(parsing: "5-8").pages(pageCount: 10) == [5, 6, 7, 8])
        #expect(try PageSelection(parsing: "1-2,7,9-").pages(pageCount: 10) == [1, 2, 7, 9, 10])
        #expect(try PageSelection(parsing: "-2").pages(pageCount: 10) == [1, 2])
        #expect(throws: PDFError.self) { try PageSelection(parsing: "5-3") }
        #expect(throws: PDFError.self) { try PageSelection(parsing: "0") }
        #expect(throws: PDFError.pageOutOfRange(page: 11, pageCount: 10)) { try PageSelection(parsing: "5-11").pages(pageCount: 10) }
    }

    @Test func exitCodesAreDistinctPerKindOfFailure() {
        let errors: [PDFError] = [
            .fileNotFound(path: ""), .emptyFile(path: ""), .notAPDF(path: "", detected: ""), .damaged(path: "", reason: ""),
            .passwordRequired(path: ""), .noTextLayer(path: ""), .outputFailed(path: "", reason: ""),
            .badCropBox(text: "", reason: ""),
        ]
        #expect(Set(errors.map(\.exitCode)).count == errors.count)
        #expect(!errors.contains { $0.exitCode == 0 || $0.exitCode == 10 || $0.exitCode == 64 })
    }

    @Test func jsonlLineIsValidJSON() throws {
        let text = "a \"quote\"\\ and\nnew line\t\u{1}é"
        let line = jsonlLine(page: 12, text: text)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        #expect(object == ["12": text])
    }

    @Test func pagesWrittenBeforeAFailingSinkAreKept() throws {
        let document = try PDFDocument(path: HostileInputTests.path("huge-2000-pages.pdf"))
        struct DiskFull: Error {}
        var received: [Int] = []
        #expect(throws: DiskFull.self) {
            _ = try PageExtraction(crop: nil, pages: Array(1...10)).run(on: document, sink: { n, _ in
                if n == 4 { throw DiskFull() }
                received.append(n)
            })
        }
        #expect(received == [1, 2, 3])
    }

    @Test func characterBoxesAndFontSizesFollowTheGroundTruthLayout() throws {
        // huge-2000-pages (reportlab): 300×400 pt pages, the header drawn at 7 pt above the GT
        // crop box's top (37.7), body lines at 9 pt.
        let gt = try GroundTruth.load("hostile/huge-2000-pages.gt.json")
        let page = try PDFDocument(path: HostileInputTests.path("huge-2000-pages.pdf")).page(1)
        #expect(page.size.width == 300 && page.size.height == 400)
        #expect(scoringTokens(page.lines.first?.text ?? "") == scoringTokens(gt.pages[0].header ?? "-"))
        #expect(page.lines.first?.fontSize == 7 && page.lines[1].fontSize == 9)
        #expect((page.lines.first?.box.bottom ?? 99) < gt.crop_box[1] && page.lines[1].box.top > gt.crop_box[1])
        #expect(page.characters.count == page.lines.reduce(0) { $0 + $1.characters.count })
    }

    @Test func renderedPageIsWhiteWithInkWhereTheTextIs() throws {
        let document = try PDFDocument(path: HostileInputTests.path("huge-2000-pages.pdf"))
        let page = try document.page(1)
        let gray = try document.render(page: 1, scale: 2, format: .gray)
        #expect(gray.width == 600 && gray.height == 800 && gray.pixels.count == 600 * 800)
        #expect(gray.pixels[0] == 255 && gray.pixels[gray.pixels.count - 1] == 255)
        // Dark pixels inside the first body line's box (scaled ×2), none in the empty middle.
        let line = page.lines[1].box
        var ink = 0
        for y in Int(line.top * 2)..<Int(line.bottom * 2) { for x in Int(line.x0 * 2)..<Int(line.x1 * 2) where gray.pixels[y * 600 + x] < 128 { ink += 1 } }
        #expect(ink > 100)
        #expect(gray.pixels[(600 * 600) + 300] == 255)
        let rgba = try document.render(page: 1, scale: 1)
        #expect(rgba.pixels.count == 300 * 400 * 4 && rgba.pixels[3] == 255)
    }
}
