import Foundation
import Testing
@testable import Corpus

/// Pages joined across page breaks before windowing (`DatasetSettings.joinPages`).
@Suite struct PageJoiningTests {
    static func pageMap(_ pages: [(Int, String)]) throws -> JSONLReadResult {
        let text = pages.map { jsonlLine(page: $0.0, text: $0.1) }.joined(separator: "\n")
        return try JSONLReader().read(data: Data(text.utf8))
    }

    @Test func aPageEndingMidSentenceJoinsTheNextAndAShortLastPageJoinsToo() throws {
        let read = try Self.pageMap([
            (7, "Chapter 1\nIt began with a long sentence and concluding with the"),
            (8, "history and rise of the ancient and respectable family.\nA second paragraph ends here."),
            (9, "Short end."),
            (10, "Chapter 2\nA new chapter that starts a sentence of its own, long enough to stand alone as a page."),
        ])
        var settings = DatasetSettings()
        settings.minLength = 20
        let records = DatasetPreparer(settings: settings).records(read)
        #expect(records.map(\.label) == ["p.7–9", "p.10"])
        #expect(records.map(\.line) == [1, 4])
        #expect(records[0].content == .text("Chapter 1\nIt began with a long sentence and concluding with the\n"
            + "history and rise of the ancient and respectable family.\nA second paragraph ends here.\nShort end."))

        settings.joinPages = false
        #expect(DatasetPreparer(settings: settings).records(read).map(\.label) == ["p.7", "p.8", "p.9", "p.10"])
    }

    @Test func footnotesMovedOutOfThePageGoToTheEndOfTheJoinedRecord() throws {
        let read = try Self.pageMap([
            (7, "Sir Walter Elliot, of Kellynch Hall, and concluding with the\n\u{0C}\n1 Kellynch Hall is an invented estate."),
            (8, "history and rise of the ancient and respectable family."),
            (9, "Chapter 2\nA new chapter that starts a sentence of its own."),
        ])
        var settings = DatasetSettings()
        settings.minLength = 10
        let joined = DatasetPreparer(settings: settings).records(read)
        #expect(joined.map(\.label) == ["p.7–8", "p.9"])
        #expect(joined[0].content == .text("Sir Walter Elliot, of Kellynch Hall, and concluding with the\n"
            + "history and rise of the ancient and respectable family.\n1 Kellynch Hall is an invented estate."))

        settings.joinPages = false
        let alone = DatasetPreparer(settings: settings).records(read)
        #expect(alone[0].content == .text("Sir Walter Elliot, of Kellynch Hall, and concluding with the\n1 Kellynch Hall is an invented estate."))
    }

    @Test func closingQuotesAfterTheFullStopEndASentence() {
        #expect(PageJoining.endsSentence("he said, “it is done.”\n"))
        #expect(PageJoining.endsSentence("Was it? "))
        #expect(!PageJoining.endsSentence("“Yes,” said she, “the"))
        #expect(!PageJoining.endsSentence("the Musgroves’"))
    }

    @Test func otherShapesAreNotJoined() throws {
        let read = try JSONLReader().read(data: Data("{\"text\": \"no full stop\"}\n{\"text\": \"second\"}\n".utf8))
        #expect(DatasetPreparer(settings: DatasetSettings()).records(read).map(\.label) == ["l.1", "l.2"])
    }

    /// The footnoted book, extracted as `tunebench extract` does (footnotes dropped): joined
    /// records start only where the ground truth's prose of the page before ends a sentence, cover
    /// every body page once, and none is short enough for min_length to drop (page 114, a
    /// chapter's last line, is dropped when pages stand alone).
    @Test func joinedRecordsOfTheBookStartWhereTheBookStartsASentence() throws {
        let (document, gt, crop) = try FootnoteTests.load()
        let output = FootnoteTests.extract(document, crop: crop, pages: Array(gt.bodyRange), footnotes: .drop)
        let read = try Self.pageMap(output.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        let preparer = DatasetPreparer(settings: DatasetSettings())
        let records = preparer.records(read)
        let byPage = Dictionary(gt.pages.map { ($0.page, $0) }, uniquingKeysWith: { a, _ in a })

        var next = gt.bodyRange.lowerBound
        for record in records {
            let pages = try #require(record.pages)
            #expect(pages.lowerBound == next, "\(record.label)")
            next = pages.upperBound + 1
            guard pages.lowerBound > gt.bodyRange.lowerBound, let before = byPage[pages.lowerBound - 1] else { continue }
            let prose = FootnoteTests.prose(before).text.trimmingCharacters(in: .whitespacesAndNewlines)
            let last = prose.last { !"”’\"')".contains($0) }
            #expect(last.map { ".!?".contains($0) } == true, "\(record.label) starts after page \(pages.lowerBound - 1): …\(prose.suffix(40))")
        }
        #expect(next == gt.bodyRange.upperBound + 1)
        #expect(records.count < output.count / 2, "\(records.count) records of \(output.count) pages")
        #expect(records.allSatisfy(preparer.keeps))

        var alone = DatasetSettings()
        alone.joinPages = false
        let pages = DatasetPreparer(settings: alone)
        #expect(pages.records(read).filter { !pages.keeps($0) }.map(\.label) == ["p.114"])
    }
}
