import Corpus
import Engine
import Foundation

/// A setting's value as `tunebench.toml` and the workbench's forms hold it.
public enum SettingValue: Equatable, Sendable {
    case integer(Int)
    case real(Double)
    /// A `Float` setting, kept as a Float so that it is written with its own shortest digits
    /// (`0.05`, not the `0.05000000074505806` of its Double widening).
    case single(Float)
    case flag(Bool)
    case text(String)
    case list([String])
}

/// What a setting holds, which decides how a form parses typed text and how TOML writes it.
public enum SettingKind: Equatable, Sendable {
    case integer, real, single, flag, text
    /// A comma-separated list in a form, a TOML array of strings in the file.
    case list
    /// One of fixed strings; forms cycle through them.
    case choice([String])
}

/// One setting of `tunebench.toml`: its section and key, its label in the workbench's forms, and
/// how it is read from and written into `WorkspaceSettings`. The file's reader and writer and the
/// forms all go through `WorkspaceSettings.schema`, so they cannot disagree about a key, a range or
/// a default.
public struct Setting: Sendable {
    public let section: String
    public let key: String
    /// The form's label.
    public let label: String
    /// The form's group heading (LoRA, optimizer, …).
    public let group: String
    public let kind: SettingKind
    /// Written after the value as a `# comment`.
    public let note: String?
    let get: @Sendable (WorkspaceSettings) -> SettingValue
    /// Sets the value; throws a reason when it is of the right type but cannot be used here.
    let put: @Sendable (inout WorkspaceSettings, SettingValue) throws(SettingError) -> Void

    init(_ section: String, _ key: String, _ label: String, group: String = "", _ kind: SettingKind, note: String? = nil,
         get: @escaping @Sendable (WorkspaceSettings) -> SettingValue,
         set: @escaping @Sendable (inout WorkspaceSettings, SettingValue) throws(SettingError) -> Void)
    {
        self.section = section
        self.key = key
        self.label = label
        self.group = group
        self.kind = kind
        self.note = note
        self.get = get
        self.put = set
    }

    /// `section.key`, as messages name it.
    public var dottedKey: String { "\(section).\(key)" }

    public func value(in settings: WorkspaceSettings) -> SettingValue { get(settings) }

    /// The value as a form shows it and `parse` reads it back.
    public func text(in settings: WorkspaceSettings) -> String { Self.text(of: get(settings)) }

    static func text(of value: SettingValue) -> String {
        switch value {
        case .integer(let i): "\(i)"
        case .real(let d): shortest(d)
        case .single(let f): shortest(f)
        case .flag(let b): b ? "on" : "off"
        case .text(let s): s
        case .list(let items): items.joined(separator: ",")
        }
    }

    /// Reads typed text as this setting's kind; throws what a user should type instead.
    public func parse(_ text: String) throws(SettingError) -> SettingValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .integer:
            guard let i = Int(t) else { throw .invalid("enter a whole number") }
            return .integer(i)
        case .real:
            guard let d = Double(t), d.isFinite else { throw .invalid("enter a number, e.g. 0.05 or 2e-4") }
            return .real(d)
        case .single:
            guard let f = Float(t), f.isFinite else { throw .invalid("enter a number, e.g. 0.05 or 2e-4") }
            return .single(f)
        case .flag:
            switch t.lowercased() {
            case "on", "true", "yes", "1": return .flag(true)
            case "off", "false", "no", "0": return .flag(false)
            default: throw .invalid("enter on or off")
            }
        case .text: return .text(text)
        case .list: return .list(t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        case .choice(let choices):
            guard choices.contains(t) else { throw .invalid("choose one of \(choices.joined(separator: ", "))") }
            return .text(t)
        }
    }

    /// Sets `value` on a copy of `settings`, checks the whole section it belongs to, and returns
    /// the copy: a value is taken only when the settings stay usable.
    public func applying(_ value: SettingValue, to settings: WorkspaceSettings) throws(SettingError) -> WorkspaceSettings {
        var copy = settings
        try put(&copy, value)
        try copy.validate(section: section)
        return copy
    }

    /// `applying(parse(text))`.
    public func applying(text: String, to settings: WorkspaceSettings) throws(SettingError) -> WorkspaceSettings {
        try applying(try parse(text), to: settings)
    }
}

/// Why a setting's value was refused: one line a user can act on.
public enum SettingError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let m): m }
    }
}

/// The shortest decimal text that reads back as the same value, always with a point or exponent
/// (so TOML keeps it a float): 0.05, 2.0e-4 → "0.0002", 16 → "16.0".
func shortest(_ value: Double) -> String {
    let text = "\(value)"
    return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
}

func shortest(_ value: Float) -> String {
    let text = "\(value)"
    return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
}
