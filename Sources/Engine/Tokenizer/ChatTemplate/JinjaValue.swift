import Foundation

/// A value inside the template interpreter, with Python/Jinja semantics for truth, printing and
/// comparison.
public indirect enum JinjaValue: Sendable, Equatable {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JinjaValue])
    case dict(JinjaDict)
    case namespace(JinjaNamespace)
    case macro(name: String)
    case builtin(name: String)

    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .dict(let d): !d.isEmpty
        case .namespace, .macro, .builtin: true
        }
    }

    /// Python's `str()`, as `{{ }}` prints.
    public var printed: String {
        switch self {
        case .undefined: ""
        case .string(let s): s
        default: repr
        }
    }

    /// Python's `repr()`, used inside lists and dicts.
    public var repr: String {
        switch self {
        case .undefined: ""
        case .none: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e16 ? String(format: "%.1f", d) : String(d)
        case .string(let s): "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'").replacingOccurrences(of: "\n", with: "\\n") + "'"
        case .array(let a): "[" + a.map(\.repr).joined(separator: ", ") + "]"
        case .dict(let d): "{" + d.entries.map { "'\($0.key)': \($0.value.repr)" }.joined(separator: ", ") + "}"
        case .namespace: "<Namespace>"
        case .macro(let n): "<Macro '\(n)'>"
        case .builtin(let n): "<function \(n)>"
        }
    }

    /// JSON text as Hugging Face's `tojson` filter writes it (json.dumps, ensure_ascii=False).
    public func json(indent: Int?, level: Int = 0) -> String {
        func pad(_ l: Int) -> String { indent.map { "\n" + String(repeating: " ", count: $0 * l) } ?? "" }
        switch self {
        case .undefined, .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return repr
        case .string(let s): return JinjaValue.jsonString(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            let sep = indent == nil ? ", " : ","
            return "[" + a.map { pad(level + 1) + $0.json(indent: indent, level: level + 1) }.joined(separator: sep) + pad(level) + "]"
        case .dict(let d):
            if d.isEmpty { return "{}" }
            let sep = indent == nil ? ", " : ","
            return "{" + d.entries.map { pad(level + 1) + JinjaValue.jsonString($0.key) + ": " + $0.value.json(indent: indent, level: level + 1) }.joined(separator: sep) + pad(level) + "}"
        case .namespace, .macro, .builtin: return "null"
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    var typeName: String {
        switch self {
        case .undefined: "undefined"
        case .none: "none"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "float"
        case .string: "string"
        case .array: "list"
        case .dict: "dict"
        case .namespace: "namespace"
        case .macro: "macro"
        case .builtin: "function"
        }
    }

    /// Builds a value from JSON-like Swift values (String, Int, Double, Bool, arrays, dictionaries).
    public init(_ any: Any?) {
        switch any {
        case nil: self = .none
        case let s as String: self = .string(s)
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let a as [Any]: self = .array(a.map { JinjaValue($0) })
        case let d as [String: Any]: self = .dict(JinjaDict(d.keys.sorted().map { ($0, JinjaValue(d[$0])) }))
        default: self = .none
        }
    }
}

/// An insertion-ordered string-keyed dictionary (Python dicts keep order; templates rely on it).
public struct JinjaDict: Sendable, Equatable {
    public private(set) var entries: [(key: String, value: JinjaValue)] = []

    public init(_ entries: [(String, JinjaValue)] = []) {
        for (k, v) in entries { self[k] = v }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public subscript(key: String) -> JinjaValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public static func == (a: JinjaDict, b: JinjaDict) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// `namespace()`: the one mutable object templates have, shared by reference.
public final class JinjaNamespace: @unchecked Sendable, Equatable {
    var attributes = JinjaDict()
    public static func == (a: JinjaNamespace, b: JinjaNamespace) -> Bool { a === b }
}
