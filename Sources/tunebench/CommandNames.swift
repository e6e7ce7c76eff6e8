import ArgumentParser
import Foundation

/// The subcommands' names, for error lines and for catching a mistyped command.
enum CommandNames {
    /// Every subcommand's name, in `tunebench --help`'s order.
    static var all: [String] { TuneBench.configuration.subcommands.compactMap { $0.configuration.commandName } }

    /// The subcommand the first argument names, if it names one.
    static func explicitCommand(in arguments: [String]) -> String? {
        guard let first = arguments.first, all.contains(first) else { return nil }
        return first
    }
}
