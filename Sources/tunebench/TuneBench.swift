import ArgumentParser
import Engine
import Foundation

@main
struct TuneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunebench",
        abstract: "Fine-tune small language models on your own documents, on a CPU.",
        discussion: ExitStatus.discussion(
            "Every failure is one line on standard error: tunebench <command>: error: <message>."),
        version: EngineInfo.version,
        subcommands: [
            OpenCommand.self, InitCommand.self,
            ChatCommand.self, GenerateCommand.self, PerplexityCommand.self, TokenizeCommand.self,
            InspectCommand.self, ModelsCommand.self, QuantizeCommand.self, ExtractCommand.self, PrepareCommand.self,
            TrainCommand.self, MergeCommand.self, BenchTrainCommand.self,
        ],
        defaultSubcommand: OpenCommand.self)

    static func main() {
        // A blocked signal mask survives exec: a parent that blocked SIGTERM, SIGHUP or SIGWINCH
        // (test runners do) would leave us deaf to being stopped or resized. Start with none blocked.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        BLAS.idleThreadsSleepAtOnce()
        Foundation.exit(status(running: Array(CommandLine.arguments.dropFirst())))
    }

    /// Parses `arguments`, runs the command they name and returns the exit status. Every failure
    /// is one line on standard error, `tunebench <command>: error: <message>` (a bad command line
    /// adds the usage after it); `--help` and `--version` print to standard output and succeed.
    static func status(running arguments: [String]) -> Int32 {
        let named = CommandNames.explicitCommand(in: arguments)
        if let mistake = CommandNames.unknownCommand(in: arguments) {
            printError(errorPrefix(mistake.command) + mistake.message)
            return ExitStatus.usage
        }
        var command: ParsableCommand
        do { command = try parseAsRoot(arguments) } catch { return report(error, command: named) }
        do { try command.run() } catch { return report(error, command: type(of: command).configuration.commandName ?? named) }
        return ExitStatus.success
    }

    static func errorPrefix(_ command: String?) -> String {
        (command.map { "tunebench \($0)" } ?? "tunebench") + ": error: "
    }

    /// Says what `error` means in the house style and returns the exit status it calls for.
    private static func report(_ error: Error, command: String?) -> Int32 {
        switch error {
        case let error as CLIError:
            printError(errorPrefix(command) + error.description)
            return error.exitCode
        case let code as ExitCode:
            return code.rawValue  // the command has already said why
        default:
            break
        }
        let code = exitCode(for: error)
        if code == .success {  // --help, --version, `help COMMAND`
            print(fullMessage(for: error))
            return ExitStatus.success
        }
        let message = message(for: error)
        var text = errorPrefix(command) + message
        if code == .validationFailure {
            // ArgumentParser's text is "Error: <message>\n[Help: …\n]Usage: …": keep what follows the message.
            let full = fullMessage(for: error)
            if let end = full.range(of: message)?.upperBound { text += full[end...] }
        }
        printError(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        return code == .validationFailure ? ExitStatus.usage : ExitStatus.failure
    }
}

/// The exit statuses every command shares, documented once for the root's and every subcommand's
/// `--help` (`extract` adds its own for each kind of bad PDF).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    /// EX_USAGE (sysexits.h), as ArgumentParser's parse and validation errors.
    static let usage: Int32 = 64
    /// 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
    static let interrupted: Int32 = 130

    static let general: [(code: Int32, meaning: String)] = [
        (success, "done"),
        (failure, "the command failed (its error line says why)"),
        (usage, "bad command line: unknown command or option, missing or bad value"),
        (interrupted, "interrupted (Ctrl-C)"),
    ]

    /// The "Exit codes:" paragraph of a command's help: the general codes and the command's own
    /// (`specific`, which replace a general one with the same number), in order.
    static func help(_ specific: [(code: Int32, meaning: String)] = []) -> String {
        let codes = general.filter { code in !specific.contains { $0.code == code.code } } + specific
        return "Exit codes:\n" + codes.sorted { $0.code < $1.code }.map { code, meaning in
            let number = String(code)
            return String(repeating: " ", count: 5 - number.count) + number + "  " + meaning
        }.joined(separator: "\n")
    }

    /// A command's discussion followed by the exit codes.
    static func discussion(_ text: String, specific: [(code: Int32, meaning: String)] = []) -> String {
        text + "\n\n" + help(specific)
    }
}
