import Foundation

/// Filters, tests, operators and string methods of the Jinja subset.
enum JinjaBuiltins {
    static func fail(_ message: String, _ line: Int?) -> JinjaError { JinjaError(message: message, line: line) }

    static func binary(_ op: String, _ l: JinjaValue, _ r: JinjaValue, limit: Int, line: Int?) throws -> JinjaValue {
        switch op {
        case "==": return .bool(equal(l, r))
        case "!=": return .bool(!equal(l, r))
        case "<", ">", "<=", ">=":
            let c = try compare(l, r, line)
            return .bool(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0)
        case "in":
            switch r {
            case .string(let s): return .bool(s.contains(l.printed))
            case .array(let a): return .bool(a.contains { equal($0, l) })
            case .dict(let d): return .bool(d[l.printed] != nil)
            case .undefined, .none: return .bool(false)
            default: throw fail("'in' needs a string, list or dict on the right, not \(r.typeName)", line)
            }
        case "~":
            let s = l.printed + r.printed
            guard s.utf8.count <= limit else { throw fail("string larger than \(limit) bytes", line) }
            return .string(s)
        case "+":
            switch (l, r) {
            case (.string(let a), .string(let b)):
                guard a.utf8.count + b.utf8.count <= limit else { throw fail("string larger than \(limit) bytes", line) }
                return .string(a + b)
            case (.array(let a), .array(let b)):
                guard a.count + b.count <= limit else { throw fail("list too long", line) }
                return .array(a + b)
            default: return try arithmetic(op, l, r, line)
            }
        case "*":
            switch (l, r) {
            case (.string(let s), .int(let n)), (.int(let n), .string(let s)):
                guard n <= 0 || s.utf8.count <= limit / max(n, 1) else { throw fail("string larger than \(limit) bytes", line) }
                return .string(n > 0 ? String(repeating: s, count: n) : "")
            case (.array(let a), .int(let n)):
                guard n <= 0 || a.count <= limit / max(n, 1) else { throw fail("list too long", line) }
                return .array(n > 0 ? Array([[JinjaValue]](repeating: a, count: n).joined()) : [])
            default: return try arithmetic(op, l, r, line)
            }
        default: return try arithmetic(op, l, r, line)
        }
    }

    static func arithmetic(_ op: String, _ l: JinjaValue, _ r: JinjaValue, _ line: Int?) throws -> JinjaValue {
        func number(_ v: JinjaValue) -> Double? {
            switch v {
            case .int(let i): Double(i)
            case .double(let d): d
            case .bool(let b): b ? 1 : 0
            default: nil
            }
        }
        if case .int(let a) = l, case .int(let b) = r {
            switch op {
            case "+": let (v, o) = a.addingReportingOverflow(b); if !o { return .int(v) }
            case "-": let (v, o) = a.subtractingReportingOverflow(b); if !o { return .int(v) }
            case "*": let (v, o) = a.multipliedReportingOverflow(by: b); if !o { return .int(v) }
            case "//":
                guard b != 0 else { throw fail("division by zero", line) }
                return .int(Int((Double(a) / Double(b)).rounded(.down)))
            case "%":
                guard b != 0 else { throw fail("division by zero", line) }
                return .int(((a % b) + b) % b)
            case "**":
                guard b >= 0 else { break }
                guard b < 64 || abs(a) <= 1 else { throw fail("integer too large", line) }
                var v = 1
                for _ in 0..<b { let (p, o) = v.multipliedReportingOverflow(by: a); if o { throw fail("integer too large", line) }; v = p }
                return .int(v)
            default: break
            }
        }
        guard let a = number(l), let b = number(r) else { throw fail("cannot apply '\(op)' to \(l.typeName) and \(r.typeName)", line) }
        switch op {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/":
            guard b != 0 else { throw fail("division by zero", line) }
            return .double(a / b)
        case "//":
            guard b != 0 else { throw fail("division by zero", line) }
            return .double((a / b).rounded(.down))
        case "%":
            guard b != 0 else { throw fail("division by zero", line) }
            return .double(a - b * (a / b).rounded(.down))
        case "**": return .double(pow(a, b))
        default: throw fail("unknown operator '\(op)'", line)
        }
    }

    static func equal(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)): return Double(x) == y
        case (.double(let x), .int(let y)): return x == Double(y)
        case (.undefined, .none), (.none, .undefined): return false
        default: return a == b
        }
    }

    static func compare(_ a: JinjaValue, _ b: JinjaValue, _ line: Int?) throws -> Int {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x < y ? -1 : x == y ? 0 : 1
        default:
            func n(_ v: JinjaValue) -> Double? {
                switch v {
                case .int(let i): Double(i)
                case .double(let d): d
                case .bool(let b): b ? 1 : 0
                default: nil
                }
            }
            guard let x = n(a), let y = n(b) else { throw fail("cannot compare \(a.typeName) with \(b.typeName)", line) }
            return x < y ? -1 : x == y ? 0 : 1
        }
    }

    static func test(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], line: Int?) throws -> Bool {
        switch name {
        case "defined": if case .undefined = v { return false } else { return true }
        case "undefined": if case .undefined = v { return true } else { return false }
        case "none": if case .none = v { return true } else { return false }
        case "string": if case .string = v { return true } else { return false }
        case "number": switch v { case .int, .double: return true; default: return false }
        case "integer": if case .int = v { return true } else { return false }
        case "float": if case .double = v { return true } else { return false }
        case "boolean": if case .bool = v { return true } else { return false }
        case "true": return v == .bool(true)
        case "false": return v == .bool(false)
        case "mapping": switch v { case .dict, .namespace: return true; default: return false }
        case "sequence", "iterable": switch v { case .array, .string, .dict: return true; default: return false }
        case "callable": switch v { case .macro, .builtin: return true; default: return false }
        case "even", "odd":
            guard case .int(let i) = v else { throw fail("'\(name)' needs an integer", line) }
            return (i % 2 == 0) == (name == "even")
        case "eq", "equalto", "==": return equal(v, args.first ?? .undefined)
        case "ne", "!=": return !equal(v, args.first ?? .undefined)
        case "in": return try binary("in", v, args.first ?? .undefined, limit: .max, line: line).isTruthy
        default: throw fail("unknown test '\(name)'", line)
        }
    }

    static func filter(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], _ kwargs: [String: JinjaValue], line: Int?) throws -> JinjaValue {
        func arg(_ i: Int, _ key: String) -> JinjaValue? { kwargs[key] ?? (i < args.count ? args[i] : nil) }
        switch name {
        case "trim", "strip": return .string(v.printed.trimmingCharacters(in: .whitespacesAndNewlines))
        case "upper": return .string(v.printed.uppercased())
        case "lower": return .string(v.printed.lowercased())
        case "title": return .string(v.printed.capitalized)
        case "capitalize":
            let s = v.printed
            return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.count)
            case .array(let a): return .int(a.count)
            case .dict(let d): return .int(d.entries.count)
            case .undefined, .none: return .int(0)
            default: throw fail("\(v.typeName) has no length", line)
            }
        case "first", "last":
            switch v {
            case .array(let a): return (name == "first" ? a.first : a.last) ?? .undefined
            case .string(let s): return (name == "first" ? s.first : s.last).map { .string(String($0)) } ?? .undefined
            default: return .undefined
            }
        case "join":
            guard case .array(let a) = v else { return .string(v.printed) }
            let separator = arg(0, "d")?.printed ?? ""
            if let attribute = kwargs["attribute"]?.printed {
                return .string(a.map { item in if case .dict(let d) = item { d[attribute]?.printed ?? "" } else { "" } }.joined(separator: separator))
            }
            return .string(a.map(\.printed).joined(separator: separator))
        case "default", "d":
            let fallback = arg(0, "default_value") ?? .string("")
            let onFalse = arg(1, "boolean")?.isTruthy ?? false
            if case .undefined = v { return fallback }
            return onFalse && !v.isTruthy ? fallback : v
        case "replace":
            guard args.count >= 2 else { throw fail("replace needs two arguments", line) }
            return .string(v.printed.replacingOccurrences(of: args[0].printed, with: args[1].printed))
        case "string": return .string(v.printed)
        case "int":
            switch v {
            case .int: return v
            case .double(let d): return .int(Int(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: return .int(Int(v.printed.trimmingCharacters(in: .whitespaces)) ?? 0)
            }
        case "float":
            switch v {
            case .int(let i): return .double(Double(i))
            case .double: return v
            default: return .double(Double(v.printed.trimmingCharacters(in: .whitespaces)) ?? 0)
            }
        case "abs":
            if case .int(let i) = v { return .int(abs(i)) }
            if case .double(let d) = v { return .double(abs(d)) }
            throw fail("abs needs a number", line)
        case "round":
            let digits = { if case .int(let i)? = arg(0, "precision") { i } else { 0 } }()
            guard case .double(let d) = try filter("float", v, [], [:], line: line) else { return v }
            let scale = pow(10, Double(digits))
            return .double((d * scale).rounded(.toNearestOrEven) / scale)
        case "list":
            switch v {
            case .array: return v
            case .string(let s): return .array(s.map { .string(String($0)) })
            case .dict(let d): return .array(d.entries.map { .string($0.key) })
            default: return .array([])
            }
        case "items":
            guard case .dict(let d) = v else { return .array([]) }
            return .array(d.entries.map { .array([.string($0.key), $0.value]) })
        case "tojson":
            var indent: Int?
            if case .int(let i)? = arg(0, "indent") { indent = i }
            return .string(v.json(indent: indent))
        case "safe", "escape", "e", "forceescape": return name == "safe" ? v : .string(v.printed)
        case "reverse":
            switch v {
            case .array(let a): return .array(a.reversed())
            case .string(let s): return .string(String(s.reversed()))
            default: return v
            }
        case "sort":
            guard case .array(let a) = v else { return v }
            let reverse = arg(0, "reverse")?.isTruthy ?? false
            let attribute = kwargs["attribute"]?.printed
            func key(_ x: JinjaValue) -> JinjaValue { if let attribute, case .dict(let d) = x { d[attribute] ?? .undefined } else { x } }
            var failure: JinjaError?
            let sorted = a.sorted { x, y in
                do { return try compare(key(x), key(y), line) < 0 } catch { failure = error as? JinjaError; return false }
            }
            if let failure { throw failure }
            return .array(reverse ? sorted.reversed() : sorted)
        case "unique":
            guard case .array(let a) = v else { return v }
            var seen: [JinjaValue] = []
            for x in a where !seen.contains(where: { equal($0, x) }) { seen.append(x) }
            return .array(seen)
        case "selectattr", "rejectattr":
            guard case .array(let a) = v, let attribute = args.first?.printed else { return .array([]) }
            let select = name == "selectattr"
            return .array(try a.filter { item in
                let value: JinjaValue = { if case .dict(let d) = item { d[attribute] ?? .undefined } else { .undefined } }()
                let passes = args.count >= 2 ? try test(args[1].printed, value, Array(args.dropFirst(2)), line: line) : value.isTruthy
                return passes == select
            })
        case "map":
            guard case .array(let a) = v else { return .array([]) }
            if let attribute = kwargs["attribute"]?.printed {
                return .array(a.map { item in if case .dict(let d) = item { d[attribute] ?? kwargs["default"] ?? .undefined } else { .undefined } })
            }
            guard let filterName = args.first?.printed else { return v }
            return .array(try a.map { try filter(filterName, $0, Array(args.dropFirst()), [:], line: line) })
        case "indent":
            let width = { if case .int(let i)? = arg(0, "width") { i } else { 4 } }()
            let first = arg(1, "first")?.isTruthy ?? false
            let pad = String(repeating: " ", count: width)
            let lines = v.printed.components(separatedBy: "\n")
            return .string(lines.enumerated().map { i, l in (i == 0 && !first) || l.isEmpty ? l : pad + l }.joined(separator: "\n"))
        case "wordcount": return .int(v.printed.split(whereSeparator: \.isWhitespace).count)
        default: throw fail("unknown filter '\(name)'", line)
        }
    }

    static func stringMethod(_ s: String, _ method: String, _ args: [JinjaValue], line: Int?) throws -> JinjaValue {
        func characters(_ i: Int) -> CharacterSet {
            i < args.count ? CharacterSet(charactersIn: args[i].printed) : .whitespacesAndNewlines
        }
        switch method {
        case "strip": return .string(s.trimmingCharacters(in: characters(0)))
        case "lstrip":
            let set = characters(0)
            return .string(String(s.unicodeScalars.drop { set.contains($0) }))
        case "rstrip":
            let set = characters(0)
            var scalars = s.unicodeScalars[...]
            while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
            return .string(String(scalars))
        case "upper": return .string(s.uppercased())
        case "lower": return .string(s.lowercased())
        case "title": return .string(s.capitalized)
        case "capitalize": return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "startswith": return .bool(s.hasPrefix(args.first?.printed ?? ""))
        case "endswith": return .bool(s.hasSuffix(args.first?.printed ?? ""))
        case "replace":
            guard args.count >= 2 else { throw fail("replace needs two arguments", line) }
            return .string(s.replacingOccurrences(of: args[0].printed, with: args[1].printed))
        case "split":
            if let separator = args.first, case .string(let sep) = separator, !sep.isEmpty {
                return .array(s.components(separatedBy: sep).map { .string($0) })
            }
            return .array(s.split(whereSeparator: \.isWhitespace).map { .string(String($0)) })
        case "find": return .int(s.range(of: args.first?.printed ?? "").map { s.distance(from: s.startIndex, to: $0.lowerBound) } ?? -1)
        case "count": return .int(s.components(separatedBy: args.first?.printed ?? "").count - 1)
        case "format": return .string(s)
        default: throw fail("string has no method '\(method)'", line)
        }
    }
}
