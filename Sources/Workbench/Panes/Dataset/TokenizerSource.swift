import Corpus
import Engine
import Foundation

/// Where the Dataset pane gets its tokenizer (and chat template): loaded off the UI thread when
/// needed. The app uses the workspace's model; tests pass a tokenizer.json.
public struct TokenizerSource: Sendable {
    public struct Loaded: Sendable {
        public var tokenizer: Tokenizer
        public var renderer: ChatRenderer?
        public var identity: TokenizerIdentity
        public init(tokenizer: Tokenizer, renderer: ChatRenderer?, identity: TokenizerIdentity) {
            self.tokenizer = tokenizer
            self.renderer = renderer
            self.identity = identity
        }
    }

    public var load: @Sendable () throws -> Loaded

    public init(load: @escaping @Sendable () throws -> Loaded) { self.load = load }

    /// The tokenizer and chat template of a GGUF model file.
    public static func model(at url: URL) -> TokenizerSource {
        TokenizerSource {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DatasetPaneError("no model at \(url.path); run scripts/fetch-model.sh or set [model] path")
            }
            let gguf = try GGUFFile(path: url.path)
            let tokenizer = try Tokenizer(gguf: gguf)
            let (template, _) = ChatTemplate.loadOrFallback(source: gguf["tokenizer.chat_template"]?.stringValue)
            let bos = tokenizer.bosID.map { tokenizer.piece(for: $0) } ?? ""
            let eos = tokenizer.eosID.map { tokenizer.piece(for: $0) } ?? ""
            let renderer: ChatRenderer = { messages, addGenerationPrompt in
                try template.render(messages: messages.map { Engine.ChatMessage(role: $0.role, content: $0.content) },
                                    addGenerationPrompt: addGenerationPrompt, bosToken: bos, eosToken: eos)
            }
            return Loaded(tokenizer: tokenizer, renderer: renderer,
                          identity: TokenizerIdentity(tokenizer: tokenizer, modelFile: url.lastPathComponent))
        }
    }
}

/// A one-line failure of the Dataset pane's background work.
struct DatasetPaneError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
