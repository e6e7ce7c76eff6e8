import ArgumentParser
import Corpus
import Engine
import Foundation
import Pipeline

/// `tunebench prepare`: JSONL → token windows with a train/test split, in a dataset directory.
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Tokenize a JSONL file into training windows with a train/test split.",
        discussion: ExitStatus.discussion("""
            Reads {"<page>": text} (as `tunebench extract` writes), {"text"}, \
            {"prompt","completion"}, Alpaca {"instruction","input","output"} or chat \
            {"messages":[{"role","content"}]} lines. Text records shorter than --min-length \
            characters are dropped, paragraph ends (".\\n") get the EOS token, other newlines \
            become spaces, and the token stream is cut into windows of --ctx tokens. \
            Conversations are rendered with the chat template and only the assistant's tokens \
            count in the loss, one conversation per window unless --pack.

            Writes train.bin, test.bin and manifest.json (and train.jsonl/test.jsonl with \
            --export-jsonl, loadable by Hugging Face `datasets`) into --out, atomically.
            """))

    @Argument(help: "The JSONL input file.") var input: String
    @Option(name: .shortAndLong, help: "A .gguf path, a cached model name, or a Hugging Face tokenizer.json (default: \(ModelCache.defaultModelFile)).")
    var model: String?
    @Option(help: "Input shape: \(DatasetFormat.allCases.map(\.rawValue).joined(separator: "|")).")
    var format: DatasetFormat = .auto
    @Flag(help: "Stop at the first bad line instead of skipping it.") var strict = false
    @Option(help: "Tokens per window (the training context length).") var ctx: Int = 256
    @Option(help: "Drop records shorter than this many characters.") var minLength: Int = 100
    @Flag(inversion: .prefixedNo, help: "Put the EOS token at paragraph ends (\".\\n\").")
    var paragraphEOS = true
    @Flag(inversion: .prefixedNo, help: "Turn the remaining newlines into spaces.")
    var newlinesToSpaces = true
    @Flag(inversion: .prefixedNo, help: "Page maps: join a page that continues the previous page's sentence to it in one record.")
    var joinPages = true
    @Flag(help: "Pad the short last window instead of dropping it.") var pad = false
    @Flag(help: "Pack conversations into full windows instead of one per window.") var pack = false
    @Option(help: "Fraction of windows held out as the test split, in [0, 1).") var testSize: Double = 0.1
    @Option(help: "Seed of the split and shuffle.") var seed: UInt64 = 42
    @Flag(inversion: .prefixedNo, help: "Shuffle the windows of each split.") var shuffle = true
    @Option(help: "Output dataset directory.") var out: String
    @Flag(help: "Also write train.jsonl / test.jsonl of input_ids, attention_mask and labels.") var exportJsonl = false

    var settings: DatasetSettings {
        var settings = DatasetSettings()
        settings.minLength = minLength
        settings.eosAtParagraphEnds = paragraphEOS
        settings.newlinesToSpaces = newlinesToSpaces
        settings.contextLength = ctx
        settings.padLastWindow = pad
        settings.packConversations = pack
        settings.testFraction = testSize
        settings.seed = seed
        settings.shuffle = shuffle
        settings.joinPages = joinPages
        return settings
    }

    func validate() throws {
        do { try settings.validate() } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        do { try prepare() } catch let error as DatasetError { throw CLIError(error.description) }
    }

    private func prepare() throws {
        let modelURL = ModelCache.resolve(model)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw CLIError(model == nil
                ? "the default model is not cached at \(modelURL.path); run scripts/fetch-model.sh to download it"
                : "no model or tokenizer at \(modelURL.path)")
        }
        let tokenizer = try DatasetTokenizer.load(modelURL)
        if let warning = tokenizer.chatFormat.warning, format == .chat || format == .auto { Self.warn(warning) }
        var job = PrepareJob(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: out), format: format, settings: settings)
        job.strict = strict
        job.exportJSONL = exportJsonl
        let result = try job.run(tokenizer: tokenizer)
        let read = result.read
        for bad in read.badLines.prefix(10) { Self.warn("skipped \(bad)") }
        if read.badLines.count > 10 { Self.warn("… and \(read.badLines.count - 10) more bad lines") }

        let stats = result.splits.stats
        print("format: \(read.format.rawValue), \(read.lineCount) lines, \(stats.badLines) bad")
        print("records: \(stats.recordsRead) read, \(stats.recordsKept) kept, \(stats.recordsDropped) shorter than \(settings.minLength) characters dropped")
        print("characters: \(stats.characters) kept")
        print("tokens: \(stats.tokens), \(stats.trainedTokens) in the loss, \(stats.tokensDropped) dropped in packing, \(stats.paddingTokens) padding")
        print("windows: \(stats.windows) of \(settings.contextLength) tokens: \(stats.trainWindows) train, \(stats.testWindows) test")
        print("record lengths (characters):")
        for line in LengthHistogram(lengths: stats.recordLengths).lines() { print("  " + line) }
        print("wrote \(out)/")
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data(("tunebench prepare: " + message + "\n").utf8))
    }
}

extension DatasetFormat: ExpressibleByArgument {}
