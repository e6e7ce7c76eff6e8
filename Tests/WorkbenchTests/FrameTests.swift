import Testing
@testable import Workbench

/// A pane that records what it is given and draws its name.
final class RecordingPane: Pane {
    let title: String
    var events: [InputEvent] = []
    var job: JobStatus?
    var keyBindings: [KeyBinding] {
        [KeyBinding([.character("x")], "do the \(title) thing") { [self] key in events.append(.key(key)) }]
    }
    init(_ title: String) { self.title = title }
    func handleMouse(_ mouse: MouseEvent) -> Bool {
        events.append(.mouse(mouse))
        return true
    }
    func draw(into grid: inout Grid, in rect: Rect) { grid.put("pane \(title)", x: rect.x, y: rect.y) }
}

@Suite struct FrameTests {
    func makeApp() -> (WorkbenchApp, [RecordingPane]) {
        let panes = ["PDF", "Dataset", "Train", "Chat"].map(RecordingPane.init)
        let app = WorkbenchApp(panes: panes, theme: .plain)
        app.status.workspace = "book"
        app.status.model = "SmolLM2.gguf"
        return (app, panes)
    }

    @Test func tabBarStatusBarAndTheActivePane() {
        let (app, _) = makeApp()
        var grid = Grid(width: 80, height: 24)
        app.draw(into: &grid)
        #expect(grid.lines[0] == " TuneBench   F1 PDF   F2 Dataset   F3 Train   F4 Chat" + String(repeating: " ", count: 12) + "? help  q quit")
        #expect(grid.row(0).count == 80 && grid.row(0).hasSuffix("? help  q quit "))
        #expect(grid.lines[1] == "pane PDF")
        #expect(grid.lines[23] == " book │ model SmolLM2.gguf │ adapter none │ idle")
        // The active tab is drawn in the selection role, the others in the status role.
        let (x, _) = grid.find("F1 PDF")!
        #expect(grid[x, 0].role == .selection)
        #expect(grid[grid.find("F2 Dataset")!.x, 0].role == .status)
        #expect(grid.roles(row: 23).allSatisfy { $0 == .status })
    }

    @Test func tabShiftTabAndFunctionKeysSwitchPanes() {
        let (app, panes) = makeApp()
        #expect(app.handle(.key(.tab)) == .keepRunning)
        #expect(app.activePane === panes[1])
        _ = app.handle(.key(.backTab))
        _ = app.handle(.key(.backTab))
        #expect(app.activePane === panes[3])
        _ = app.handle(.key(.function(3)))
        #expect(app.activePane === panes[2])
        _ = app.handle(.key(.character("x")))
        #expect(panes[2].events == [.key(.character("x"))])
        #expect(panes[0].events.isEmpty)
    }

    @Test func helpOverlayListsThePanesKeysThenTheAppsAndAnyKeyClosesIt() {
        let (app, panes) = makeApp()
        _ = app.handle(.key(.function(2)))
        _ = app.handle(.key(.character("?")))
        var grid = Grid(width: 80, height: 24)
        app.draw(into: &grid)
        let text = grid.lines.joined(separator: "\n")
        #expect(text.contains("Keys: Dataset"))
        let paneKey = grid.find("x              do the Dataset thing")
        let appKey = grid.find("Tab/Shift-Tab  next / previous pane")
        #expect(paneKey != nil && appKey != nil)
        #expect(paneKey!.y < appKey!.y)
        #expect(text.contains("q/Ctrl-C       quit"))
        _ = app.handle(.key(.character("x")))  // closes the help; not passed on
        #expect(panes[1].events.isEmpty)
        app.draw(into: &grid)
        #expect(!grid.lines.joined().contains("Keys:"))
    }

    @Test func quitAsksOnlyWhileAJobRuns() {
        let (app, panes) = makeApp()
        panes[1].job = JobStatus("preparing dataset")
        #expect(app.handle(.key(.character("q"))) == .keepRunning)
        var grid = Grid(width: 80, height: 24)
        app.draw(into: &grid)
        #expect(grid.find("preparing dataset is still running.") != nil)
        #expect(grid.lines[23].contains("preparing dataset"))  // the status bar's run state
        #expect(app.handle(.key(.character("n"))) == .keepRunning)
        #expect(app.handle(.key(.character("q"))) == .keepRunning)
        #expect(app.handle(.key(.character("y"))) == .quit)
        panes[1].job = nil
        #expect(app.handle(.key(.character("q"))) == .quit)
    }

    @Test func aTooSmallTerminalShowsAMessageInsteadOfThePanes() {
        let (app, _) = makeApp()
        var grid = Grid(width: 59, height: 20)
        app.draw(into: &grid)
        let text = grid.lines.joined(separator: "\n")
        #expect(text.contains("Terminal too small: 59×20."))
        #expect(text.contains("TuneBench needs 60×16."))
        #expect(!text.contains("pane PDF") && !text.contains("F1"))
        grid = Grid(width: 60, height: 16)
        app.draw(into: &grid)
        #expect(grid.lines[1] == "pane PDF")
    }

    @Test func theStatusBarDropsTheAdapterThenTheModelWhenNarrow() {
        var info = StatusInfo()
        info.workspace = "book"
        info.model = "SmolLM2-135M-Instruct.Q4_1.gguf"
        info.memoryBytes = 64 << 20
        #expect(info.text(width: 200) == " book │ model SmolLM2-135M-Instruct.Q4_1.gguf │ adapter none │ idle │ 64 MiB")
        #expect(info.text(width: 61) == " book │ model SmolLM2-135M-Instruct.Q4_1.gguf │ idle │ 64 MiB")
        #expect(info.text(width: 60) == " book │ idle │ 64 MiB")
        #expect(info.text(width: 30) == " book │ idle │ 64 MiB")
    }
}

@Suite struct ResizeTests {
    /// Every size a terminal can be resized to, tiny ones included, draws without trapping, and
    /// only the too-small message shows below the minimum.
    @Test func theRealPanesDrawAtAnySize() throws {
        let workspace = try makeSampleWorkspace()
        let (app, _) = Workbench.makeApp(workspace: workspace, theme: .plain, themes: nil, waker: Waker(),
                                         tokenizerSource: goldenTokenizer)
        #expect(waitFor(app.panes[1]) { app.panes[1].job == nil })
        for (width, height) in [(0, 0), (1, 1), (59, 15), (60, 16), (61, 17), (79, 23), (100, 30), (137, 51), (250, 80)] {
            for pane in 0..<app.panes.count {
                _ = app.handle(.key(.function(pane + 1)))
                var grid = Grid(width: width, height: height)
                app.draw(into: &grid)
                if width >= WorkbenchApp.minimumWidth && height >= WorkbenchApp.minimumHeight {
                    #expect(grid.lines[0].hasPrefix(" TuneBench"))
                } else if width > 30 {
                    #expect(grid.lines.joined().contains("Terminal too small"))
                }
            }
        }
    }
}
