@preconcurrency import CNCurses
import Foundation
import Workspace

/// The terminal workbench.
public enum WorkbenchInfo {
    public static var cursesVersion: String { String(cString: curses_version()) }
}

/// Builds the workbench for a workspace and runs it on the terminal.
public enum Workbench {
    /// The app with its four panes; Train and Chat are placeholders until their panes are merged.
    public static func makeApp(workspace: Workspace, theme: Theme, themes: ThemeLibrary?, waker: Waker,
                               tokenizerSource: TokenizerSource? = nil) -> (WorkbenchApp, WorkspaceModel) {
        let model = WorkspaceModel(workspace)
        let source = tokenizerSource ?? .model(at: workspace.modelURL)
        let panes: [any Pane] = [
            PDFPane(model: model, waker: waker),
            DatasetPane(model: model, waker: waker, source: source),
            PlaceholderPane(title: "Train", message: "The Train pane is not in this build yet."),
            PlaceholderPane(title: "Chat", message: "The Chat pane is not in this build yet."),
        ]
        let app = WorkbenchApp(panes: panes, theme: theme, themes: themes)
        app.status.workspace = model.name
        app.status.model = workspace.settings.model.path ?? workspace.modelURL.lastPathComponent
        app.status.adapter = workspace.settings.chat.adapter ?? ""
        return (app, model)
    }

    /// Runs the workbench until the user quits. `theme`: a name overriding the workspace's.
    /// Returns lines to print once the terminal is restored (warnings).
    public static func run(workspace: Workspace, theme requested: String?) -> [String] {
        let library = ThemeLibrary.standard(workspace: workspace.directory)
        let (theme, warning) = library.startingTheme(requested: requested ?? workspace.settings.ui.theme)
        let waker = Waker()
        let (app, _) = makeApp(workspace: workspace, theme: theme, themes: library, waker: waker)
        app.notice = warning ?? workspace.warnings.first
        app.colorsOff = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let loop = EventLoop(app: app, waker: waker)
        loop.run()
        return [warning].compactMap { $0 } + workspace.warnings
    }
}
