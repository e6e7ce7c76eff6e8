import Foundation

/// Why a workspace could not be opened, created or saved. Each message is one line a user can act on.
public enum WorkspaceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No `tunebench.toml` in the folder.
    case notAWorkspace(path: String)
    /// `tunebench init` on a folder that already has one.
    case alreadyExists(path: String)
    /// `tunebench init` without `--pdf` on a folder holding more than one PDF.
    case severalPDFs(directory: String, names: [String])
    /// The file is not valid TOML.
    case syntax(path: String, line: Int, column: Int, message: String)
    /// A key holds a value of the wrong type or out of range; `key` is dotted (`dataset.context_length`).
    case badValue(path: String, key: String, reason: String)
    /// Reading or writing failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAWorkspace(let path):
            "\(path) is not a TuneBench workspace (no \(Workspace.fileName)); run `tunebench init \(path)` to make one"
        case .alreadyExists(let path): "\(path) already exists; open it with `tunebench open` or remove it first"
        case .severalPDFs(let directory, let names):
            "\(directory) holds \(names.count) PDFs (\(names.joined(separator: ", "))); say which is the book: "
                + "tunebench init --pdf FILE \(directory)"
        case .syntax(let path, let line, let column, let message): "\(path):\(line):\(column): \(message)"
        case .badValue(let path, let key, let reason): "\(path): \(key) \(reason)"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}
