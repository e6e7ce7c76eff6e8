import Engine
import Foundation
import Workspace
import Synchronization

/// The Chat pane: the conversation streamed as it is generated, an input line, and a side-by-side
/// mode answering each prompt with the base model (left) and base + adapter (right).
///
/// Generation runs on a background queue through a `ChatGenerator`; text arrives as events in
/// `events` and is applied by `update()`, which the app calls on its timer tick or when the inbox
/// wakes it. Typing a line starting with `/` changes settings (`ChatSettings.commandSummary`).
public final class ChatPane: Pane {
    public let title = "Chat"
    public private(set) var settings: ChatSettings
    public private(set) var sideBySide = false
    public private(set) var columns: [ChatColumn]
    public private(set) var isGenerating = false
    public private(set) var message: String?
    public var input = LineEditor()
    public let events = EventInbox<ChatEvent>()

    private let generator: any ChatGenerator
    /// The workspace the settings are saved to and typed paths resolve against (nil in tests: the
    /// current folder, nothing saved).
    private let workspace: WorkspaceModel?
    private let runInBackground: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let stopFlag = StopFlag()
    /// Lines scrolled up from the end of the transcript (0: following the newest text).
    public private(set) var scrollFromBottom = 0
    private var lastTranscriptSize = (width: 80, height: 20)

    /// `runInBackground` runs a generation job; the default is a serial queue of the pane's own.
    /// Tests pass `{ $0() }` to run it synchronously.
    public init(generator: any ChatGenerator, settings: ChatSettings = ChatSettings(), workspace: WorkspaceModel? = nil,
                runInBackground: (@Sendable (@escaping @Sendable () -> Void) -> Void)? = nil) {
        self.generator = generator
        self.workspace = workspace
        self.settings = settings
        let queue = DispatchQueue(label: "tunebench.chat.generation")
        self.runInBackground = runInBackground ?? { job in queue.async(execute: job) }
        columns = [ChatColumn(title: "")]
    }

    public var adapterInUse: String? { settings.adapterPath.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "" }

    /// The input line always has focus: it takes every printable key, so the pane's own keys are
    /// Enter, Esc, PgUp/PgDn and Ctrl combinations.
    public var keyBindings: [KeyBinding] {
        var bindings = [KeyBinding([.enter], "send the message (or run a /command)") { [self] _ in submit() }]
        if isGenerating { bindings.append(KeyBinding([.escape], "stop the reply") { [self] _ in stopFlag.set(true) }) }
        bindings += [
            KeyBinding([.pageUp, .pageDown], "scroll the conversation (the mouse wheel too)") { [self] key in
                let page = max(1, lastTranscriptSize.height - 1)
                scroll(by: key == .pageUp ? page : -page)
            },
            KeyBinding([.control("t")], "side by side: base vs base + adapter") { [self] _ in toggleSideBySide() },
            KeyBinding([.control("r")], "forget the conversation") { [self] _ in reset("conversation cleared") },
        ]
        return bindings + input.keyBindings { [self] change in change(&input) }
    }

    public func handleMouse(_ mouse: MouseEvent) -> Bool {
        switch mouse.kind {
        case .scrollUp: scroll(by: 3)
        case .scrollDown: scroll(by: -3)
        default: return false
        }
        return true
    }

    private func scroll(by delta: Int) {
        let total = columns.map { $0.transcript(systemPrompt: settings.systemPrompt).lines(width: lastTranscriptSize.width).count }.max() ?? 0
        scrollFromBottom = min(max(0, scrollFromBottom + delta), max(0, total - lastTranscriptSize.height))
    }

    private func reset(_ note: String) {
        guard !isGenerating else { message = "wait for the reply to finish (Esc stops it)"; return }
        columns = (sideBySide ? ["base", "base + adapter"] : [""]).map { ChatColumn(title: $0) }
        scrollFromBottom = 0
        message = note
    }

    private func toggleSideBySide() {
        guard sideBySide || settings.adapterPath != nil else {
            message = "side by side needs an adapter: /adapter PATH"
            return
        }
        guard !isGenerating else { message = "wait for the reply to finish (Esc stops it)"; return }
        sideBySide.toggle()
        reset(sideBySide ? "side by side: each prompt goes to the base model and to base + adapter" : "single conversation")
    }

    private func submit() {
        let line = input.text.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty else { return }
        if isGenerating {
            message = "a reply is being generated; Esc stops it"
            return
        }
        _ = input.submit()
        if line.hasPrefix("/") { runCommand(line); return }
        send(line)
    }

    private func runCommand(_ line: String) {
        let command = String(line.prefix { $0 != " " })
        let argument = line.dropFirst(command.count).trimmingCharacters(in: .whitespaces)
        switch command {
        case "/reset": reset("conversation cleared")
        case "/side": toggleSideBySide()
        case "/help": message = ChatSettings.commandSummary
        default:
            do {
                let workspace = workspace
                message = try settings.apply(command: command, argument: argument) { typed in
                    workspace?.resolve(typed) ?? URL(fileURLWithPath: (typed as NSString).expandingTildeInPath).standardizedFileURL
                }
                if let workspace, workspace.settings.chat != settings.chat {
                    workspace.settings.chat = settings.chat
                    if !workspace.save() { message = workspace.lastError }
                }
                if ["/model", "/adapter", "/system"].contains(command) {
                    if command == "/adapter", settings.adapterPath == nil, sideBySide { sideBySide = false }
                    let note = message ?? ""
                    reset(note + "; conversation cleared")
                }
            } catch {
                message = error.description
            }
        }
    }

    /// Sends `text` as the user's message to every column and starts generating.
    public func send(_ text: String) {
        guard !isGenerating else { return }
        var requests: [ChatRequest] = []
        for i in columns.indices {
            columns[i].messages.append(ChatMessage(role: "user", content: text))
            columns[i].streaming = ""
            columns[i].note = nil
            columns[i].noteIsError = false
            let adapter = sideBySide ? (i == 0 ? nil : settings.adapterPath) : settings.adapterPath
            let history = (settings.systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []) + columns[i].messages
            requests.append(ChatRequest(modelPath: settings.modelPath, adapterPath: adapter, messages: history,
                                        sampling: settings.sampling, maxTokens: settings.maxTokens))
        }
        isGenerating = true
        message = nil
        scrollFromBottom = 0
        stopFlag.set(false)
        let generator = self.generator, inbox = events, stop = stopFlag, jobs = requests
        runInBackground {
            // Columns one after the other: both share the same two cores.
            for (i, request) in jobs.enumerated() {
                do {
                    let stats = try generator.reply(to: request, shouldStop: { stop.isSet }) { inbox.post(.text(column: i, $0)) }
                    inbox.post(.finished(column: i, note: stats.stopReason == .interrupted ? "(stopped)" : String(
                        format: "%d tokens, %.1f tokens/s", stats.generatedTokens, stats.decodeTokensPerSecond)))
                } catch {
                    inbox.post(.failed(column: i, message: "\(error)"))
                }
                if stop.isSet { break }
            }
            inbox.post(.allDone)
        }
    }

    /// Applies generated text and completions; returns whether anything changed.
    @discardableResult
    public func update() -> Bool {
        let pending = events.drain()
        for event in pending {
            switch event {
            case .text(let i, let text) where columns.indices.contains(i):
                columns[i].streaming = (columns[i].streaming ?? "") + text
            case .finished(let i, let note) where columns.indices.contains(i):
                columns[i].finishReply(note: note)
            case .failed(let i, let why) where columns.indices.contains(i):
                columns[i].finishReply(note: why)
                columns[i].noteIsError = true
            case .allDone:
                isGenerating = false
                for i in columns.indices where columns[i].streaming != nil { columns[i].finishReply(note: "(stopped)") }
            default: break
            }
        }
        return !pending.isEmpty
    }

    public func draw(into grid: inout Grid, in rect: Rect) {
        guard rect.width >= 20, rect.height >= 5 else {
            grid.put("Chat: too small", x: rect.x, y: rect.y, role: .warning, clip: rect)
            return
        }
        grid.put(settings.summary, x: rect.x, y: rect.y, role: .dim, clip: rect)
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 3)
        let statusY = rect.maxY - 2
        if sideBySide, columns.count == 2 {
            let leftWidth = (body.width - 1) / 2
            let left = Rect(x: body.x, y: body.y, width: leftWidth, height: body.height)
            let right = Rect(x: body.x + leftWidth + 1, y: body.y, width: body.width - leftWidth - 1, height: body.height)
            for y in body.y..<body.maxY { grid.put("│", x: body.x + leftWidth, y: y, role: .border) }
            drawColumn(0, into: &grid, in: left)
            drawColumn(1, into: &grid, in: right)
        } else {
            drawColumn(0, into: &grid, in: body)
        }
        let status = message ?? (isGenerating ? "generating… Esc stops" : "Enter sends · /help lists commands · Ctrl-T side by side")
        grid.put(status, x: rect.x, y: statusY, role: message == nil ? .dim : .accent, clip: rect)
        input.draw(into: &grid, in: Rect(x: rect.x, y: rect.maxY - 1, width: rect.width, height: 1), focused: true)
    }

    private func drawColumn(_ i: Int, into grid: inout Grid, in rect: Rect) {
        var area = rect
        if !columns[i].title.isEmpty {
            grid.put(columns[i].title, x: rect.x, y: rect.y, role: .title, attributes: .bold, clip: rect)
            area = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        }
        lastTranscriptSize = (area.width, area.height)
        var view = columns[i].transcript(systemPrompt: settings.systemPrompt)
        view.scroll(by: scrollFromBottom, width: area.width, height: area.height)
        let (above, below) = view.draw(into: &grid, in: area)
        if above { grid.put("↑", x: area.maxX - 1, y: area.y, role: .accent) }
        if below { grid.put("↓", x: area.maxX - 1, y: area.maxY - 1, role: .accent) }
    }
}

/// One column of the conversation: its messages and the reply being streamed.
public struct ChatColumn: Sendable, Equatable {
    public var title: String
    public var messages: [ChatMessage] = []
    /// The reply so far while it is generated; nil otherwise.
    public var streaming: String?
    /// The last reply's speed, "(stopped)", or an error.
    public var note: String?
    public var noteIsError = false

    public init(title: String) { self.title = title }

    mutating func finishReply(note: String?) {
        if let text = streaming, !text.isEmpty { messages.append(ChatMessage(role: "assistant", content: text)) }
        streaming = nil
        self.note = note
        noteIsError = false
    }

    /// The column as wrapped paragraphs: system prompt, turns, the streaming reply, the note.
    public func transcript(systemPrompt: String?) -> TextView {
        var paragraphs: [StyledParagraph] = []
        if let systemPrompt { paragraphs.append(StyledParagraph(label: "system: ", labelRole: .dim, text: systemPrompt, role: .dim)) }
        for m in messages {
            paragraphs.append(m.role == "user"
                ? StyledParagraph(label: "you: ", labelRole: .user, text: m.content, role: .text)
                : StyledParagraph(label: "model: ", labelRole: .assistant, text: m.content, role: .assistant))
        }
        if let streaming { paragraphs.append(StyledParagraph(label: "model: ", labelRole: .assistant, text: streaming + "▍", role: .assistant)) }
        if let note { paragraphs.append(StyledParagraph(text: note, role: noteIsError ? .error : .dim)) }
        return TextView(paragraphs: paragraphs)
    }
}

/// What a generation job reports to the Chat pane.
public enum ChatEvent: Sendable, Equatable {
    case text(column: Int, String)
    case finished(column: Int, note: String)
    case failed(column: Int, message: String)
    case allDone
}

/// A stop request shared between the UI thread and the generation job.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set(_ value: Bool) { flag.store(value, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
