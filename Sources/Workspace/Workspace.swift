import Engine
import Foundation

/// A TuneBench workspace: a folder whose `tunebench.toml` records every choice the user made. The
/// workbench edits it and every CLI subcommand can read it, so a run made in the TUI can be
/// repeated from a script.
public struct Workspace: Sendable {
    public static let fileName = "tunebench.toml"

    /// The workspace folder (absolute, standardized).
    public let directory: URL
    public var settings: WorkspaceSettings
    /// Unknown keys from the file, written back on save.
    public var unknown: [(section: String, text: String)]
    /// Things the user should know about the file (unknown keys), one line each.
    public let warnings: [String]

    public var fileURL: URL { directory.appendingPathComponent(Self.fileName) }

    /// Settings read from `<directory>/tunebench.toml`.
    public static func open(at directory: URL) throws(WorkspaceError) -> Workspace {
        let dir = directory.standardizedFileURL
        let file = dir.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { throw .notAWorkspace(path: directory.path) }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw .io(path: file.path, reason: "cannot read it as UTF-8 text")
        }
        let parsed = try WorkspaceTOML(parsing: text, path: file.path)
        return Workspace(directory: dir, settings: parsed.settings, unknown: parsed.unknown, warnings: parsed.warnings)
    }

    /// Makes `directory` (if needed) a workspace with default settings and writes its file. The
    /// book is `pdf` when given (stored relative to the folder when inside it, else absolute), else
    /// the folder's only PDF; a folder with several PDFs needs `pdf` to say which.
    public static func create(at directory: URL, pdf: URL? = nil) throws(WorkspaceError) -> Workspace {
        let dir = directory.standardizedFileURL
        let file = dir.appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: file.path) { throw .alreadyExists(path: file.path) }
        var settings = WorkspaceSettings()
        if let pdf {
            let path = pdf.standardizedFileURL.path
            settings.pdf.path = path.hasPrefix(dir.path + "/") ? String(path.dropFirst(dir.path.count + 1)) : path
        } else {
            let pdfs = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
                .filter { $0.lowercased().hasSuffix(".pdf") }.sorted()
            if pdfs.count > 1 { throw .severalPDFs(directory: dir.path, names: pdfs) }
            settings.pdf.path = pdfs.first
        }
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw .io(path: dir.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        let workspace = Workspace(directory: dir, settings: settings, unknown: [], warnings: [])
        try workspace.save()
        return workspace
    }

    public init(directory: URL, settings: WorkspaceSettings, unknown: [(section: String, text: String)] = [],
                warnings: [String] = []) {
        self.directory = directory.standardizedFileURL
        self.settings = settings
        self.unknown = unknown
        self.warnings = warnings
    }

    /// The file's text for the current settings.
    public var text: String {
        var toml = WorkspaceTOML(settings: settings)
        toml.unknown = unknown
        return toml.text
    }

    /// Writes `tunebench.toml` atomically (temporary file + rename).
    public func save() throws(WorkspaceError) {
        do { try Data(text.utf8).write(to: fileURL, options: .atomic) } catch {
            throw .io(path: fileURL.path, reason: "cannot write it (\(error.localizedDescription))")
        }
    }

    /// A path from the file, relative to the workspace folder unless absolute (`~` expanded).
    public func resolve(_ path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL }
        return directory.appendingPathComponent(expanded).standardizedFileURL
    }

    public var pdfURL: URL? { settings.pdf.path.map(resolve) }
    public var pagesURL: URL { resolve(settings.pdf.output) }
    public var datasetInputURL: URL { resolve(settings.dataset.input) }
    public var datasetURL: URL { resolve(settings.dataset.output) }
    /// Where training runs go, one folder each.
    public var runsURL: URL { directory.appendingPathComponent("runs") }
    /// The model file: the `[model] path` (relative to the workspace, or a cached name), else the default.
    public var modelURL: URL {
        guard let path = settings.model.path else { return ModelCache.defaultModel }
        let local = resolve(path)
        return FileManager.default.fileExists(atPath: local.path) ? local : ModelCache.resolve(path)
    }
}
