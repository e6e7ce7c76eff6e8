import struct Engine.GenerationStats
import Foundation
import Testing
import Workspace
@testable import Workbench

/// A trainer that only records that a run started (no events until `update` is asked for them).
private final class IdleController: TrainingController {
    var state = TrainingState.idle
    func start(_ workspace: Workspace, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        state = .running
        events(.state(.running))
    }
    func pause() { state = .paused }
    func resume() { state = .running }
    func stop() { state = .finished }
}

/// Replies "ok" at once.
private struct OKGenerator: ChatGenerator {
    func reply(to request: ChatRequest, shouldStop: () -> Bool, emit: (String) -> Void) throws -> GenerationStats {
        emit("ok")
        return GenerationStats()
    }
}

/// A tokenizer source that is never needed (the workspace has no dataset input).
private let noTokenizer = TokenizerSource { throw DatasetPaneError("no tokenizer in this test") }

/// Every key the help overlay lists is handled, and every key handled is listed: for each pane in
/// each of its states, the help overlay's lines (what the user reads) are compared with what each
/// key of a broad set actually does when pressed.
@Suite struct KeyTableTests {
    /// Printable ASCII, some non-ASCII letters, every Ctrl letter, the editing and moving keys, F1–F12.
    static let keys: [Key] = (32...126).map { .character(Character(Unicode.Scalar($0)!)) }
        + ["é", "ù", "日"].map { .character($0) }
        + "abcdefghijklmnopqrstuvwxyz".map { .control($0) }
        + [.enter, .escape, .backspace, .delete, .tab, .backTab, .up, .down, .left, .right, .home, .end, .pageUp, .pageDown, .insert]
        + (1...12).map { .function($0) }

    /// A pane in a state reached from a fresh app: which pane (0–3) and how to get there.
    struct Situation: CustomStringConvertible, Sendable {
        var pane: Int
        var name: String
        var setUp: @Sendable (WorkbenchApp) -> Void = { _ in }
        var description: String { name }
    }

    static func press(_ app: WorkbenchApp, _ keys: Key...) { for k in keys { _ = app.handle(.key(k)) } }

    static let situations: [Situation] = [
        Situation(pane: 0, name: "PDF page"),
        Situation(pane: 0, name: "PDF go-to prompt") { KeyTableTests.press($0, .character("g"), .character("1")) },
        Situation(pane: 0, name: "PDF zoomed page") { KeyTableTests.press($0, .character("z")) },
        Situation(pane: 1, name: "Dataset records"),
        Situation(pane: 1, name: "Dataset windows") { KeyTableTests.press($0, .character("w")) },
        Situation(pane: 1, name: "Dataset settings, a number") { KeyTableTests.press($0, .character("s")) },
        Situation(pane: 1, name: "Dataset settings, a switch") { KeyTableTests.press($0, .character("s"), .down, .down) },
        Situation(pane: 1, name: "Dataset settings, editing") { KeyTableTests.press($0, .character("s"), .enter) },
        Situation(pane: 2, name: "Train settings, a number"),
        Situation(pane: 2, name: "Train settings, fixed choices") { app in
            let train = app.activePane as! TrainPane
            let index = train.form.fields.firstIndex { $0.choices != nil }!
            for _ in 0..<index { KeyTableTests.press(app, .down) }
        },
        Situation(pane: 2, name: "Train settings, editing") { KeyTableTests.press($0, .enter) },
        Situation(pane: 2, name: "Train follow prompt") { KeyTableTests.press($0, .character("f")) },
        Situation(pane: 2, name: "Train runs list") { KeyTableTests.press($0, .character("r")) },
        Situation(pane: 2, name: "Train run going") { app in
            KeyTableTests.press(app, .character("s"))
            _ = app.activePane.update()
        },
        Situation(pane: 3, name: "Chat"),
        Situation(pane: 3, name: "Chat generating, with history") { app in
            KeyTableTests.press(app, .character("h"), .character("i"), .enter)  // the reply's end is not taken in yet
        },
    ]

    /// A fresh workbench on `workspace` with the pane of `situation` active and in its state.
    static func makeApp(_ situation: Situation, workspace: Workspace) -> WorkbenchApp {
        let model = WorkspaceModel(workspace)
        let panes: [any Pane] = [
            situation.pane == 0 ? PDFPane(model: model, waker: Waker()) : PlaceholderPane(title: "PDF", message: ""),
            situation.pane == 1 ? DatasetPane(model: model, waker: Waker(), source: noTokenizer) : PlaceholderPane(title: "Dataset", message: ""),
            situation.pane == 2 ? TrainPane(controller: IdleController(), model: model) : PlaceholderPane(title: "Train", message: ""),
            situation.pane == 3 ? ChatPane(generator: OKGenerator(), settings: ChatSettings(modelPath: "m.gguf"), runInBackground: { $0() })
                : PlaceholderPane(title: "Chat", message: ""),
        ]
        let app = WorkbenchApp(panes: panes, theme: .plain)
        _ = app.handle(.key(.function(situation.pane + 1)))
        situation.setUp(app)
        return app
    }

    /// The keys a help line names: its label, split at "/" ("text" stands for every printable key).
    static func listedKeys(_ line: String) -> (labels: [String], text: Bool) {
        let label = line.components(separatedBy: "  ")[0]
        let labels = label.split(separator: "/").map(String.init)
        return (labels.filter { $0 != "text" }, labels.contains("text"))
    }

    @Test(arguments: situations)
    func everyKeyListedIsHandledAndEveryKeyHandledIsListed(_ situation: Situation) throws {
        let workspace = try makeSampleWorkspace()
        let app = Self.makeApp(situation, workspace: workspace)
        let help = app.helpLines
        // The keys come first; the Mouse section after them lists no keys.
        let lines = help.prefix { $0 != "Mouse" }.filter { !$0.isEmpty && $0 != "any key closes this help" }
        #expect(help.contains("  click a tab: switch to its pane"))
        #expect(lines.count == app.activePane.keyBindings.count + app.keyBindings.count)

        // The overlay shows exactly these lines.
        _ = app.handle(.key(WorkbenchApp.helpKey))
        var grid = Grid(width: 130, height: 50)
        app.draw(into: &grid)
        for line in lines { #expect(grid.find(line) != nil, "the help overlay lacks '\(line)'") }

        // No key is listed twice (one key, one binding).
        let listed = lines.map(Self.listedKeys)
        let labels = listed.flatMap(\.labels)
        #expect(Set(labels).count == labels.count, "a key is listed twice: \(labels)")
        #expect(listed.filter(\.text).count <= 1)

        // A focused text input takes every printable key; the app keeps only F-keys, Tab, Esc, Ctrl.
        let fresh = Self.makeApp(situation, workspace: workspace)
        if fresh.activePane.capturesText {
            for key in fresh.keyBindings.flatMap(\.keys) {
                switch key {
                case .function, .tab, .backTab, .escape, .control: break
                default: Issue.record("\(situation): the app keeps \(key.label) while a text input has focus")
                }
            }
        }

        for key in Self.keys {
            let isListed = listed.contains { $0.labels.contains(key.label) || ($0.text && key.isPrintable) }
            let app = Self.makeApp(situation, workspace: workspace)
            let handled = app.dispatch(key)
            #expect(handled == isListed, "\(situation): \(key.label) is \(handled ? "handled" : "not handled") but \(isListed ? "listed" : "not listed")")
        }
    }

    @Test func textTypedInTheChatStaysTextAndTheTabBarShowsTheKeysThatWork() throws {
        let chat = ChatPane(generator: OKGenerator(), settings: ChatSettings(modelPath: "m.gguf"), runInBackground: { $0() })
        let app = WorkbenchApp(panes: [PlaceholderPane(title: "PDF", message: ""), chat], theme: .plain)
        var grid = Grid(width: 80, height: 24)
        app.draw(into: &grid)
        #expect(grid.lines[0].hasSuffix("? help  q quit"))
        _ = app.handle(.key(.function(2)))
        for c in "Who is Anne Elliot? q/Où?" { #expect(app.handle(.key(.character(c))) == .keepRunning) }
        #expect(chat.input.text == "Who is Anne Elliot? q/Où?")
        app.draw(into: &grid)
        #expect(grid.lines[0].hasSuffix("F12 help  Ctrl-C quit"))
        #expect(!grid.lines.joined().contains("Keys:"))
        // F12 opens the help there; Ctrl-C quits.
        _ = app.handle(.key(.function(12)))
        app.draw(into: &grid)
        #expect(grid.find("Keys: Chat") != nil)
        _ = app.handle(.key(.escape))
        #expect(app.handle(.key(.control("c"))) == .quit)
    }

    @Test func theMouseWheelStillScrollsTheChat() {
        let chat = ChatPane(generator: OKGenerator(), settings: ChatSettings(modelPath: "m.gguf"), runInBackground: { $0() })
        let app = WorkbenchApp(panes: [chat], theme: .plain)
        for i in 1...8 {
            for c in "message \(i)" { _ = app.handle(.key(.character(c))) }
            _ = app.handle(.key(.enter))
            chat.update()
        }
        var grid = Grid(width: 60, height: 16)
        app.draw(into: &grid)  // lays the transcript out: 10 rows for 17 lines
        _ = app.handle(.mouse(MouseEvent(kind: .scrollUp, x: 5, y: 5)))
        #expect(chat.scrollFromBottom == 3)
        _ = app.handle(.mouse(MouseEvent(kind: .scrollDown, x: 5, y: 5)))
        #expect(chat.scrollFromBottom == 0)
    }
}

/// Editing a value is the same in every form: Enter starts from the value, selected; typing
/// replaces it; an invalid value is refused with the reason and the editor stays open; Esc cancels.
@Suite struct FormEditingTests {
    private func press(_ pane: any Pane, _ keys: Key...) { for k in keys { _ = pane.handle(.key(k)) } }
    private func type(_ pane: any Pane, _ text: String) { for c in text { _ = pane.handle(.key(.character(c))) } }

    @Test func lineEditorSelectionIsReplacedByTypingClearedByBackspaceAndDroppedByArrows() {
        var e = LineEditor(text: "8", selected: true)
        #expect(e.isAllSelected)
        for c in "16" { e.handle(.character(c)) }
        #expect(e.text == "16" && !e.isAllSelected)
        e = LineEditor(text: "q,k,v,o", selected: true)
        e.handle(.backspace)
        #expect(e.text == "" && !e.isAllSelected)
        e = LineEditor(text: "q,k", selected: true)
        e.handle(.left)
        #expect(e.text == "q,k" && e.cursor == 0 && !e.isAllSelected)
        e.handle(.character(">"))
        #expect(e.text == ">q,k")
        e = LineEditor(text: "abc", selected: true)
        e.handle(.end)
        e.handle(.character("d"))
        #expect(e.text == "abcd")
        // Drawn in the selection role while selected.
        var g = Grid(width: 10, height: 1)
        LineEditor(text: "abc", selected: true).draw(into: &g, in: g.bounds, prompt: "")
        #expect(g.textRoles(x: 0, y: 0, count: 3) == [.selection])
    }

    @Test func theTrainFormReplacesRefusesAndCancels() throws {
        let pane = TrainPane(controller: IdleController(), model: WorkspaceModel(try makeSampleWorkspace()))
        #expect(pane.form["lora.rank"] == "8")
        press(pane, .enter)
        var g = Grid(width: 120, height: 30)
        pane.draw(into: &g, in: g.bounds)
        let row = g.find(" rank ")!
        #expect(g[row.x + " rank ".count, row.y].role == .selection)  // the value, selected
        type(pane, "16")
        press(pane, .enter)
        #expect(pane.form["lora.rank"] == "16" && !pane.form.isEditing)  // not 816
        // Refused: the reason is shown, the editor stays open with what was typed.
        press(pane, .enter)
        type(pane, "0x")
        press(pane, .enter)
        #expect(pane.form.isEditing && pane.form.message == "rank: enter a whole number" && pane.form["lora.rank"] == "16")
        g = Grid(width: 120, height: 30)
        pane.draw(into: &g, in: g.bounds)
        #expect(g.find("rank: enter a whole") != nil)
        #expect(g.find(" rank 0x") != nil)
        // Esc cancels: the value is what it was, the message gone.
        press(pane, .escape)
        #expect(!pane.form.isEditing && pane.form["lora.rank"] == "16" && pane.form.message == nil)
        // An arrow keeps the value to edit it.
        press(pane, .enter, .right)
        type(pane, "0")
        press(pane, .enter)
        #expect(pane.form["lora.rank"] == "160")
        // Text fields take `q` and `?` like any letter.
        let targets = pane.form.fields.firstIndex { $0.key == "lora.targets" }!
        for _ in 0..<targets { press(pane, .down) }
        press(pane, .enter)
        type(pane, "q?")
        #expect(pane.capturesText)
        press(pane, .enter)
        #expect(pane.form.message == "targets: has 'q?'; use q, k, v, o, gate, up, down")
        press(pane, .escape)
        #expect(pane.form["lora.targets"] == "q,k,v,o")
    }

    @Test func theDatasetFormReplacesRefusesCancelsAndSaves() throws {
        let workspace = try makeSampleWorkspace()
        let model = WorkspaceModel(workspace)
        let pane = DatasetPane(model: model, waker: Waker(), source: noTokenizer)
        press(pane, .character("s"))
        #expect(pane.form["dataset.context_length"] == "256")
        press(pane, .enter)
        #expect(pane.capturesText)
        type(pane, "512")
        press(pane, .enter)
        #expect(!pane.form.isEditing)
        #expect(try Workspace.open(at: workspace.directory).settings.dataset.settings.contextLength == 512)
        // Refused with the reason, shown in the settings box; the editor stays open.
        press(pane, .enter)
        type(pane, "1")
        press(pane, .enter)
        #expect(pane.form.isEditing && pane.form.message == "context length: the context length must be between 2 and 1048576 tokens, not 1")
        var g = Grid(width: 100, height: 28)
        pane.draw(into: &g, in: g.bounds)
        #expect(g.find("context length: the context") != nil)
        press(pane, .escape)
        #expect(!pane.form.isEditing && pane.form["dataset.context_length"] == "512")
        #expect(model.settings.dataset.settings.contextLength == 512)
        // Backspace clears the selected value; a non-number is refused.
        press(pane, .enter, .backspace)
        type(pane, "abc")
        press(pane, .enter)
        #expect(pane.form.message == "context length: enter a whole number")
        press(pane, .escape)
        // ←/→ step a number and cycle a switch, each saved at once.
        press(pane, .right)
        #expect(try Workspace.open(at: workspace.directory).settings.dataset.settings.contextLength == 1024)
        press(pane, .down, .down, .left)
        #expect(try Workspace.open(at: workspace.directory).settings.dataset.settings.eosAtParagraphEnds == false)
        // Esc leaves the settings.
        press(pane, .escape)
        #expect(!pane.form.isEditing)
        #expect(pane.handle(.key(.character("s"))))
    }
}
