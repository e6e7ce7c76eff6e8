import Engine
import Foundation
import Testing

@testable import Corpus

/// The dataset directory: write → read round trip, checksums, tokenizer identity, JSONL export,
/// atomic writes.
@Suite struct DatasetFileTests {
    typealias S = DatasetTestSupport

    /// The pages fixture prepared in 8-token windows, 25% held out, the short tail padded.
    func preparedPages() throws -> (PreparedSplits, DatasetSettings, TokenizerIdentity) {
        let tokenizer = try S.tokenizer.get()
        var settings = S.settings(ctx: 8, minLength: 15)
        settings.testFraction = 0.25
        settings.padLastWindow = true
        let splits = try DatasetPreparer(settings: settings)
            .prepare(try S.read("pages.jsonl").records, tokenizer: tokenizer, chatRenderer: nil)
        return (splits, settings, TokenizerIdentity(tokenizer: tokenizer, modelFile: "smollm2-tokenizer.json"))
    }

    func write(_ splits: PreparedSplits, _ settings: DatasetSettings, _ identity: TokenizerIdentity, to url: URL,
               exportJSONL: Bool = false) throws {
        try DatasetWriter(exportJSONL: exportJSONL).write(
            splits, to: url, source: "pages.jsonl", sourceFormat: .pages, tokenizer: identity, settings: settings,
            createdBy: "tests")
    }

    @Test func writtenDatasetReadsBackEqual() throws {
        let (splits, settings, identity) = try preparedPages()
        let directory = try S.temporaryDirectory().appendingPathComponent("dataset")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try write(splits, settings, identity, to: directory)

        let dataset = try PreparedDataset(directory: directory, expectedTokenizer: identity)
        #expect(Array(dataset.train) == splits.train)
        #expect(Array(dataset.test) == splits.test)
        #expect(dataset.test.count == Int((Double(splits.stats.windows) * 0.25).rounded()))
        #expect(dataset.manifest.settings == settings)
        #expect(dataset.manifest.stats == splits.stats.withoutLengths)
        #expect(dataset.manifest.tokenBytes == 2)  // 49152 tokens fit UInt16
        let trainBytes = try Data(contentsOf: directory.appendingPathComponent("train.bin"))
        #expect(trainBytes.count == splits.train.count * 8 * 3)
        // First token of the first window, little-endian UInt16.
        #expect(Int32(trainBytes[0]) | Int32(trainBytes[1]) << 8 == splits.train[0].tokens[0])
        #expect(splits.train.contains { $0.mask.contains(TokenWindow.padding) }
            || splits.test.contains { $0.mask.contains(TokenWindow.padding) })
    }

    @Test func aFlippedByteFailsTheChecksum() throws {
        let (splits, settings, identity) = try preparedPages()
        let directory = try S.temporaryDirectory().appendingPathComponent("dataset")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try write(splits, settings, identity, to: directory)
        let url = directory.appendingPathComponent("train.bin")
        var bytes = try Data(contentsOf: url)
        bytes[5] ^= 0x01
        try bytes.write(to: url)
        #expect {
            try PreparedDataset(directory: directory)
        } throws: { error in
            guard case .corrupt(let path, let reason) = error as? DatasetError else { return false }
            return path == url.path && reason.contains("checksum")
        }
    }

    @Test func aDifferentTokenizerIsRefused() throws {
        let (splits, settings, identity) = try preparedPages()
        let directory = try S.temporaryDirectory().appendingPathComponent("dataset")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try write(splits, settings, identity, to: directory)
        // A different (tiny) vocabulary, and the same vocabulary with two tokens swapped.
        let tiny = try Tokenizer(vocabulary: TokenizerVocabulary(
            tokens: ["a", "b", "ab"], tokenTypes: [1, 1, 1], merges: ["a b"], preTokenizer: "gpt2"))
        var swappedVocabulary = try TokenizerVocabulary(huggingFaceJSON: corpusDirectory().deletingLastPathComponent()
            .appendingPathComponent("golden/smollm2-tokenizer.json"))
        swappedVocabulary.tokens.swapAt(100, 101)
        let swapped = try Tokenizer(vocabulary: swappedVocabulary)
        for other in [tiny, swapped] {
            let otherIdentity = TokenizerIdentity(tokenizer: other, modelFile: "other.gguf")
            #expect(throws: DatasetError.tokenizerMismatch(expected: otherIdentity, found: identity)) {
                try PreparedDataset(directory: directory, expectedTokenizer: otherIdentity)
            }
        }
        // Another file with the same tokens is accepted.
        let sameTokens = TokenizerIdentity(tokenizer: try S.tokenizer.get(), modelFile: "SmolLM2-135M-Instruct.Q8_0.gguf")
        #expect(throws: Never.self) { try PreparedDataset(directory: directory, expectedTokenizer: sameTokens) }
    }

    @Test func exportedJSONLParsesAndMasksWithMinus100() throws {
        let tokenizer = try S.tokenizer.get()
        var settings = S.settings(ctx: 48)
        settings.testFraction = 0.5
        let splits = try DatasetPreparer(settings: settings)
            .prepare(try S.read("prompt-completion.jsonl").records, tokenizer: tokenizer, chatRenderer: S.chatML)
        let directory = try S.temporaryDirectory().appendingPathComponent("dataset")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try DatasetWriter(exportJSONL: true).write(
            splits, to: directory, source: "pc.jsonl", sourceFormat: .promptCompletion,
            tokenizer: TokenizerIdentity(tokenizer: tokenizer, modelFile: "t.json"), settings: settings, createdBy: "tests")

        for (split, windows) in [("train", splits.train), ("test", splits.test)] {
            let text = try String(contentsOf: directory.appendingPathComponent("\(split).jsonl"), encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines.count == windows.count)
            for (line, window) in zip(lines, windows) {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(Set(object.keys) == ["input_ids", "attention_mask", "labels"])
                let ids = try #require(object["input_ids"] as? [Int])
                let labels = try #require(object["labels"] as? [Int])
                let attention = try #require(object["attention_mask"] as? [Int])
                #expect(ids == window.tokens.map(Int.init))
                #expect(attention == window.mask.map { $0 == TokenWindow.padding ? 0 : 1 })
                let trained = zip(ids, labels).filter { $0.1 != -100 }
                #expect(trained.allSatisfy { $0.0 == $0.1 })
                let completion = tokenizer.decode(trained.map { Int32($0.0) })
                #expect(completion == "Paris is the capital of France.<|im_end|>" || completion == "Seven is prime.<|im_end|>")
            }
        }
    }

    @Test func unwritableOutputLeavesNothingBehind() throws {
        let (splits, settings, identity) = try preparedPages()
        let root = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        // A regular file where the parent directory should be: no directory can be created under it.
        let blocker = root.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let target = blocker.appendingPathComponent("dataset")
        #expect {
            try write(splits, settings, identity, to: target)
        } throws: { error in
            guard case .writeFailed(let path, _) = error as? DatasetError else { return false }
            return path == target.path && !(error as! DatasetError).description.contains("\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["file"])
    }

    @Test func anExistingDatasetIsReplacedButOtherDirectoriesAreNot() throws {
        let (splits, settings, identity) = try preparedPages()
        let root = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let target = root.appendingPathComponent("dataset")
        try write(splits, settings, identity, to: target)
        var second = settings
        second.seed = 99
        try write(splits, second, identity, to: target)
        #expect(try PreparedDataset(directory: target).manifest.settings.seed == 99)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["dataset"])

        let notADataset = root.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: notADataset, withIntermediateDirectories: false)
        try Data("keep me".utf8).write(to: notADataset.appendingPathComponent("notes.txt"))
        #expect(throws: DatasetError.outputExists(path: notADataset.path)) {
            try write(splits, settings, identity, to: notADataset)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: notADataset.path) == ["notes.txt"])
    }

    @Test func theManifestRecordsTheInputChecksumAndNamesWhatNoLongerMatches() throws {
        let (splits, settings, identity) = try preparedPages()
        let directory = try S.temporaryDirectory().appendingPathComponent("dataset")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let input = Data("{\"1\": \"a page\"}\n".utf8)
        let checksum = DatasetStaleness.checksum(of: input)
        #expect(checksum == FNV1a64.digest(Array(input)))
        try DatasetWriter().write(splits, to: directory, source: "pages.jsonl", sourceFormat: .pages, tokenizer: identity,
                                  settings: settings, createdBy: "tests", sourceChecksum: checksum)
        let manifest = try PreparedDataset(directory: directory).manifest
        #expect(manifest.sourceChecksum == checksum)
        #expect(DatasetStaleness.differences(manifest, settings: settings, input: "pages.jsonl", inputChecksum: checksum).isEmpty)

        var changed = settings
        changed.contextLength = 256
        changed.joinPages.toggle()
        #expect(DatasetStaleness.message(manifest, settings: changed, input: "pages.jsonl", inputChecksum: checksum)
            == "out of date: prepared with context 8, join pages \(settings.joinPages ? "on" : "off")")
        #expect(DatasetStaleness.message(manifest, settings: settings, input: "pages.jsonl", inputChecksum: "0")
            == "out of date: pages.jsonl changed since")
        #expect(DatasetStaleness.message(manifest, settings: settings, input: "book.jsonl", inputChecksum: checksum)
            == "out of date: prepared from pages.jsonl")
        // A manifest from before checksums (and join_pages) were recorded: settings are compared, the input is not.
        var old = manifest
        old.sourceChecksum = nil
        #expect(DatasetStaleness.differences(old, settings: settings, input: "pages.jsonl", inputChecksum: "0").isEmpty)
    }

    @Test func aNewerFormatVersionIsRefused() throws {
        let (splits, settings, identity) = try preparedPages()
        let directory = try S.temporaryDirectory().appendingPathComponent("dataset")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try write(splits, settings, identity, to: directory)
        let url = directory.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "\"formatVersion\" : 1", with: "\"formatVersion\" : 2")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.unsupportedVersion(path: url.path, version: 2)) {
            try PreparedDataset(directory: directory)
        }
    }
}

extension DatasetStats {
    /// The stats as the manifest keeps them (record lengths are not saved).
    var withoutLengths: DatasetStats {
        var copy = self
        copy.recordLengths = []
        return copy
    }
}
