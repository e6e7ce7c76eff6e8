import ArgumentParser
import Engine
import Foundation

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show how a text is split into tokens: ids and pieces.",
        discussion: ExitStatus.help())

    @Option(name: .shortAndLong, help: "A .gguf path, a cached model name, or a Hugging Face tokenizer.json.") var model: String?
    @Argument(help: "The text (special tokens such as <|im_start|> are parsed).") var text: String
    @Flag(help: "Print only a JSON array of ids.") var json = false
    @Flag(help: "Add the BOS token.") var bos = false
    @Flag(help: "Treat special-token text as plain text.") var noSpecial = false

    func run() throws {
        let url = ModelCache.resolve(model)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("no model or tokenizer at \(url.path)") }
        let tokenizer = url.pathExtension == "json" ? try Tokenizer(huggingFaceJSON: url) : try Tokenizer(gguf: GGUFFile(path: url.path))
        let ids = tokenizer.encode(text, addBOS: bos, parseSpecial: !noSpecial)
        if json {
            print("[" + ids.map(String.init).joined(separator: ",") + "]")
            return
        }
        for id in ids {
            let piece = tokenizer.piece(for: id)
            print(String(format: "%6d  ", id) + piece.debugDescription)
        }
        printError("\(ids.count) tokens, \(text.utf8.count) bytes")
    }
}
