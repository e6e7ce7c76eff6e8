import Corpus
import Engine
import Foundation
import Pipeline
import Testing
import Workspace
@testable import Workbench

/// The reference made by Fixtures/make-dataset-fixture.py with Hugging Face `tokenizers`.
struct DatasetFixture: Decodable {
    var pages: [Int]
    var records: [String]
    var pieces: [[String]]
    var context_length: Int
    var stream_tokens: Int
    var windows: Int

    static func load() throws -> DatasetFixture {
        let url = packageRoot().appendingPathComponent("Tests/WorkbenchTests/Fixtures/dataset-pane.json")
        return try JSONDecoder().decode(DatasetFixture.self, from: Data(contentsOf: url))
    }
}

/// The golden SmolLM2 tokenizer.json with the special ids the GGUF declares (bos 1, eos/pad 2):
/// tokenizer.json alone carries no EOS.
let goldenTokenizer = TokenizerSource { try loadedGoldenTokenizer.get() }

/// Loaded once for all tests (parsing the JSON takes most of a second in a debug build).
let loadedGoldenTokenizer = Result<DatasetTokenizer, Error> {
    let url = packageRoot().appendingPathComponent("Tests/Fixtures/golden/smollm2-tokenizer.json")
    var vocabulary = try TokenizerVocabulary(huggingFaceJSON: url)
    vocabulary.bosID = 1
    vocabulary.eosID = 2
    vocabulary.paddingID = 2
    let tokenizer = try Tokenizer(vocabulary: vocabulary)
    return DatasetTokenizer(tokenizer: tokenizer, chatFormat: ChatFormat(template: .chatML, tokenizer: tokenizer),
                            identity: TokenizerIdentity(tokenizer: tokenizer, modelFile: "smollm2-tokenizer.json"))
}

@Suite struct DatasetPaneTests {
    let fixture: DatasetFixture
    init() throws { fixture = try DatasetFixture.load() }

    /// A workspace whose pages.jsonl holds the fixture's records, one page a line.
    func makePane() throws -> (DatasetPane, WorkspaceModel) {
        let fixture = self.fixture
        let workspace = try makeSampleWorkspace { $0.dataset.settings.contextLength = fixture.context_length }
        let lines = zip(fixture.pages, fixture.records).map { jsonlLine(page: $0, text: $1) }
        try (lines.joined(separator: "\n") + "\n").write(to: workspace.datasetInputURL, atomically: true, encoding: .utf8)
        let model = WorkspaceModel(workspace)
        let pane = DatasetPane(model: model, waker: Waker(), source: goldenTokenizer)
        #expect(waitFor(pane) { pane.snapshot != nil || pane.message != nil })
        return (pane, model)
    }

    @Test func theDetailViewShowsTokenBoundariesInAlternatingColours() throws {
        let (pane, _) = try makePane()
        #expect(pane.message == nil)
        let grid = render(pane, width: 100, height: 30)
        // Page 6 ends mid-sentence, so page 7 joins it in the first record (the box shows page 6's tokens).
        #expect(grid.find("records (3)") != nil)
        #expect(grid.find("p.6–7") != nil && grid.find("p.8 ") != nil)
        let pieces = fixture.pieces[0]
        #expect(grid.find("pages 6–7 · \(fixture.records[0].count + 1 + fixture.records[1].count) characters · ") != nil)
        // Read the detail area back token by token: a run of one role is one token.
        let detail = Rect(x: 25, y: 1, width: 74, height: 16)  // inside the detail box's border
        var drawn: [String] = []
        var lastRole: ColorRole? = nil
        for y in detail.y..<detail.maxY {
            for x in detail.x..<detail.maxX {
                let cell = grid[x, y]
                guard cell.role == .tokenA || cell.role == .tokenB else { continue }
                if cell.role != lastRole { drawn.append("") }
                drawn[drawn.count - 1].append(cell.character)
                lastRole = cell.role
            }
        }
        #expect(drawn.count > 40)
        // The last drawn token may be cut by the box; compare the ones before it.
        #expect(Array(drawn.dropLast()) == Array(pieces.prefix(drawn.count - 1)))
        #expect(grid[25, 1].role == .tokenA && drawn.first == pieces.first)
    }

    @Test func preparingPacksWindowsAndShowsTheStats() throws {
        let (pane, model) = try makePane()
        let before = render(pane)
        #expect(before.find("not prepared yet: p prepares") != nil)
        _ = pane.handle(.key(.character("p")))
        #expect(pane.job == JobStatus("preparing dataset"))
        #expect(waitFor(pane) { pane.job == nil })
        #expect(pane.message?.hasPrefix("prepared") == true, "\(pane.message ?? "")")
        // The reference stream has this many tokens; whole windows of the context length, with
        // round(10%) of them (at least one) held out.
        let windows = fixture.windows
        let test = max(1, Int((Double(windows) * 0.1).rounded()))
        let grid = render(pane, width: 100, height: 30)
        #expect(grid.find("tokens \(fixture.stream_tokens),") != nil)
        #expect(grid.find("windows \(windows): \(windows - test) train, \(test) test") != nil)
        #expect(FileManager.default.fileExists(atPath: model.workspace.datasetURL.appendingPathComponent("manifest.json").path))
        // The windows view lists the train windows; a window is context-length tokens.
        _ = pane.handle(.key(.character("w")))
        let windowsGrid = render(pane, width: 100, height: 30)
        #expect(windowsGrid.find("windows (\(windows - test))") != nil)
        #expect(windowsGrid.find("train window 1/\(windows - test) · \(fixture.context_length) tokens") != nil)
    }

    /// Whether the stats box shows "out of date: prepared with context 128", wrapped after "with"
    /// at this width.
    func showsOutOfDate(_ pane: DatasetPane) -> Bool {
        let grid = render(pane, width: 100, height: 30)
        guard let first = grid.find("out of date: prepared with"), let second = grid.find("context 128") else { return false }
        return second.x == first.x && second.y == first.y + 1 && grid[first.x, first.y].role == .warning
    }

    @Test func aSettingsChangeOrANewInputMarksThePreparedDatasetOutOfDateUntilItIsPreparedAgain() throws {
        let (pane, model) = try makePane()
        _ = pane.handle(.key(.character("p")))
        #expect(waitFor(pane) { pane.job == nil })
        #expect(pane.staleness == nil)
        #expect(render(pane, width: 100, height: 30).find("out of date") == nil)

        _ = pane.handle(.key(.character("s")))
        _ = pane.handle(.key(.right))  // context length 128 → 256
        #expect(model.settings.dataset.settings.contextLength == 256)
        #expect(pane.staleness == "out of date: prepared with context 128")
        #expect(showsOutOfDate(pane))

        // Reopened: a new pane on the saved workspace compares with manifest.json at once.
        let reopened = DatasetPane(model: WorkspaceModel(try Workspace.open(at: model.workspace.directory)), waker: Waker(),
                                   source: goldenTokenizer)
        #expect(waitFor(reopened) { reopened.snapshot != nil })
        #expect(reopened.staleness == "out of date: prepared with context 128")
        #expect(showsOutOfDate(reopened))

        _ = reopened.handle(.key(.character("p")))
        #expect(waitFor(reopened) { reopened.job == nil })
        #expect(reopened.message?.hasPrefix("prepared") == true, "\(reopened.message ?? "")")
        #expect(reopened.staleness == nil)
        #expect(render(reopened, width: 100, height: 30).find("out of date") == nil)

        // The input changes on disk (extracted again): the pane reads it and says so.
        let input = model.workspace.datasetInputURL
        try (String(contentsOf: input, encoding: .utf8) + jsonlLine(page: 10, text: "One more page.") + "\n")
            .write(to: input, atomically: true, encoding: .utf8)
        #expect(waitFor(reopened) { reopened.staleness != nil })
        #expect(reopened.staleness == "out of date: pages.jsonl changed since")
    }

    @Test func settingsAreEditedInTheFormAndSaved() throws {
        let (pane, model) = try makePane()
        _ = pane.handle(.key(.character("s")))
        _ = pane.handle(.key(.right))  // context length 128 → 256
        _ = pane.handle(.key(.down))
        for key: Key in [.enter, .character("5"), .character("0"), .enter] { _ = pane.handle(.key(key)) }
        _ = pane.handle(.key(.down))
        _ = pane.handle(.key(.enter))  // EOS at paragraph ends: off
        let saved = try Workspace.open(at: model.workspace.directory).settings.dataset.settings
        #expect(saved.contextLength == 256)
        #expect(saved.minLength == 50)
        #expect(saved.eosAtParagraphEnds == false)
        // A bad typed value is refused with the reason and the editor stays open; Esc cancels it.
        _ = pane.handle(.key(.up))
        _ = pane.handle(.key(.up))
        for key: Key in [.enter, .character("1"), .enter] { _ = pane.handle(.key(key)) }
        #expect(pane.form.message == "context length: the context length must be between 2 and 1048576 tokens, not 1" && pane.form.isEditing)
        #expect(model.settings.dataset.settings.contextLength == 256)
        _ = pane.handle(.key(.escape))
        let grid = render(pane)
        let row = try #require(grid.find("context length"))
        #expect(grid.row(row.y).contains("256"))
        #expect(grid[row.x, row.y].role == .highlight)
        #expect(grid.textRoles(x: row.x + "context length ".count, y: row.y, count: 3) == [.selection])
    }
}

@Suite struct DatasetPaneInputTests {
    @Test func withoutAnInputThePaneSaysHowToMakeOneAndReadsItOnceItAppears() throws {
        let fixture = try DatasetFixture.load()
        let workspace = try makeSampleWorkspace()
        let pane = DatasetPane(model: WorkspaceModel(workspace), waker: Waker(), source: goldenTokenizer)
        #expect(pane.message == "no pages.jsonl yet: extract the book in the PDF pane (e)")
        #expect(render(pane).find("extract the book in the PDF pane") != nil)
        try (jsonlLine(page: 6, text: fixture.records[0]) + "\n").write(to: workspace.datasetInputURL, atomically: true, encoding: .utf8)
        #expect(waitFor(pane) { pane.snapshot?.records.count == 1 })
        #expect(pane.message == nil)
    }
}
