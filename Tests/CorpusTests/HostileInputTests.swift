import Foundation
import Testing
@testable import Corpus

/// Every file of Tests/Fixtures/corpus/hostile (MANIFEST.json says what each is) gives a clear error
/// or opens with the right warning; nothing crashes.
@Suite struct HostileInputTests {
    static func path(_ name: String) -> String { corpusDirectory().appendingPathComponent("hostile/" + name).path }

    static func openError(_ name: String, password: String? = nil) -> PDFError? {
        do { _ = try PDFDocument(path: path(name), password: password); return nil } catch { return error }
    }

    @Test func zeroByteFileIsRejectedAsEmpty() {
        #expect(Self.openError("zero-byte.pdf") == .emptyFile(path: Self.path("zero-byte.pdf")))
    }

    @Test func pngRenamedToPDFIsNotAPDF() {
        #expect(Self.openError("not-a-pdf-png.pdf") == .notAPDF(path: Self.path("not-a-pdf-png.pdf"), detected: "a PNG image"))
    }

    @Test func textRenamedToPDFIsNotAPDF() {
        #expect(Self.openError("not-a-pdf-text.pdf") == .notAPDF(path: Self.path("not-a-pdf-text.pdf"), detected: "plain text"))
    }

    @Test func truncatedFilesAreDamaged() {
        for name in ["truncated-half.pdf", "truncated-header-only.pdf"] {
            guard case .damaged = Self.openError(name) else { Issue.record("\(name) not reported damaged"); continue }
            #expect(Self.openError(name)?.exitCode == 5)
        }
    }

    @Test func missingFileIsReported() {
        #expect(Self.openError("no-such-file.pdf") == .fileNotFound(path: Self.path("no-such-file.pdf")))
    }

    @Test func badStartxrefIsRepairedAndReadsLikeBookA() throws {
        let document = try PDFDocument(path: Self.path("bad-startxref.pdf"))
        #expect(document.repairNote != nil)
        #expect(document.pageCount == 194)
        let gt = try GroundTruth.load("books/austen-persuasion-a5-latex.gt.json")
        let crop = CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3])
        let text = try document.page(20).text(in: crop)
        #expect(scoringTokens(text) == scoringTokens(gt.pages[19].body ?? ""))
    }

    @Test func encryptedWithoutPasswordAsksForIt() throws {
        #expect(Self.openError("encrypted-userpw.pdf") == .passwordRequired(path: Self.path("encrypted-userpw.pdf")))
        #expect(Self.openError("encrypted-userpw.pdf", password: "wrong") == .wrongPassword(path: Self.path("encrypted-userpw.pdf")))
        #expect(PDFError.passwordRequired(path: "x").exitCode == 6)
        let document = try PDFDocument(path: Self.path("encrypted-userpw.pdf"), password: "secret")
        #expect(document.pageCount == 6)
        // Its page 2 is book A's page 20.
        let gt = try GroundTruth.load("books/austen-persuasion-a5-latex.gt.json")
        let crop = CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3])
        #expect(scoringTokens(try document.page(2).text(in: crop)) == scoringTokens(gt.pages[19].body ?? ""))
    }

    @Test func copyForbiddenOpensWithAFlag() throws {
        let document = try PDFDocument(path: Self.path("encrypted-nocopy.pdf"))
        #expect(document.forbidsCopying)
        let summary = PageExtraction(crop: nil, pages: [1]).run(on: document, sink: { _, _ in })
        #expect(summary.warnings.contains { $0.contains("forbids copying") })
    }

    @Test func imageOnlyPageIsWrittenEmptyWithAWarning() throws {
        let document = try PDFDocument(path: Self.path("scanned-page.pdf"))
        var received: [Int: String] = [:]
        let summary = PageExtraction(crop: nil, pages: [1, 2, 3]).run(on: document, sink: { received[$0] = $1 })
        #expect(summary.emptyPages == [2] && summary.pagesWritten == 3)
        #expect(received[2] == "" && !(received[1] ?? "").isEmpty && !(received[3] ?? "").isEmpty)
        #expect(summary.warnings.contains { $0.contains("no text layer") })
    }

    @Test func rotatedPagesReportTheirTurn() throws {
        let document = try PDFDocument(path: Self.path("rotated-pages.pdf"))
        let pages = try (1...5).map { try document.page($0) }
        // /Rotate 0, 90, 180, 270; page 5 draws its text with a 90° (counter-clockwise) matrix.
        #expect(pages.map(\.rotation) == [0, 90, 180, 270, 270])
        // Rotated pages swap width and height for 90 and 270.
        #expect(pages[1].size.width > pages[1].size.height && pages[0].size.width < pages[0].size.height)
        for page in pages { #expect(page.text.contains("the") || page.text.contains("The")) }
        let summary = PageExtraction(crop: nil, pages: [1, 2, 3, 4, 5]).run(on: document, sink: { _, _ in })
        #expect(summary.warnings.filter { $0.contains("turned") }.count == 3)
    }

    @Test func hugeFileCountsPagesAndExtractsASubset() throws {
        let document = try PDFDocument(path: Self.path("huge-2000-pages.pdf"))
        #expect(document.pageCount == 2000)
        let gt = try GroundTruth.load("hostile/huge-2000-pages.gt.json")
        let crop = CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3])
        for n in [1, 2, 999, 1000, 1999, 2000] {
            let text = try document.page(n).text(in: crop)
            #expect(scoringTokens(text) == scoringTokens(gt.pages[n - 1].body ?? ""), "page \(n)")
        }
    }

    @Test func nonLatinScriptsComeOutWithoutFurniture() throws {
        let document = try PDFDocument(path: Self.path("non-latin.pdf"))
        let gt = try GroundTruth.load("hostile/non-latin.gt.json")
        let crop = CropBox(x0: gt.crop_box[0], top: gt.crop_box[1], x1: gt.crop_box[2], bottom: gt.crop_box[3])
        for n in 1...5 {
            let text = try document.page(n).text(in: crop)
            // Character bag equal to the GT body (word splits differ where poppler drops spaces).
            let chars = { (s: String) in scoringTokens(s).joined().unicodeScalars.map(\.value).sorted() }
            #expect(chars(text) == chars(gt.pages[n - 1].body ?? ""), "page \(n)")
            #expect(!text.contains("テスト") && !text.contains("— \(n) —"))
        }
        // Arabic in logical order: the first word of the sentence comes first on its line.
        let arabic = try document.page(3).text(in: crop)
        #expect(arabic.hasPrefix("يولد"))
    }
}
