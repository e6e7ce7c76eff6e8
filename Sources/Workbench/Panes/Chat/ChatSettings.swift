import Engine
import Foundation

/// What the Chat pane asks the generator for, changed with slash commands typed in its input line.
public struct ChatSettings: Sendable, Equatable {
    public var modelPath: String
    public var adapterPath: String?
    public var systemPrompt: String?
    public var sampling = SamplingParameters()
    public var maxTokens = 256

    public init(modelPath: String = ModelCache.defaultModel.path, adapterPath: String? = nil) {
        self.modelPath = modelPath
        self.adapterPath = adapterPath
    }

    /// The commands `apply` understands, for the pane's help line.
    public static let commandSummary =
        "/model PATH  /adapter PATH|none  /system TEXT  /temp X  /top-k N  /top-p X  /min-p X  /repeat X  /seed N  /max N  /side  /reset"

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
    /// what is wrong. Commands that act on the conversation (/side, /reset) are the pane's.
    public mutating func apply(command: String, argument: String) throws(ChatSettingsError) -> String {
        func number(_ range: ClosedRange<Float>) throws(ChatSettingsError) -> Float {
            guard let v = Float(argument), range.contains(v) else { throw .badValue(command, argument, "a number in \(range)") }
            return v
        }
        func integer(_ range: ClosedRange<Int>) throws(ChatSettingsError) -> Int {
            guard let v = Int(argument), range.contains(v) else { throw .badValue(command, argument, "a whole number in \(range)") }
            return v
        }
        switch command {
        case "/model":
            guard !argument.isEmpty else { throw .badValue(command, argument, "a .gguf path") }
            modelPath = argument
            return "model: \(argument)"
        case "/adapter":
            adapterPath = argument.isEmpty || argument == "none" ? nil : argument
            return "adapter: \(adapterPath ?? "none")"
        case "/system":
            systemPrompt = argument.isEmpty ? nil : argument
            return argument.isEmpty ? "system prompt removed" : "system prompt set"
        case "/temp": sampling.temperature = try number(0...5)
        case "/top-k": sampling.topK = try integer(0...100_000)
        case "/top-p":
            let v = try number(0...1)
            guard v > 0 else { throw .badValue(command, argument, "a number in (0, 1]") }
            sampling.topP = v
        case "/min-p": sampling.minP = try number(0...0.999)
        case "/repeat":
            let v = try number(0...10)
            guard v > 0 else { throw .badValue(command, argument, "a positive number") }
            sampling.repetitionPenalty = v
        case "/seed":
            guard let v = UInt64(argument) else { throw .badValue(command, argument, "a whole number ≥ 0") }
            sampling.seed = v
        case "/max": maxTokens = try integer(1...8192)
        default: throw .unknown(command)
        }
        return "\(command.dropFirst()) \(argument)"
    }
}

/// A chat command the pane could not apply.
public enum ChatSettingsError: Error, CustomStringConvertible, Equatable {
    case unknown(String)
    case badValue(String, String, String)
    public var description: String {
        switch self {
        case .unknown(let c): "unknown command \(c); try \(ChatSettings.commandSummary)"
        case .badValue(let c, let v, let expected): "\(c) needs \(expected), not \"\(v)\""
        }
    }
}
