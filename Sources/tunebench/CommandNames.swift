import ArgumentParser
import Foundation

/// The subcommands' names, for error lines and for catching a mistyped command: with `open` as
/// the default subcommand, ArgumentParser would take `tunebench trian` for `tunebench open trian`
/// and answer that `trian` is not a workspace.
enum CommandNames {
    /// Every subcommand's name, in `tunebench --help`'s order.
    static var all: [String] { TuneBench.configuration.subcommands.compactMap { $0.configuration.commandName } }

    /// The subcommand the first argument names, if it names one.
    static func explicitCommand(in arguments: [String]) -> String? {
        guard let first = arguments.first, all.contains(first) || first == "help" else { return nil }
        return first
    }

    /// The error for a first argument that is no subcommand, no option and no folder to open, or
    /// for `help NAME` with an unknown name; nil when the names are fine.
    static func unknownCommand(in arguments: [String]) -> (command: String?, message: String)? {
        guard let first = arguments.first else { return nil }
        if first == "help" {
            guard let name = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }), !all.contains(name) else { return nil }
            return ("help", unknown(name))
        }
        var isFolder: ObjCBool = false
        if first.hasPrefix("-") || all.contains(first)
            || (FileManager.default.fileExists(atPath: first, isDirectory: &isFolder) && isFolder.boolValue)
        {
            return nil
        }
        return (nil, unknown(first))
    }

    private static func unknown(_ name: String) -> String {
        if let near = suggestion(for: name) { return "unknown command '\(name)'; did you mean '\(near)'?" }
        return "unknown command '\(name)' (and no folder of that name); the commands are \(all.joined(separator: ", ")) (tunebench --help)"
    }

    /// The command `word` is most likely a typo of: the nearest by edit distance, when at most one
    /// edit away (two for words of five letters or more), else the only command it begins.
    static func suggestion(for word: String) -> String? {
        let allowed = word.count >= 5 ? 2 : 1
        let extended = all.filter { $0.hasPrefix(word.lowercased()) }
        if word.count >= 2, extended.count == 1 { return extended[0] }
        let scored = all.map { (name: $0, distance: editDistance(word.lowercased(), $0)) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= allowed else { return nil }
        return best.name
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbouring letters (`trian` → `train` is one edit) each count 1.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        // d[i][j]: distance between the first i letters of a and the first j of b.
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
