import ArgumentParser
import Engine
import Foundation
import Pipeline

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model in the terminal, using the model's own chat template.",
        discussion: ExitStatus.discussion("""
            Commands inside the chat: /reset forgets the conversation, /system TEXT sets the system \
            prompt (and resets), /quit (or Ctrl-D) leaves. Ctrl-C stops a reply without quitting.
            """))

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions
    @OptionGroup var sampling: SamplingOptions
    @Option(help: "System prompt.") var system: String?
    @Option(name: [.customShort("n"), .long], help: "Most tokens per reply.") var maxTokens: Int = 512
    @Option(help: "Context length (tokens); the oldest turns are dropped when it fills.") var ctx: Int = 2048
    @Flag(help: "Print speed after each reply.") var stats = false

    func validate() throws {
        guard ctx >= 64 else { throw ValidationError("--ctx must be at least 64") }
        guard maxTokens >= 1, maxTokens < ctx else { throw ValidationError("--max-tokens must be between 1 and --ctx") }
    }

    func run() throws {
        let (model, _) = try modelOptions.load()
        let chat = try ChatSession(model: model, adapter: try adapterOptions.load(for: model), contextLength: ctx,
                                   threads: modelOptions.threads)
        if let warning = chat.format.warning { printError("tunebench chat: warning: \(warning)") }
        var systemPrompt = system
        var messages: [ChatMessage] = []
        func reset() {
            messages = systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []
        }
        reset()
        Interrupt.install()
        let interactive = isatty(0) != 0
        printError("\(model.gguf["general.name"]?.stringValue ?? modelOptions.modelURL.lastPathComponent) — /reset, /system TEXT, /quit; Ctrl-C stops a reply")
        while true {
            if interactive { printError("> ", terminator: "") }
            guard let line = readLine(strippingNewline: true) else { break }
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            if input == "/quit" || input == "/exit" { break }
            if input == "/reset" { reset(); printError("(conversation cleared)"); continue }
            if input.hasPrefix("/system") {
                let text = input.dropFirst("/system".count).trimmingCharacters(in: .whitespaces)
                systemPrompt = text.isEmpty ? nil : text
                reset()
                printError(text.isEmpty ? "(system prompt removed; conversation cleared)" : "(system prompt set; conversation cleared)")
                continue
            }
            if input.hasPrefix("/") { printError("unknown command \(input); try /reset, /system TEXT, /quit"); continue }

            messages.append(ChatMessage(role: "user", content: line))
            var reply = ""
            var result = GenerationStats()
            let stopped: Bool
            do {
                stopped = try Interrupt.reply { shouldStop in
                    result = try chat.reply(to: messages, maxTokens: maxTokens, sampling: sampling.parameters,
                                            shouldStop: shouldStop) { text in
                        reply += text
                        writeOut(text)
                    }
                }
            } catch let error as ChatFormatError {
                messages.removeLast()
                printError(error.description)
                continue
            }
            writeOut("\n")
            if stopped { printError("(stopped)") }
            messages.append(ChatMessage(role: "assistant", content: reply))
            if stats { printError(result.summary) }
        }
    }
}
