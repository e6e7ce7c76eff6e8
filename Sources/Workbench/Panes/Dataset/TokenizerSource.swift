import Corpus
import Engine
import Foundation
import Pipeline

/// Where the Dataset pane gets its tokenizer (and chat format): loaded off the UI thread when
/// needed. The app uses the workspace's model; tests pass a tokenizer.json.
public struct TokenizerSource: Sendable {
    public var load: @Sendable () throws -> DatasetTokenizer

    public init(load: @escaping @Sendable () throws -> DatasetTokenizer) { self.load = load }

    /// The tokenizer and chat template of a GGUF model file (or a tokenizer.json).
    public static func model(at url: URL) -> TokenizerSource {
        TokenizerSource {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DatasetPaneError("no model at \(url.path); run scripts/fetch-model.sh or set [model] path")
            }
            return try DatasetTokenizer.load(url)
        }
    }
}

/// A one-line failure of the Dataset pane's background work.
struct DatasetPaneError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
