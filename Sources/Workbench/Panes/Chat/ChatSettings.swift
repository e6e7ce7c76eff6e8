import Engine
import Foundation
import Workspace

/// What the Chat pane asks the generator for. `chat` is the workspace's `[chat]` section, changed
/// with slash commands typed in the input line and saved by the pane; the model is the
/// workspace's (`/model` changes it for this session only).
public struct ChatSettings: Sendable, Equatable {
    public var modelPath: String
    /// Sampling, reply length, system prompt and the adapter as the user wrote it.
    public var chat = ChatSection()
    /// `chat.adapter` resolved against the workspace folder; nil: the base model.
    public var adapterPath: String?

    public init(modelPath: String = ModelCache.defaultModel.path, adapterPath: String? = nil) {
        self.modelPath = modelPath
        self.adapterPath = adapterPath
        chat.adapter = adapterPath
    }

    public var sampling: SamplingParameters {
        get { chat.sampling }
        set { chat.sampling = newValue }
    }
    public var maxTokens: Int {
        get { chat.maxTokens }
        set { chat.maxTokens = newValue }
    }
    /// nil when empty.
    public var systemPrompt: String? {
        get { chat.systemPrompt.isEmpty ? nil : chat.systemPrompt }
        set { chat.systemPrompt = newValue ?? "" }
    }

    /// The `[chat]` key each sampling command sets (its value is parsed and checked by the schema).
    static let settingCommands: [(command: String, key: String)] = [
        ("/temp", "temperature"), ("/top-k", "top_k"), ("/top-p", "top_p"), ("/min-p", "min_p"),
        ("/repeat", "repeat_penalty"), ("/seed", "seed"), ("/max", "max_tokens"),
    ]

    /// The commands `apply` understands, for the pane's help line.
    public static let commandSummary =
        "/adapter PATH|none  /system TEXT  " + settingCommands.map { "\($0.command) X" }.joined(separator: "  ")
        + "  /model PATH  /side  /reset"

    /// One line: model, adapter and sampling.
    public var summary: String {
        let model = URL(fileURLWithPath: modelPath).lastPathComponent
        let adapter = adapterPath.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "none"
        let s = sampling
        return "\(model) + \(adapter) │ "
            + String(format: "temp %.2f top-k %d top-p %.2f min-p %.2f rep %.2f", s.temperature, s.topK, s.topP, s.minP, s.repetitionPenalty)
            + " seed \(s.seed) max \(maxTokens)"
    }

    /// Applies a settings command (`/temp 0.2`); returns a confirmation, or throws a message saying
    /// what is wrong. Paths (`/adapter`, `/model`) are resolved by `resolve` (against the workspace
    /// folder) and must exist. Commands that act on the conversation (/side, /reset) are the pane's.
    public mutating func apply(command: String, argument: String, resolve: (String) -> URL) throws(ChatSettingsError) -> String {
        switch command {
        case "/model":
            guard !argument.isEmpty else { throw .badValue(command, argument, "a .gguf path") }
            let url = resolve(argument)
            guard FileManager.default.fileExists(atPath: url.path) else { throw .missing("no model at \(url.path)") }
            modelPath = url.path
            return "model: \(argument) (this session; [model] path in tunebench.toml keeps it)"
        case "/adapter":
            if argument.isEmpty || argument == "none" {
                chat.adapter = nil
                adapterPath = nil
                return "adapter: none"
            }
            let url = resolve(argument)
            let location: AdapterLocation
            do { location = try AdapterLocation.resolve(url.path) } catch { throw .missing(error.description) }
            chat.adapter = argument
            adapterPath = url.path
            // `runs/X → checkpoint-40 (best, eval loss 3.30)`: which checkpoint a run folder means.
            let shown = URL(fileURLWithPath: location.shown).lastPathComponent
            return "adapter: \(argument) → " + location.description.replacingOccurrences(of: location.shown, with: shown)
        case "/system":
            chat.systemPrompt = argument
            return argument.isEmpty ? "system prompt removed" : "system prompt set"
        default:
            guard let key = Self.settingCommands.first(where: { $0.command == command })?.key,
                  let setting = WorkspaceSettings.setting("chat", key) else { throw .unknown(command) }
            var all = WorkspaceSettings()
            all.chat = chat
            do { chat = try setting.applying(text: argument, to: all).chat } catch {
                throw .badValue(command, argument, error.description)
            }
            return "\(setting.label) \(setting.text(in: all.withChat(chat)))"
        }
    }
}

extension WorkspaceSettings {
    fileprivate func withChat(_ chat: ChatSection) -> WorkspaceSettings {
        var copy = self
        copy.chat = chat
        return copy
    }
}

/// A chat command the pane could not apply.
public enum ChatSettingsError: Error, CustomStringConvertible, Equatable {
    case unknown(String)
    case badValue(String, String, String)
    case missing(String)
    public var description: String {
        switch self {
        case .unknown(let c): "unknown command \(c); try \(ChatSettings.commandSummary)"
        case .badValue(let c, let v, let reason): "\(c) \(v): \(reason)"
        case .missing(let why): why
        }
    }
}
