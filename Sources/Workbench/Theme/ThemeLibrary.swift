import Foundation

/// Finds theme files by name in the `themes/` folders: the workspace's, the user's
/// (`$TUNEBENCH_HOME/themes`, default `~/.cache/tunebench/themes`), and the one shipped next to the
/// binary (`<prefix>/themes` or, in a SwiftPM build tree, the package's).
public struct ThemeLibrary: Sendable {
    public var folders: [URL]

    public init(folders: [URL]) { self.folders = folders }

    /// The standard folders for a workspace, in lookup order.
    public static func standard(workspace: URL?) -> ThemeLibrary {
        var folders: [URL] = []
        if let workspace { folders.append(workspace.appendingPathComponent("themes")) }
        let env = ProcessInfo.processInfo.environment
        if let home = env["TUNEBENCH_HOME"], !home.isEmpty {
            folders.append(URL(fileURLWithPath: home).appendingPathComponent("themes"))
        } else {
            folders.append(FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/tunebench/themes"))
        }
        // The executable's folder and its ancestors (…/.build/debug/tunebench → package root).
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            folders.append(dir.appendingPathComponent("themes"))
            folders.append(dir.appendingPathComponent("share/tunebench/themes"))
            dir.deleteLastPathComponent()
        }
        return ThemeLibrary(folders: folders)
    }

    /// Names of the themes found, sorted, without duplicates: the cycle order of the theme key.
    public var names: [String] {
        var found = Set<String>()
        for folder in folders {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".toml") {
                found.insert(String(file.dropLast(5)))
            }
        }
        return found.sorted()
    }

    /// Loads `name` from the first folder holding `<name>.toml`.
    public func load(_ name: String) throws(ThemeError) -> Theme {
        for folder in folders {
            let url = folder.appendingPathComponent("\(name).toml")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            return try Theme(parsing: text, path: url.path)
        }
        throw .notFound(name: name, searched: folders.filter { FileManager.default.fileExists(atPath: $0.path) }.map(\.path))
    }

    /// The theme to start with: `mono` when `NO_COLOR` is set (https://no-color.org), else the
    /// requested one; `Theme.plain` and a warning when it cannot be loaded.
    public func startingTheme(requested: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> (Theme, warning: String?)
    {
        let name = (environment["NO_COLOR"].map { !$0.isEmpty } ?? false) ? "mono" : requested
        do { return (try load(name), nil) } catch { return (.plain, error.description) }
    }
}
