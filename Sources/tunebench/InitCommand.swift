import ArgumentParser
import Foundation
import Workspace

/// `tunebench init [--pdf FILE] [DIR]`: make a workspace.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a folder a TuneBench workspace (writes tunebench.toml with the defaults).",
        discussion: ExitStatus.discussion("""
            The book is --pdf FILE (stored relative to the workspace when it lies inside), else the \
            folder's only PDF; a folder with several needs --pdf. A PDF in place of the folder \
            (tunebench init book.pdf) makes the workspace in the PDF's folder, with that book.
            """))

    @Option(help: "The book: a PDF file.") var pdf: String?
    @Argument(help: "The folder (created if missing), or a PDF: its folder, with it as the book.") var directory: String = "."

    /// `directory` is a PDF file rather than a folder.
    private var directoryIsPDF: Bool { directory.lowercased().hasSuffix(".pdf") && !isFolder(directory) }

    func validate() throws {
        if pdf != nil && directoryIsPDF { throw ValidationError("give the book once: --pdf FILE DIR, or FILE.pdf alone") }
    }

    func run() throws {
        var folder = URL(fileURLWithPath: directory)
        var shownFolder = directory
        var book = pdf.map { URL(fileURLWithPath: $0) }
        if directoryIsPDF {
            book = folder
            folder.deleteLastPathComponent()
            shownFolder = (directory as NSString).deletingLastPathComponent
            if shownFolder.isEmpty { shownFolder = "." }
        } else if FileManager.default.fileExists(atPath: directory) && !isFolder(directory) {
            throw CLIError("\(directory) is a file, not a folder: tunebench init [--pdf FILE] [DIR]")
        }
        if let book, !FileManager.default.fileExists(atPath: book.path) || isFolder(book.path) {
            throw CLIError("no PDF at \(book.path)")
        }
        do {
            let workspace = try Workspace.create(at: folder, pdf: book)
            print("created \(workspace.fileURL.path)")
            if let pdf = workspace.settings.pdf.path { print("book: \(pdf)") } else {
                print("no PDF in the folder: set [pdf] path in \(Workspace.fileName) when you have one")
            }
            print("open it with: tunebench open \(shownFolder)")
        } catch { throw CLIError(error.description) }
    }

    private func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
