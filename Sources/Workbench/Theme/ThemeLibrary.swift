import Foundation

/// Finds themes by name: a `<name>.toml` in the `themes/` folders — the workspace's, then the
/// user's (`$TUNEBENCH_HOME/themes`, default `~/.cache/tunebench/themes`) — else a theme built into
/// the binary (`BuiltinThemes`: dark, light, mono). A file overrides a built-in of the same name.
public struct ThemeLibrary: Sendable {
    public var folders: [URL]
    /// Theme names and TOML texts that need no file.
    public var builtins: [String: String]

    public init(folders: [URL], builtins: [String: String] = BuiltinThemes.texts) {
        self.folders = folders
        self.builtins = builtins
    }

    /// The standard folders for a workspace, in lookup order, and the built-in themes.
    public static func standard(workspace: URL?) -> ThemeLibrary {
        var folders: [URL] = []
        if let workspace { folders.append(workspace.appendingPathComponent("themes")) }
        let env = ProcessInfo.processInfo.environment
        if let home = env["TUNEBENCH_HOME"], !home.isEmpty {
            folders.append(URL(fileURLWithPath: home).appendingPathComponent("themes"))
        } else {
            folders.append(FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/tunebench/themes"))
        }
        return ThemeLibrary(folders: folders)
    }

    /// Names of the themes found, files and built-ins, sorted, without duplicates: the cycle order
    /// of the theme key.
    public var names: [String] {
        var found = Set(builtins.keys)
        for folder in folders {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".toml") {
                found.insert(String(file.dropLast(5)))
            }
        }
        return found.sorted()
    }

    /// Loads `name` from the first folder holding `<name>.toml`, else the built-in of that name.
    public func load(_ name: String) throws(ThemeError) -> Theme {
        for folder in folders {
            let url = folder.appendingPathComponent("\(name).toml")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            return try Theme(parsing: text, path: url.path)
        }
        if let text = builtins[name] { return try Theme(parsing: text, path: "built-in theme \(name)") }
        throw .notFound(name: name, builtIn: builtins.keys.sorted(),
                        searched: folders.filter { FileManager.default.fileExists(atPath: $0.path) }.map(\.path))
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
