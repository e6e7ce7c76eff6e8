import Engine
import Foundation

@testable import Corpus

/// Shared objects for the Dataset tests.
enum DatasetTestSupport {
    /// The golden SmolLM2 tokenizer (Tests/Fixtures/golden/smollm2-tokenizer.json) with the special ids
    /// the SmolLM2-135M-Instruct GGUF declares (tokenizer.ggml.bos/eos/padding_token_id = 1/2/2,
    /// read with gguf-py): tokenizer.json alone carries no EOS.
    static let tokenizer: Result<Tokenizer, Error> = Result {
        let url = corpusDirectory().deletingLastPathComponent().appendingPathComponent("golden/smollm2-tokenizer.json")
        var vocabulary = try TokenizerVocabulary(huggingFaceJSON: url)
        vocabulary.bosID = 1
        vocabulary.eosID = 2
        vocabulary.paddingID = 2
        return try Tokenizer(vocabulary: vocabulary)
    }

    /// ChatML as SmolLM2's template renders it (without its default system prompt).
    static let chatML: ChatRenderer = { messages, addGenerationPrompt in
        var text = ""
        for message in messages { text += "<|im_start|>" + message.role + "\n" + message.content + "<|im_end|>\n" }
        if addGenerationPrompt { text += "<|im_start|>assistant\n" }
        return text
    }

    static func read(_ fixture: String, format: DatasetFormat = .auto, strict: Bool = false) throws -> JSONLReadResult {
        try JSONLReader(format: format, strict: strict).read(contentsOf: fixtureURL("dataset/" + fixture))
    }

    static func settings(ctx: Int = 16, minLength: Int = 0) -> DatasetSettings {
        var settings = DatasetSettings()
        settings.contextLength = ctx
        settings.minLength = minLength
        return settings
    }

    /// A fresh empty directory under the system temp directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tunebench-dataset-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
