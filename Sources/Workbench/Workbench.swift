@preconcurrency import CNCurses
import Foundation
import Workspace

/// The terminal workbench.
public enum WorkbenchInfo {
    public static var cursesVersion: String { String(cString: curses_version()) }
}

/// Builds the workbench for a workspace and runs it on the terminal.
public enum Workbench {
    /// The app with its four panes. `trainingController` drives the Train pane (nil: the pane can only
    /// follow other runs' metrics); `chatGenerator` answers in the Chat pane.
    public static func makeApp(workspace: Workspace, theme: Theme, themes: ThemeLibrary?, waker: Waker,
                               tokenizerSource: TokenizerSource? = nil, trainingController: (any TrainingController)? = nil,
                               chatGenerator: (any ChatGenerator)? = nil) -> (WorkbenchApp, WorkspaceModel) {
        let model = WorkspaceModel(workspace)
        let source = tokenizerSource ?? .model(at: workspace.modelURL)
        let panes: [any Pane] = [
            PDFPane(model: model, waker: waker),
            DatasetPane(model: model, waker: waker, source: source),
            TrainPane(controller: trainingController ?? EngineTrainingController(), model: model),
            ChatPane(generator: chatGenerator ?? EngineChatGenerator(), settings: chatSettings(workspace), workspace: model),
        ]
        for pane in panes {
            if let train = pane as? TrainPane { train.events.setWake { [waker] in waker.wake() } }
            if let chat = pane as? ChatPane { chat.events.setWake { [waker] in waker.wake() } }
        }
        let app = WorkbenchApp(panes: panes, theme: theme, themes: themes)
        app.status.workspace = model.name
        app.status.model = workspace.modelURL.lastPathComponent
        app.status.adapter = workspace.settings.chat.adapter ?? ""
        // The theme the user picks with F5 is the workspace's from then on.
        app.onThemeChange = { [model] name in
            model.settings.ui.theme = name
            return model.save() ? nil : model.lastError
        }
        return (app, model)
    }

    /// The Chat pane's starting settings: the workspace's `[model]` and `[chat]` sections, the
    /// adapter resolved against the workspace folder.
    static func chatSettings(_ workspace: Workspace) -> ChatSettings {
        var settings = ChatSettings(modelPath: workspace.modelURL.path)
        settings.chat = workspace.settings.chat
        settings.adapterPath = workspace.settings.chat.adapter.map { workspace.resolve($0).path }
        return settings
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
