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
            TrainPane(controller: trainingController ?? EngineTrainingController(
                          modelPath: workspace.modelURL.path, datasetDirectory: workspace.datasetURL,
                          runsDirectory: workspace.directory.appendingPathComponent("runs")),
                      settings: trainSettings(workspace)),
            ChatPane(generator: chatGenerator ?? EngineChatGenerator(), settings: chatSettings(workspace)),
        ]
        for pane in panes {
            if let train = pane as? TrainPane { train.events.setWake { [waker] in waker.wake() } }
            if let chat = pane as? ChatPane { chat.events.setWake { [waker] in waker.wake() } }
        }
        let app = WorkbenchApp(panes: panes, theme: theme, themes: themes)
        app.status.workspace = model.name
        app.status.model = workspace.settings.model.path ?? workspace.modelURL.lastPathComponent
        app.status.adapter = workspace.settings.chat.adapter ?? ""
        return (app, model)
    }

    /// The Train pane's starting form, from the workspace's `[lora]` and `[training]` sections.
    static func trainSettings(_ workspace: Workspace) -> TrainingSettings {
        let t = workspace.settings.training
        var s = TrainingSettings()
        s.lora = workspace.settings.lora
        s.learningRate = t.learningRate
        s.schedule = TrainingSettings.Schedule(rawValue: t.schedule.rawValue) ?? .cosine
        s.warmupSteps = t.warmupSteps
        s.epochs = t.epochs
        s.maxSteps = t.maxSteps
        s.batchSize = t.batchSize
        s.gradientAccumulation = t.gradAccumulation
        s.evalEvery = t.evalEvery
        s.seed = t.seed
        s.baseQuant = t.baseQuant
        return s
    }

    /// The Chat pane's starting settings, from the workspace's `[model]` and `[chat]` sections.
    static func chatSettings(_ workspace: Workspace) -> ChatSettings {
        let chat = workspace.settings.chat
        var settings = ChatSettings(modelPath: workspace.modelURL.path, adapterPath: chat.adapter.map { workspace.resolve($0).path })
        settings.sampling = chat.sampling
        settings.maxTokens = chat.maxTokens
        settings.systemPrompt = chat.systemPrompt.isEmpty ? nil : chat.systemPrompt
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
