import Corpus
import Engine
import Foundation
import Testing
import TOMLKit
@testable import Workspace

/// A fresh empty folder under the system temporary directory.
func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tb-ws-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func packageRoot() -> URL {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url
}

@Suite struct WorkspaceFileTests {
    @Test func workspaceFileNameIsTheDocumentedOne() {
        #expect(Workspace.fileName == "tunebench.toml")
    }

    @Test func everyChangedSettingSurvivesASaveAndAnOpen() throws {
        let dir = temporaryFolder()
        var ws = try Workspace.create(at: dir)
        ws.settings.pdf.path = "book.pdf"
        ws.settings.pdf.crop = CropBox(x0: 48, top: 55.3, x1: 371.5, bottom: 540.25)
        ws.settings.pdf.bodyPages = 5...52
        ws.settings.pdf.footnotes = .endOfRecord
        ws.settings.dataset.settings.contextLength = 512
        ws.settings.dataset.settings.joinPages = false
        ws.settings.dataset.settings.minLength = 7
        ws.settings.dataset.settings.eosAtParagraphEnds = false
        ws.settings.dataset.settings.testFraction = 0.25
        ws.settings.dataset.settings.seed = 7
        ws.settings.dataset.format = .chat
        ws.settings.model.path = "other.gguf"
        ws.settings.lora = LoRAConfig(rank: 16, alpha: 32, dropout: 0.1, targets: [.gate, .query], useRSLoRA: true)
        ws.settings.training.learningRate = 1e-3
        ws.settings.training.schedule = .linear
        ws.settings.training.maxSteps = 30
        ws.settings.training.baseQuant = .nf4
        ws.settings.chat.sampling.temperature = 0.25
        ws.settings.chat.systemPrompt = "Say \"hi\"\nthen stop"
        ws.settings.ui.theme = "light"
        try ws.save()
        let reopened = try Workspace.open(at: dir)
        #expect(reopened.settings == ws.settings)
        #expect(reopened.warnings.isEmpty)
        // The text is real TOML that another reader understands.
        let table = try TOMLTable(string: try String(contentsOf: dir.appendingPathComponent("tunebench.toml"), encoding: .utf8))
        #expect(table["dataset"]?["context_length"]?.int == 512)
        #expect(table["pdf"]?["crop"]?.array?.count == 4)
        #expect(table["pdf"]?["footnotes"]?.string == "end-of-record")
        #expect(table["dataset"]?["join_pages"]?.bool == false)
        #expect(table["lora"]?["targets"]?.array?.map { $0.string } == ["q", "gate"])
        #expect(table["training"]?["base_quant"]?.string == "nf4")
        // An empty base_quant is the model file's own format.
        let plain = try WorkspaceTOML(parsing: "[training]\nbase_quant = \"\"\n", path: "ws/tunebench.toml")
        #expect(plain.settings.training.baseQuant == nil)
    }

    @Test func aNewWorkspaceHasTheDocumentedDefaultsAndAdoptsItsOnlyPDF() throws {
        let dir = temporaryFolder()
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("My Book.pdf").path, contents: Data("%PDF-1.4".utf8))
        let ws = try Workspace.create(at: dir)
        #expect(ws.settings.pdf.path == "My Book.pdf")
        #expect(ws.pdfURL?.lastPathComponent == "My Book.pdf")
        let reopened = try Workspace.open(at: dir)
        #expect(reopened.settings.dataset.settings == DatasetSettings())
        #expect(reopened.settings.lora == LoRAConfig())
        #expect(reopened.settings.ui.theme == "dark")
        #expect(throws: WorkspaceError.alreadyExists(path: dir.standardizedFileURL.appendingPathComponent("tunebench.toml").path)) {
            _ = try Workspace.create(at: dir)
        }
    }

    @Test func aFolderWithoutTheFileIsNotAWorkspace() {
        let dir = temporaryFolder()
        #expect(throws: WorkspaceError.notAWorkspace(path: dir.path)) { _ = try Workspace.open(at: dir) }
    }

    @Test(arguments: [
        ("[dataset]\ncontext_length = \"big\"\n", "dataset.context_length must be a whole number"),
        ("[dataset]\ncontext_length = 1\n", "dataset.context_length is refused: the context length must be between 2 and 1048576 tokens, not 1"),
        ("[dataset]\ntest_fraction = 1.5\n", "dataset.test_fraction is refused: the test fraction must be in [0, 1), not 1.5"),
        ("[pdf]\ncrop = [10, 20, 5, 30]\n", "pdf.crop must be [x0, top, x1, bottom] with x0 < x1 and top < bottom"),
        ("[pdf]\nbody_pages = [9, 3]\n", "pdf.body_pages must be [first, last] page numbers from 1 with first ≤ last"),
        ("[pdf]\nfootnotes = \"bottom\"\n", "pdf.footnotes must be one of drop, keep, end-of-record, not 'bottom'"),
        ("[lora]\ntargets = [\"q\", \"wq\"]\n", "lora.targets has 'wq'; use q, k, v, o, gate, up, down"),
        ("[training]\nschedule = \"step\"\n", "training.schedule must be linear, cosine or constant"),
        ("[training]\nbase_quant = \"nf8\"\n", "training.base_quant must be \"as stored\", nf4, q8_0 or q4_0, not 'nf8'"),
        ("[training]\nepochs = 0\nmax_steps = 0\n", "training.epochs is refused: train for at least one epoch or one step"),
        ("[chat]\ntop_p = 0\n", "chat.top_p is refused: top-p must be in (0, 1], not 0.0"),
        ("pdf = 3\n", "pdf must be a [pdf] table"),
    ])
    func aBadValueIsOneLineNamingTheKey(text: String, message: String) {
        do {
            _ = try WorkspaceTOML(parsing: text, path: "ws/tunebench.toml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description == "ws/tunebench.toml: " + message)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func aSyntaxErrorNamesItsLine() {
        do {
            _ = try WorkspaceTOML(parsing: "[pdf]\npath = \"a.pdf\"\ncrop = [1, 2\n", path: "t.toml")
            Issue.record("accepted broken TOML")
        } catch {
            guard case .syntax(_, let line, _, _) = error else { Issue.record("\(error)"); return }
            #expect(line >= 3)
            #expect(error.description.hasPrefix("t.toml:"))
        }
    }

    @Test func unknownKeysAreWarnedAboutAndKeptOnSave() throws {
        let text = """
            version = 2
            [pdf]
            path = "a.pdf"
            colour = "blue"
            [pdf.extra]
            x = 1
            [plugins]
            name = "x"
            """
        let parsed = try WorkspaceTOML(parsing: text, path: "t.toml")
        #expect(parsed.settings.pdf.path == "a.pdf")
        #expect(parsed.warnings.count == 4)
        #expect(parsed.warnings.contains("t.toml: unknown key pdf.colour (kept)"))
        let again = try WorkspaceTOML(parsing: parsed.text, path: "t.toml")
        #expect(again.settings == parsed.settings)
        let table = try TOMLTable(string: parsed.text)
        #expect(table["version"]?.int == 2)
        #expect(table["pdf"]?["colour"]?.string == "blue")
        #expect(table["pdf"]?["extra"]?["x"]?.int == 1)
        #expect(table["plugins"]?["name"]?.string == "x")
    }

    @Test func pathsResolveAgainstTheWorkspaceFolder() {
        var ws = Workspace(directory: URL(fileURLWithPath: "/data/ws"), settings: WorkspaceSettings())
        ws.settings.pdf.path = "../book.pdf"
        #expect(ws.pdfURL?.path == "/data/book.pdf")
        #expect(ws.datasetURL.path == "/data/ws/dataset")
        ws.settings.pdf.path = "/abs/b.pdf"
        #expect(ws.pdfURL?.path == "/abs/b.pdf")
        #expect(ws.modelURL == ModelCache.defaultModel)
    }

    @Test func theSampleWorkspaceOpensOnTheSampleBook() throws {
        let ws = try Workspace.open(at: packageRoot().appendingPathComponent("samples/workspace"))
        #expect(ws.warnings.isEmpty)
        let pdf = try #require(ws.pdfURL)
        #expect(FileManager.default.fileExists(atPath: pdf.path))
        #expect(pdf.lastPathComponent == "pride-and-prejudice-a5.pdf")
    }
}
