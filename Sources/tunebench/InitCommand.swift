import ArgumentParser
import Foundation
import Workspace

/// `tunebench init [DIR]`: make a workspace.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a folder a TuneBench workspace (writes tunebench.toml with the defaults).",
        discussion: ExitStatus.discussion("When the folder holds exactly one PDF, it becomes the workspace's book."))

    @Argument(help: "The folder (created if missing).") var directory: String = "."

    func run() throws {
        do {
            let workspace = try Workspace.create(at: URL(fileURLWithPath: directory))
            print("created \(workspace.fileURL.path)")
            if let pdf = workspace.settings.pdf.path { print("book: \(pdf)") } else {
                print("no PDF found in the folder: set [pdf] path in \(Workspace.fileName)")
            }
            print("open it with: tunebench open \(directory)")
        } catch { throw CLIError(error.description) }
    }
}
