import ArgumentParser
import Engine
import Foundation

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Mean negative log-likelihood and perplexity of a text file.",
        discussion: ExitStatus.discussion("The text is tokenized without BOS and scored in windows of --ctx tokens."))

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions
    @Option(name: .shortAndLong, help: "The UTF-8 text file to score.") var file: String
    @Option(help: "Tokens per window.") var ctx: Int = 512
    @Option(help: "Score only the first N tokens.") var maxTokens: Int?
    @Option(help: "Also write the token ids and each scored token's NLL to this JSON file ({\"tokens\": [...], \"nll\": [...]}).")
    var perToken: String?

    func validate() throws {
        guard ctx >= 2 else { throw ValidationError("--ctx must be at least 2") }
    }

    func run() throws {
        if let perToken {
            // Fail before minutes of scoring, not after them: the folder must exist and take a new file.
            let folder = URL(fileURLWithPath: perToken).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue,
                  FileManager.default.isWritableFile(atPath: folder) else {
                throw CLIError("cannot write \(perToken): \(folder) is not a writable folder")
            }
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw CLIError("cannot read \(file): \(error.localizedDescription)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(file) is not UTF-8 text") }
        let (model, tokenizer) = try modelOptions.load()
        var tokens = tokenizer.encode(text, addBOS: false)
        if let maxTokens { tokens = Array(tokens.prefix(maxTokens)) }
        guard tokens.count >= 2 else { throw CLIError("\(file) has fewer than 2 tokens") }
        let context = min(ctx, model.config.contextLength)
        let start = Date()
        let adapter = try adapterOptions.load(for: model)
        let result = try Perplexity.evaluate(model: model, tokens: tokens, context: context, threads: modelOptions.threads, adapter: adapter) { done, total in
            if isatty(2) != 0 { printError("\rscored \(done)/\(total) tokens", terminator: "") }
        }
        if isatty(2) != 0 { printError("") }
        if let perToken {
            let object: [String: Any] = ["tokens": tokens.map { Int($0) }, "context": context, "nll": result.tokenNLL]
            do {
                let data = try JSONSerialization.data(withJSONObject: object)
                try data.write(to: URL(fileURLWithPath: perToken), options: .atomic)
            } catch { throw CLIError("cannot write \(perToken): \(error.localizedDescription)") }
        }
        print(String(format: "tokens: %d in %d window(s) of %d\nmean NLL: %.6f\nperplexity: %.4f", result.scoredTokens + result.windows,
                     result.windows, context, result.meanNLL, result.perplexity))
        printError(String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
}
