import Engine
import Foundation
import Synchronization
import Testing
@testable import Workbench

/// A generator stand-in: replies with fixed pieces, different for the base model and an adapter,
/// and records the requests it got.
private final class FakeGenerator: ChatGenerator {
    let requests = Mutex<[ChatRequest]>([])
    let basePieces: [String]
    let adapterPieces: [String]
    init(base: [String], adapter: [String] = ["tuned ", "reply"]) {
        basePieces = base
        adapterPieces = adapter
    }
    func reply(to request: ChatRequest, shouldStop: () -> Bool, emit: (String) -> Void) throws -> GenerationStats {
        requests.withLock { $0.append(request) }
        var stats = GenerationStats()
        for piece in request.adapterPath == nil ? basePieces : adapterPieces {
            if shouldStop() { stats.stopReason = .interrupted; break }
            emit(piece)
            stats.generatedTokens += 1
        }
        stats.decodeSeconds = 0.5
        return stats
    }
}

@Suite struct ChatPaneTests {
    private func sync(_ g: FakeGenerator, settings: ChatSettings = ChatSettings(modelPath: "/models/base.gguf")) -> ChatPane {
        ChatPane(generator: g, settings: settings, runInBackground: { $0() })
    }
    private func type(_ pane: ChatPane, _ text: String) { for c in text { _ = pane.handle(.key(.character(c))) } }
    private func render(_ pane: ChatPane, width: Int = 60, height: Int = 12) -> [String] {
        var g = Grid(width: width, height: height)
        pane.draw(into: &g, in: g.bounds)
        return g.lines
    }

    @Test func streamedTextAppearsAsItArrives() {
        let pane = sync(FakeGenerator(base: []))
        // Events as a generation thread would post them, applied piece by piece.
        type(pane, "Hi"); _ = pane.handle(.key(.enter))
        pane.update()  // the fake emitted nothing; the reply is closed
        pane.events.post(.text(column: 0, "Once upon"))
        pane.update()
        #expect(render(pane).contains("model: Once upon▍"))
        pane.events.post(.text(column: 0, " a time"))
        pane.update()
        #expect(render(pane).contains("model: Once upon a time▍"))
    }

    @Test func aReplyIsGeneratedWrappedAndKeptInTheConversation() {
        let gen = FakeGenerator(base: ["It is a truth ", "universally ", "acknowledged, that a single ", "man in possession"])
        let pane = sync(gen)
        type(pane, "Quote Austen"); _ = pane.handle(.key(.enter))
        #expect(pane.input.text.isEmpty)
        #expect(pane.update())
        #expect(!pane.isGenerating)
        let lines = render(pane, width: 30, height: 12)
        #expect(lines[0] == "base.gguf + none │ temp 0.70 t")
        #expect(Array(lines[1...6]) == [
            "you: Quote Austen",
            "model: It is a truth",
            "universally acknowledged, that",  // exactly 30 columns
            "a single man in possession",
            "4 tokens, 8.0 tokens/s",
            "",
        ])
        #expect(lines[11] == ">")
        // The second message carries the first turn.
        type(pane, "More"); _ = pane.handle(.key(.enter)); pane.update()
        let second = gen.requests.withLock { $0[1] }
        #expect(second.messages.map(\.role) == ["user", "assistant", "user"])
        #expect(second.messages[1].content == "It is a truth universally acknowledged, that a single man in possession")
        #expect(second.modelPath == "/models/base.gguf" && second.adapterPath == nil)
    }

    @Test func pageUpScrollsBackThroughALongConversation() {
        let pane = sync(FakeGenerator(base: ["ok"]))
        for i in 1...8 { type(pane, "message \(i)"); _ = pane.handle(.key(.enter)); pane.update() }
        // 12 rows: summary, 9 transcript rows, status, input. The transcript has 17 lines: 8 × (you,
        // model) and the last reply's note.
        var lines = render(pane)
        #expect(lines[1] == "you: message 5" + String(repeating: " ", count: 45) + "↑")
        #expect(lines[9] == "1 tokens, 2.0 tokens/s")
        _ = pane.handle(.key(.pageUp))  // a page is 8 lines (one kept for context): the top is reached
        lines = render(pane)
        #expect(lines[1] == "you: message 1")
        #expect(lines[9] == "you: message 5" + String(repeating: " ", count: 45) + "↓")
        _ = pane.handle(.key(.pageUp))
        #expect(render(pane) == lines)  // clamped
        _ = pane.handle(.key(.pageDown))
        #expect(render(pane)[9] == "1 tokens, 2.0 tokens/s")
        // A new message scrolls back to the end.
        _ = pane.handle(.key(.pageUp))
        type(pane, "again"); _ = pane.handle(.key(.enter)); pane.update()
        #expect(render(pane)[8] == "model: ok")
    }

    @Test func sideBySideAnswersWithBaseAndAdapter() throws {
        let gen = FakeGenerator(base: ["plain ", "reply"])
        let pane = sync(gen)
        _ = pane.handle(.key(.control("t")))
        #expect(!pane.sideBySide && pane.message == "side by side needs an adapter: /adapter PATH")
        // A PEFT folder (what /adapter checks for when it is typed).
        let adapter = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: adapter) }
        try Data("{}".utf8).write(to: adapter.appendingPathComponent("adapter_config.json"))
        type(pane, "/adapter \(adapter.path)"); _ = pane.handle(.key(.enter))
        #expect(pane.message == "adapter: \(adapter.path) → \(adapter.lastPathComponent) (PEFT folder); conversation cleared")
        _ = pane.handle(.key(.control("t")))
        #expect(pane.sideBySide)
        type(pane, "Hello"); _ = pane.handle(.key(.enter)); pane.update()
        #expect(gen.requests.withLock { $0.map(\.adapterPath) } == [nil, adapter.path])
        let lines = render(pane, width: 61, height: 10)
        // 61 columns: 30 for the base, a rule, 30 for base + adapter.
        #expect(lines[1] == "base" + String(repeating: " ", count: 26) + "│base + adapter")
        #expect(lines[2] == "you: Hello" + String(repeating: " ", count: 20) + "│you: Hello")
        #expect(lines[3] == "model: plain reply" + String(repeating: " ", count: 12) + "│model: tuned reply")
        #expect(lines[7].hasPrefix(String(repeating: " ", count: 30) + "│"))
    }

    @Test func settingsCommandsChangeTheRequestAndReportMistakes() {
        let gen = FakeGenerator(base: ["x"])
        let pane = sync(gen)
        for cmd in ["/temp 0.2", "/top-k 5", "/seed 7", "/max 32", "/system Be brief."] {
            type(pane, cmd); _ = pane.handle(.key(.enter))
        }
        type(pane, "/temp hot"); _ = pane.handle(.key(.enter))
        #expect(pane.message == "/temp hot: enter a number, e.g. 0.05 or 2e-4")
        type(pane, "/top-p 0"); _ = pane.handle(.key(.enter))
        #expect(pane.message == "/top-p 0: top-p must be in (0, 1], not 0.0")
        type(pane, "/adapter runs/none-here"); _ = pane.handle(.key(.enter))
        #expect(pane.message?.hasPrefix("no adapter at /") == true && pane.message?.hasSuffix("/runs/none-here") == true)
        type(pane, "/frobnicate"); _ = pane.handle(.key(.enter))
        #expect(pane.message?.hasPrefix("unknown command /frobnicate; try /adapter PATH") == true)
        type(pane, "go"); _ = pane.handle(.key(.enter)); pane.update()
        let r = gen.requests.withLock { $0[0] }
        #expect(r.sampling.temperature == 0.2 && r.sampling.topK == 5 && r.sampling.seed == 7 && r.maxTokens == 32)
        #expect(r.messages.first == ChatMessage(role: "system", content: "Be brief."))
        #expect(render(pane, width: 80)[1] == "system: Be brief.")
    }

    @Test func escapeStopsAReplyOnTheBackgroundQueue() async throws {
        // A generator that streams until told to stop, on the pane's own background queue.
        final class Endless: ChatGenerator {
            func reply(to request: ChatRequest, shouldStop: () -> Bool, emit: (String) -> Void) throws -> GenerationStats {
                var stats = GenerationStats()
                while !shouldStop() { emit("la "); Thread.sleep(forTimeInterval: 0.001) }
                stats.stopReason = .interrupted
                return stats
            }
        }
        let pane = ChatPane(generator: Endless(), settings: ChatSettings(modelPath: "m.gguf"))
        type(pane, "sing"); _ = pane.handle(.key(.enter))
        #expect(pane.isGenerating)
        try await Task.sleep(for: .milliseconds(20))
        _ = pane.handle(.key(.escape))
        var waited = 0
        while pane.isGenerating, waited < 500 { pane.update(); try await Task.sleep(for: .milliseconds(10)); waited += 1 }
        #expect(!pane.isGenerating)
        #expect(pane.columns[0].messages.last?.content.hasPrefix("la la") == true)
        #expect(pane.columns[0].note == "(stopped)")
    }
}
