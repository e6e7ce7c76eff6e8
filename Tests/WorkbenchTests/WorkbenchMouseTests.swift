import Foundation
import Testing
import Workspace
@testable import Workbench

/// The mouse outside the panes' own areas: the tab bar, and the help's Mouse section.
@Suite struct WorkbenchMouseTests {
    @Test func clickingATabSwitchesToItsPane() throws {
        let situation = try #require(KeyTableTests.situations.first { $0.pane == 2 })
        let app = KeyTableTests.makeApp(situation, workspace: try makeSampleWorkspace())
        var grid = Grid(width: 120, height: 30)
        app.draw(into: &grid)
        let bar = grid.lines[0]
        func column(_ tab: String) throws -> Int {
            try #require(bar.range(of: tab).map { bar.distance(from: bar.startIndex, to: $0.lowerBound) })
        }
        _ = app.handle(.mouse(MouseEvent(kind: .press, x: try column("F1 ") + 1, y: 0)))
        #expect(!(app.activePane is TrainPane))
        app.draw(into: &grid)
        _ = app.handle(.mouse(MouseEvent(kind: .press, x: try column("F3 Train") + 2, y: 0)))
        #expect(app.activePane is TrainPane)
        // A click elsewhere on the bar changes nothing.
        _ = app.handle(.mouse(MouseEvent(kind: .press, x: 2, y: 0)))
        #expect(app.activePane is TrainPane)
        #expect(app.helpLines.contains("  r lists the runs; click and wheel work there"))
    }
}
