import ArgumentParser
import Foundation
import Workbench
import Workspace

/// `tunebench open [DIR]` (and `tunebench` alone): the workbench on a workspace.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open the workbench (the terminal UI) on a workspace.",
        discussion: ExitStatus.discussion("""
            A workspace is a folder with a tunebench.toml (`tunebench init` makes one). Keys: Tab or \
            F1–F4 switch panes, ? (or F12) lists every key of the current pane, q (or Ctrl-C) quits; while \
            a text input has focus it takes every printable key, and F12 and Ctrl-C still work. Every \
            choice made in the workbench is saved to tunebench.toml. Colours follow \
            --theme: dark, light and mono are built in; NAME.toml in the workspace's themes/ folder or \
            in ${TUNEBENCH_HOME:-~/.cache/tunebench}/themes adds a theme or overrides a built-in one. \
            NO_COLOR selects mono.
            """))

    @Argument(help: "The workspace folder.") var directory: String = "."
    @Option(help: "Colour theme: dark, light, mono, or the name of a .toml file in a themes/ folder.") var theme: String?

    func run() throws {
        let workspace: Workspace
        do { workspace = try Workspace.open(at: URL(fileURLWithPath: directory)) } catch {
            throw CLIError(error.description)
        }
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw CLIError("the workbench needs a terminal; the other subcommands (extract, prepare, chat…) work without one")
        }
        for line in Workbench.run(workspace: workspace, theme: theme) { printError("tunebench: " + line) }
    }
}
