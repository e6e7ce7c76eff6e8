import ArgumentParser
import Engine
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt, streaming the generated text to standard output.",
        discussion: ExitStatus.discussion("Special tokens in the prompt (<|im_start|> …) are parsed. Only the generated text goes to standard output; --stats prints timings to standard error."))

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions
    @Option(name: .shortAndLong, help: "The prompt text.") var prompt: String?
    @Option(help: "Read the prompt from a file ('-' for standard input).") var promptFile: String?
    @Option(name: [.customShort("n"), .long], help: "Most tokens to generate.") var maxTokens: Int = 128
    @OptionGroup var sampling: SamplingOptions
    @Option(help: "Stop when this text appears (repeatable).") var stop: [String] = []
    @Option(help: "Context length (tokens) of the KV cache.") var ctx: Int = 2048
    @Flag(help: "Print prompt and decode speed to standard error.") var stats = false
    @Flag(help: "Keep generating past the end-of-sequence tokens (for benchmarks).") var ignoreEos = false

    func validate() throws {
        guard (prompt == nil) != (promptFile == nil) else { throw ValidationError("give exactly one of --prompt and --prompt-file") }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be 0 or more") }
        guard ctx >= 8 else { throw ValidationError("--ctx must be at least 8") }
    }

    func run() throws {
        let text: String
        if let promptFile {
            let data = promptFile == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: promptFile))
            guard let s = String(data: data, encoding: .utf8) else { throw CLIError("\(promptFile) is not UTF-8 text") }
            text = s
        } else {
            text = prompt ?? ""
        }
        let (model, tokenizer) = try modelOptions.load()
        let ids = tokenizer.encode(text)
        guard !ids.isEmpty else { throw CLIError("the prompt is empty") }
        guard ids.count < ctx else { throw CLIError("the prompt has \(ids.count) tokens, more than --ctx \(ctx)") }
        let session = InferenceSession(model: model, contextLength: ctx, threads: modelOptions.threads,
                                       adapter: try adapterOptions.load(for: model))
        let generator = TextGenerator(session: session, tokenizer: tokenizer)
        Interrupt.install()
        var result = GenerationStats()
        let stopped = try Interrupt.reply { shouldStop in
            result = try generator.generate(prompt: ids, maxTokens: maxTokens, sampling: sampling.parameters,
                                            stopTokens: ignoreEos ? [] : nil, stopStrings: stop, shouldStop: shouldStop, emit: writeOut)
        }
        writeOut("\n")
        if stats { printError(result.summary) }
        if stopped { throw ExitCode(ExitStatus.interrupted) }  // the text is cut short: say so to a script
    }
}
