import Corpus
import Engine
import Foundation
import TOMLKit

/// `tunebench.toml` ⇄ `WorkspaceSettings`. Reading checks every known key's type and range and
/// throws one `WorkspaceError.badValue` naming the first bad key; unknown keys and sections are
/// kept verbatim (so a newer TuneBench's settings survive a save) and reported as warnings.
public struct WorkspaceTOML: Sendable {
    public var settings: WorkspaceSettings
    /// Unknown entries as TOML text: keys of a known section under its name, top-level keys
    /// under "", whole unknown sections and sub-tables under their dotted name.
    public var unknown: [(section: String, text: String)] = []
    /// One line per unknown key or section.
    public var warnings: [String] = []

    public init(settings: WorkspaceSettings) { self.settings = settings }

    /// The sections in file order; a key outside them is unknown.
    static let sections = ["pdf", "dataset", "model", "lora", "training", "chat", "ui"]

    /// Parses TOML `text`; `path` is used in messages.
    public init(parsing text: String, path: String) throws(WorkspaceError) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw .syntax(path: path, line: error.source.begin.line, column: error.source.begin.column,
                          message: error.description)
        } catch {
            throw .syntax(path: path, line: 0, column: 0, message: "\(error)")
        }
        var settings = WorkspaceSettings()
        var unknown: [(section: String, text: String)] = []
        var warnings: [String] = []
        func collect(_ r: inout SectionReader) {
            for key in r.table.keys where !r.used.contains(key) {
                unknownEntry(section: r.section, key: key, value: r.table[key]!)
            }
        }
        func unknownEntry(section: String, key: String?, value: TOMLValueConvertible) {
            if let key, value.table == nil {
                // A plain key of a known section, written back inside it.
                unknown.append((section, TOMLTable([key: value]).convert().trimmingCharacters(in: .newlines)))
                warnings.append("\(path): unknown key \(section).\(key) (kept)")
            } else if let key {
                // A sub-table of a known section: written back as [section.key] at the end.
                let text = TOMLTable([section: TOMLTable([key: value])]).convert().trimmingCharacters(in: .newlines)
                unknown.append(("\(section).\(key)", text))
                warnings.append("\(path): unknown section \(section).\(key) (kept)")
            } else if value.table != nil {
                unknown.append((section, TOMLTable([section: value]).convert().trimmingCharacters(in: .newlines)))
                warnings.append("\(path): unknown section [\(section)] (kept)")
            } else {
                // A top-level key: it must stay above the first section.
                unknown.append(("", TOMLTable([section: value]).convert().trimmingCharacters(in: .newlines)))
                warnings.append("\(path): unknown key \(section) (kept)")
            }
        }
        for key in table.keys where !Self.sections.contains(key) {
            unknownEntry(section: key, key: nil, value: table[key]!)
        }
        func section(_ name: String) throws(WorkspaceError) -> SectionReader? {
            guard let value = table[name] else { return nil }
            guard let sub = value.table else {
                throw .badValue(path: path, key: name, reason: "must be a [\(name)] table")
            }
            return SectionReader(path: path, table: sub, section: name)
        }
        if var r = try section("pdf") {
            settings.pdf.path = try r.string("path").flatMap { $0.isEmpty ? nil : $0 }
            if let numbers = try r.numbers("crop", count: 4) {
                guard numbers[0] < numbers[2], numbers[1] < numbers[3] else {
                    throw r.bad("crop", "must be [x0, top, x1, bottom] with x0 < x1 and top < bottom")
                }
                settings.pdf.crop = CropBox(x0: numbers[0], top: numbers[1], x1: numbers[2], bottom: numbers[3])
            }
            if let pages = try r.numbers("body_pages", count: 2) {
                guard pages.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }), pages[0] <= pages[1] else {
                    throw r.bad("body_pages", "must be [first, last] page numbers from 1 with first ≤ last")
                }
                settings.pdf.bodyPages = Int(pages[0])...Int(pages[1])
            }
            settings.pdf.output = try r.string("output") ?? settings.pdf.output
            if let name = try r.string("footnotes") {
                guard let policy = FootnotePolicy(rawValue: name) else {
                    throw r.bad("footnotes", "must be one of \(FootnotePolicy.allCases.map(\.rawValue).joined(separator: ", ")), not '\(name)'")
                }
                settings.pdf.footnotes = policy
            }
            collect(&r)
        }
        // The sections the forms edit, through the one schema; each is checked as a whole after its keys.
        for name in ["dataset", "model", "lora", "training", "chat"] {
            guard var r = try section(name) else { continue }
            if name == "model" {
                settings.model.path = try r.string("path").flatMap { $0.isEmpty ? nil : $0 }
            }
            var present: [Setting] = []
            for setting in WorkspaceSettings.schema where setting.section == name {
                guard let value = try r.value(setting) else { continue }
                do { try setting.put(&settings, value) } catch { throw r.bad(setting.key, error.description) }
                present.append(setting)
            }
            do { try settings.validate(section: name) } catch {
                // Name the key whose value, put back to its default, makes the section usable.
                let defaults = WorkspaceSettings()
                let culprit = present.first { setting in
                    var fixed = settings
                    try? setting.put(&fixed, setting.value(in: defaults))
                    return (try? fixed.validate(section: name)) != nil
                }
                throw .badValue(path: path, key: culprit?.dottedKey ?? "[\(name)]", reason: "is refused: \(error.description)")
            }
            collect(&r)
        }
        if var r = try section("ui") {
            settings.ui.theme = try r.string("theme") ?? settings.ui.theme
            collect(&r)
        }
        self.settings = settings
        self.unknown = unknown
        self.warnings = warnings
    }

    /// The file's text: known sections in a fixed order with every key written (so a user sees all
    /// choices), then the kept unknown entries.
    public var text: String {
        let s = settings
        var out = "# TuneBench workspace: every choice made in the workbench. Paths are relative to this folder.\n"
        for entry in unknown where entry.section.isEmpty { out += entry.text + "\n" }
        func section(_ name: String, _ lines: [String]) {
            out += "\n[\(name)]\n"
            for line in lines { out += line + "\n" }
            for entry in unknown where entry.section == name { out += entry.text + "\n" }
        }
        section("pdf", [
            "path = \(quote(s.pdf.path ?? ""))",
            s.pdf.crop.map { "crop = [\(shortest($0.x0)), \(shortest($0.top)), \(shortest($0.x1)), \(shortest($0.bottom))]  # points: x0, top, x1, bottom" }
                ?? "# crop = [x0, top, x1, bottom]  # points from the top-left corner; unset keeps whole pages",
            s.pdf.bodyPages.map { "body_pages = [\($0.lowerBound), \($0.upperBound)]" } ?? "# body_pages = [first, last]",
            "output = \(quote(s.pdf.output))",
            "footnotes = \(quote(s.pdf.footnotes.rawValue))  # drop, keep or end-of-record",
        ])
        func schemaLines(_ name: String) -> [String] {
            WorkspaceSettings.schema.filter { $0.section == name }.map { setting in
                "\(setting.key) = \(literal(setting.value(in: s)))" + (setting.note.map { "  # \($0)" } ?? "")
            }
        }
        section("dataset", schemaLines("dataset"))
        section("model", ["path = \(quote(s.model.path ?? ""))  # empty: the default model (\(ModelCache.defaultModelFile))"])
        section("lora", schemaLines("lora"))
        section("training", schemaLines("training"))
        section("chat", schemaLines("chat"))
        section("ui", ["theme = \(quote(s.ui.theme))"])
        for entry in unknown where !entry.section.isEmpty && !Self.sections.contains(entry.section) { out += "\n" + entry.text + "\n" }
        return out
    }
}

/// A value as TOML writes it; floats with their shortest round-trip digits.
func literal(_ value: SettingValue) -> String {
    switch value {
    case .integer(let i): "\(i)"
    case .real(let d): shortest(d)
    case .single(let f): shortest(f)
    case .flag(let b): "\(b)"
    case .text(let t): quote(t)
    case .list(let items): "[" + items.map(quote).joined(separator: ", ") + "]"
    }
}

/// A TOML basic string.
func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\u%04X", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}

/// Typed access to one section's keys; remembers which were read so the rest count as unknown.
struct SectionReader {
    let path: String
    let table: TOMLTable
    let section: String
    var used: Set<String> = []

    init(path: String, table: TOMLTable, section: String) {
        self.path = path
        self.table = table
        self.section = section
    }

    func bad(_ key: String, _ reason: String) -> WorkspaceError {
        .badValue(path: path, key: "\(section).\(key)", reason: reason)
    }

    private mutating func value(_ key: String) -> TOMLValueConvertible? {
        used.insert(key)
        return table[key]
    }

    /// The value of a schema setting, typed by its kind; nil when the key is absent.
    mutating func value(_ setting: Setting) throws(WorkspaceError) -> SettingValue? {
        switch setting.kind {
        case .integer: return try int(setting.key, in: Int.min...Int.max).map { .integer($0) }
        case .real: return try double(setting.key).map { .real($0) }
        case .single:
            guard let d = try double(setting.key) else { return nil }
            // Read from the text's digits as a Float, not rounded through a Double.
            return .single(Float(shortest(d)) ?? Float(d))
        case .flag: return try bool(setting.key).map { .flag($0) }
        case .text, .choice: return try string(setting.key).map { .text($0) }
        case .list: return try strings(setting.key).map { .list($0) }
        }
    }

    mutating func string(_ key: String) throws(WorkspaceError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw bad(key, "must be a string in quotes") }
        return s
    }

    mutating func bool(_ key: String) throws(WorkspaceError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else { throw bad(key, "must be true or false") }
        return b
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws(WorkspaceError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.int else { throw bad(key, "must be a whole number") }
        guard range.contains(i) else {
            throw bad(key, range.upperBound == Int.max ? "must be \(range.lowerBound) or more, not \(i)"
                      : "must be between \(range.lowerBound) and \(range.upperBound), not \(i)")
        }
        return i
    }

    mutating func seed(_ key: String) throws(WorkspaceError) -> UInt64? {
        try int(key, in: 0...Int.max).map { UInt64($0) }
    }

    mutating func double(_ key: String) throws(WorkspaceError) -> Double? {
        guard let v = value(key) else { return nil }
        if let d = v.double, d.isFinite { return d }
        if let i = v.int { return Double(i) }
        throw bad(key, "must be a number")
    }

    mutating func numbers(_ key: String, count: Int) throws(WorkspaceError) -> [Double]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array, array.count == count else { throw bad(key, "must be a list of \(count) numbers") }
        var out: [Double] = []
        for element in array {
            if let d = element.double, d.isFinite { out.append(d) } else if let i = element.int { out.append(Double(i)) } else {
                throw bad(key, "must be a list of \(count) numbers")
            }
        }
        return out
    }

    mutating func strings(_ key: String) throws(WorkspaceError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array else { throw bad(key, "must be a list of strings") }
        var out: [String] = []
        for element in array {
            guard let s = element.string else { throw bad(key, "must be a list of strings") }
            out.append(s)
        }
        return out
    }
}
