import Foundation
import Testing

@testable import Corpus

/// JSONL shapes, detection and bad lines; expected records are the fixtures' own text.
@Suite struct DatasetReaderTests {
    typealias S = DatasetTestSupport

    @Test func pageMapsGiveOneRecordPerPageInPageOrder() throws {
        let result = try S.read("pages.jsonl")
        #expect(result.format == .pages)
        #expect(result.badLines.isEmpty)
        #expect(result.records.map(\.line) == [1, 2, 3, 3])
        #expect(result.records.map(\.content) == [
            .text("Chapter 1"),
            .text("Sir Walter Elliot, of Kellynch Hall, in Somersetshire, was a man who,\nfor his own amusement, never took up any book but the Baronetage.\nThere he found occupation for an idle hour."),
            .text("He had been remarkably handsome in his youth.\nVanity was the beginning and the end of his character."),
            .text("Page fifteen text."),
        ])
    }

    @Test func textRecordsKeepEscapesAndIgnoreExtraKeys() throws {
        let result = try S.read("text.jsonl")
        #expect(result.format == .text)
        #expect(result.records.map(\.content) == [
            .text("The first record.\nIt has two lines."),
            .text("The second record, with \"quotes\" and ünïcödé."),
        ])
    }

    @Test func promptCompletionWithCRLFLineEnds() throws {
        let result = try S.read("prompt-completion.jsonl")
        #expect(result.format == .promptCompletion)
        #expect(result.records.map(\.content) == [
            .conversation([.init(role: "user", content: "What is the capital of France?"),
                           .init(role: "assistant", content: "Paris is the capital of France.")]),
            .conversation([.init(role: "user", content: "Name a prime number."),
                           .init(role: "assistant", content: "Seven is prime.")]),
        ])
    }

    @Test func alpacaPutsTheInputAfterTheInstruction() throws {
        let result = try S.read("alpaca.jsonl")
        #expect(result.format == .alpaca)
        #expect(result.records.map(\.content) == [
            .conversation([.init(role: "user", content: "Translate to French.\n\nGood morning"),
                           .init(role: "assistant", content: "Bonjour")]),
            .conversation([.init(role: "user", content: "Say hello."), .init(role: "assistant", content: "Hello!")]),
            .conversation([.init(role: "user", content: "Count to three."),
                           .init(role: "assistant", content: "One, two, three.")]),
        ])
    }

    @Test func chatMessagesAreKeptInOrder() throws {
        let result = try S.read("chat.jsonl")
        #expect(result.format == .chat)
        #expect(result.records.count == 2)
        #expect(result.records[0].content == .conversation([
            .init(role: "system", content: "You are terse."), .init(role: "user", content: "Hi"),
            .init(role: "assistant", content: "Hello."), .init(role: "user", content: "Bye"),
            .init(role: "assistant", content: "Goodbye."),
        ]))
    }

    @Test func badLinesAreSkippedWithLineNumbersAndReasons() throws {
        let result = try S.read("bad-lines.jsonl")
        #expect(result.lineCount == 7)
        #expect(result.records.map(\.content) == [.text("good line one"), .text("good line seven")])
        #expect(result.records.map(\.line) == [1, 7])
        #expect(result.badLines == [
            BadLine(line: 2, reason: "not valid JSON"),
            BadLine(line: 3, reason: "not a JSON object"),
            BadLine(line: 4, reason: "missing \"text\""),
            BadLine(line: 5, reason: "\"text\" is not a string"),
        ])
    }

    @Test func strictStopsAtTheFirstBadLine() {
        #expect(throws: DatasetError.badLine(BadLine(line: 2, reason: "not valid JSON"))) {
            try S.read("bad-lines.jsonl", strict: true)
        }
    }

    @Test func aForcedFormatThatFitsNoLineIsReported() throws {
        do {
            _ = try S.read("pages.jsonl", format: .text)
            Issue.record("a format that fits no line was accepted")
        } catch let error as DatasetError {
            guard case .noRecords(let path, 3, let first?) = error else { Issue.record("\(error)"); return }
            #expect(path == fixtureURL("dataset/pages.jsonl").path)
            // The message names the first bad line and why (issue 13: it named no line or reason).
            #expect(error.description == "no usable record in \(path) (3 bad line(s); the first, \(first))")
            #expect(first.line == 1 && first.reason.contains("\"text\""), "\(first)")
        }
    }

    /// Issue 13: a FIFO (as `prepare <(…)` makes) was "permission denied".
    @Test func aFIFOIsReadToItsEnd() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tb-fifo-\(getpid())").path
        unlink(path)
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let line = "{\"text\": \"" + String(repeating: "word ", count: 40) + "\"}\n"
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: path) else { return }
            handle.write(Data(line.utf8))
            try? handle.close()
        }
        writer.start()
        let result = try JSONLReader(format: .auto).read(contentsOf: URL(fileURLWithPath: path))
        #expect(result.records.count == 1 && result.format == .text)
    }

    /// Issue 13: a line of invalid UTF-8 was called "not valid JSON".
    @Test func invalidUTF8IsCalledSo() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tb-utf8-\(getpid()).jsonl")
        try Data([0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: DatasetError.badLine(BadLine(line: 1, reason: "not valid UTF-8 text"))) {
            try JSONLReader(format: .auto, strict: true).read(contentsOf: url)
        }
    }

    @Test func unknownShapeIsAnError() {
        let data = Data(#"{"foo": "bar"}"#.utf8)
        #expect(throws: DatasetError.unknownFormat(line: 1, keys: ["foo"])) {
            try JSONLReader().read(data: data)
        }
    }
}
