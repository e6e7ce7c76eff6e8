import Foundation
import TOMLKit

/// A terminal colour: the default colour, or a 256-colour palette index with the basic colour
/// (0–7) used where the terminal has only 8.
public struct ThemeColor: Sendable, Hashable {
    /// -1: the terminal's default colour.
    public var index256: Int
    public var index8: Int

    public static let terminalDefault = ThemeColor(index256: -1, index8: -1)

    public init(index256: Int, index8: Int? = nil) {
        self.index256 = index256
        self.index8 = index8 ?? ThemeColor.nearestBasic(index256)
    }

    static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// A palette index (0–255) or a basic colour name, as theme files write them.
    init?(_ value: TOMLValueConvertible) {
        if let i = value.int, (0...255).contains(i) {
            self.init(index256: i)
        } else if let name = value.string?.lowercased() {
            if name == "default" { self = .terminalDefault; return }
            guard let i = Self.basicNames.firstIndex(of: name) else { return nil }
            self.init(index256: i, index8: i)
        } else {
            return nil
        }
    }

    /// The basic colour closest to a palette entry: 0–15 map onto 0–7; the 6×6×6 cube and the grey
    /// ramp by thresholding each channel at half intensity (xterm's palette layout).
    static func nearestBasic(_ index: Int) -> Int {
        switch index {
        case ..<0: return -1
        case 0..<8: return index
        case 8..<16: return index - 8
        case 16..<232:
            let v = index - 16
            let r = v / 36, g = (v / 6) % 6, b = v % 6
            // Basic colour bits: red 1, green 2, blue 4.
            return (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0)
        default: return index >= 244 ? 7 : 0
        }
    }
}

/// How one role looks: colours and attributes.
public struct RoleStyle: Sendable, Hashable {
    public var foreground: ThemeColor = .terminalDefault
    public var background: ThemeColor = .terminalDefault
    public var attributes: CellAttributes = []
    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
                attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

/// Colours for every `ColorRole`, read from a built-in theme or a TOML file in a `themes/` folder.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [ColorRole: RoleStyle]

    /// The style of `role` (the terminal's defaults when the theme does not name it).
    public func style(_ role: ColorRole) -> RoleStyle { styles[role] ?? RoleStyle() }

    /// Used when no theme file can be found: terminal colours, attributes only.
    public static let plain = Theme(name: "plain", styles: [
        .dim: RoleStyle(attributes: .dim), .cut: RoleStyle(attributes: .dim), .kept: RoleStyle(attributes: .bold),
        .status: RoleStyle(attributes: .reverse), .selection: RoleStyle(attributes: .reverse),
        .title: RoleStyle(attributes: .bold), .tokenB: RoleStyle(attributes: .reverse),
    ])

    public init(name: String, styles: [ColorRole: RoleStyle]) {
        self.name = name
        self.styles = styles
    }

    /// Parses a theme file. Every role must be given (so a theme cannot silently miss one);
    /// unknown roles and keys are errors naming them.
    public init(parsing text: String, path: String) throws(ThemeError) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw .syntax(path: path, line: error.source.begin.line, message: error.description)
        } catch { throw .syntax(path: path, line: 0, message: "\(error)") }
        guard let roles = table["roles"]?.table else { throw .bad(path: path, key: "roles", reason: "missing [roles] table") }
        name = table["name"]?.string ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var styles: [ColorRole: RoleStyle] = [:]
        for key in roles.keys {
            guard let role = ColorRole(rawValue: key) else {
                throw .bad(path: path, key: "roles.\(key)", reason: "is not a role (roles: \(ColorRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let entry = roles[key]?.table else { throw .bad(path: path, key: "roles.\(key)", reason: "must be an inline table { fg = …, bg = … }") }
            var style = RoleStyle()
            for field in entry.keys {
                let value = entry[field]!
                let keyPath = "roles.\(key).\(field)"
                switch field {
                case "fg", "bg":
                    guard let color = ThemeColor(value) else { throw .bad(path: path, key: keyPath, reason: "must be 0–255 or a colour name (\(ThemeColor.basicNames.joined(separator: ", ")), default)") }
                    if field == "fg" {
                        let fg8 = style.foreground.index8
                        style.foreground = color
                        if entry["fg8"] != nil { style.foreground.index8 = fg8 }
                    } else {
                        let bg8 = style.background.index8
                        style.background = color
                        if entry["bg8"] != nil { style.background.index8 = bg8 }
                    }
                case "fg8", "bg8":
                    guard let color = ThemeColor(value), color.index256 < 8 else {
                        throw .bad(path: path, key: keyPath, reason: "must be a basic colour name (\(ThemeColor.basicNames.joined(separator: ", ")), default)")
                    }
                    if field == "fg8" { style.foreground.index8 = color.index8 } else { style.background.index8 = color.index8 }
                case "bold", "dim", "reverse", "underline":
                    guard let on = value.bool else { throw .bad(path: path, key: keyPath, reason: "must be true or false") }
                    let attribute: CellAttributes = switch field {
                    case "bold": .bold
                    case "dim": .dim
                    case "reverse": .reverse
                    default: .underline
                    }
                    if on { style.attributes.insert(attribute) }
                default:
                    throw .bad(path: path, key: keyPath, reason: "is not a style key (fg, bg, fg8, bg8, bold, dim, reverse, underline)")
                }
            }
            styles[role] = style
        }
        if let missing = ColorRole.allCases.first(where: { styles[$0] == nil }) {
            throw .bad(path: path, key: "roles.\(missing.rawValue)", reason: "is missing")
        }
        self.styles = styles
    }
}

/// Why a theme could not be loaded; one line.
public enum ThemeError: Error, CustomStringConvertible, Equatable {
    case notFound(name: String, builtIn: [String], searched: [String])
    case syntax(path: String, line: Int, message: String)
    case bad(path: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let name, let builtIn, let searched):
            "no theme '\(name)' (built in: \(builtIn.joined(separator: ", ")); no \(name).toml in "
                + "\(searched.isEmpty ? "a themes/ folder" : searched.joined(separator: ", ")))"
        case .syntax(let path, let line, let message): "\(path):\(line): \(message)"
        case .bad(let path, let key, let reason): "\(path): \(key) \(reason)"
        }
    }
}
