import Foundation

/// The filters (`x | name(args)`) and tests (`x is name`) chat templates use, following jinja2's
/// built-ins, with `tojson` as Hugging Face defines it (json.dumps, ensure_ascii=False).
extension JinjaInterpreter {
    private func kwarg(_ kwargs: [(String, Value)], _ name: String) -> Value? {
        kwargs.first { $0.0 == name }?.1
    }

    private func argument(_ args: [Value], _ kwargs: [(String, Value)], _ index: Int, _ name: String) -> Value? {
        index < args.count ? args[index] : kwarg(kwargs, name)
    }

    func applyFilter(_ name: String, _ value: Value, _ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        // Filters that accept undefined input.
        switch name {
        case "default", "d":
            let fallback = argument(args, kwargs, 0, "default_value") ?? .string("")
            let boolean = argument(args, kwargs, 1, "boolean")?.isTruthy ?? false
            if value.isUndefined || (boolean && !value.isTruthy) { return fallback }
            return value
        case "length", "count":
            switch value {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .list(let l), .tuple(let l): return .int(l.count)
            case .dict(let d): return .int(d.count)
            case .undefined: return .int(0)
            default: throw InterpreterFailure.message("object of type '\(value.typeName)' has no len()")
            }
        case "string":
            let s = PythonFormat.str(value)
            return .string(s)
        case "list":
            return .list(try iterate(value))
        default:
            break
        }
        if case .undefined(let message) = value { throw InterpreterFailure.message(message) }
        switch name {
        case "trim", "strip":
            guard case .string(let s) = value else { return .string(Self.strip(PythonFormat.str(value), chars: nil, leading: true, trailing: true)) }
            var chars: String? = nil
            if case .string(let c)? = argument(args, kwargs, 0, "chars") { chars = c }
            return .string(Self.strip(s, chars: chars, leading: true, trailing: true))
        case "upper": return .string(PythonFormat.str(value).uppercased())
        case "lower": return .string(PythonFormat.str(value).lowercased())
        case "title":
            let text = PythonFormat.str(value)
            try chargeWork(Self.workSize(.string(text)))
            return .string(Self.jinjaTitle(text))
        case "capitalize": return .string(Self.capitalize(PythonFormat.str(value)))
        case "safe": return value
        case "escape", "e", "forceescape":
            var out = ""
            for c in PythonFormat.str(value).unicodeScalars {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&#34;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(c)
                }
            }
            return .string(out)
        case "replace":
            guard args.count >= 2, case .string(let old) = args[0], case .string(let new) = args[1] else {
                throw InterpreterFailure.message("replace filter needs two strings")
            }
            let count = args.count > 2 ? (Self.intValue(args[2]) ?? -1) : (kwarg(kwargs, "count").flatMap(Self.intValue) ?? -1)
            return .string(try replace(PythonFormat.str(value), old, new, count: count))
        case "first":
            return try iterate(value).first ?? .undefined("first of an empty sequence")
        case "last":
            return try iterate(value).last ?? .undefined("last of an empty sequence")
        case "join":
            var items = try iterate(value)
            if case .string(let attribute)? = kwarg(kwargs, "attribute") {
                items = try items.map { try self.attribute(of: $0, attribute) }
            }
            var separator = ""
            if case .string(let s)? = argument(args, kwargs, 0, "d") { separator = s }
            return .string(try join(items, separator: separator))
        case "reverse":
            if case .string(let s) = value { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .list(try iterate(value).reversed())
        case "sort":
            let n = Self.workSize(value)
            try chargeWork(n * max(1, Int.bitWidth - n.leadingZeroBitCount))  // n log n comparisons
            let reverse = argument(args, kwargs, 0, "reverse")?.isTruthy ?? false
            let caseSensitive = argument(args, kwargs, 1, "case_sensitive")?.isTruthy ?? false
            let attributeName: String? = { if case .string(let a)? = argument(args, kwargs, 2, "attribute") { return a } else { return nil } }()
            let keyed = try iterate(value).map { item -> (Value, Value) in
                var key = item
                if let attributeName { key = try self.attribute(of: item, attributeName) }
                if !caseSensitive, case .string(let s) = key { key = .string(s.lowercased()) }
                return (key, item)
            }
            var failure: InterpreterFailure? = nil
            // Stable sort, as Python's sorted().
            let sorted = keyed.enumerated().sorted { l, r in
                guard let o = Self.order(l.element.0, r.element.0) else {
                    failure = .message("'<' not supported between instances of '\(l.element.0.typeName)' and '\(r.element.0.typeName)'")
                    return false
                }
                if o == 0 { return l.offset < r.offset }
                return reverse ? o > 0 : o < 0
            }
            if let failure { throw failure }
            return .list(sorted.map { $0.element.1 })
        case "unique":
            var seen: [Value] = []
            for item in try iterate(value) {
                try chargeWork(seen.count + 1)
                if !seen.contains(where: { Self.equal(Self.foldCase($0), Self.foldCase(item)) }) { seen.append(item) }
            }
            return .list(seen)
        case "items":
            guard case .dict(let d) = value else { throw InterpreterFailure.message("items filter needs a mapping") }
            return .list(d.pairs.map { .tuple([.string($0.0), $0.1]) })
        case "dictsort":
            guard case .dict(let d) = value else { throw InterpreterFailure.message("dictsort filter needs a mapping") }
            return .list(d.pairs.sorted { $0.0.lowercased() < $1.0.lowercased() }.map { .tuple([.string($0.0), $0.1]) })
        case "int":
            let fallback = argument(args, kwargs, 0, "default") ?? .int(0)
            switch value {
            case .int: return value
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d): return d.isFinite && abs(d) < 9e18 ? .int(Int(d)) : fallback
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
                if let i = Int(t) { return .int(i) }
                if let d = Double(t), d.isFinite, abs(d) < 9e18 { return .int(Int(d)) }
                return fallback
            default: return fallback
            }
        case "float":
            let fallback = argument(args, kwargs, 0, "default") ?? .double(0)
            switch value {
            case .int(let i): return .double(Double(i))
            case .bool(let b): return .double(b ? 1 : 0)
            case .double: return value
            case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)).map { .double($0) } ?? fallback
            default: return fallback
            }
        case "abs":
            switch value {
            case .int(let i): return .int(i == Int.min ? i : abs(i))
            case .double(let d): return .double(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw InterpreterFailure.message("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            let precision = argument(args, kwargs, 0, "precision").flatMap(Self.intValue) ?? 0
            var method = "common"
            if case .string(let m)? = argument(args, kwargs, 1, "method") { method = m }
            guard let x: Double = { switch value { case .int(let i): return Double(i); case .double(let d): return d; default: return nil } }() else {
                throw InterpreterFailure.message("round filter needs a number")
            }
            let scale = pow(10.0, Double(precision))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .double((x * scale).rounded(rule) / scale)
        case "sum":
            var total: Value = .int(0)
            for item in try iterate(value) { total = try binary("+", total, item) }
            return total
        case "min", "max":
            let items = try iterate(value)
            try chargeWork(items.count)
            guard var best = items.first else { return .undefined("\(name) of an empty sequence") }
            for item in items.dropFirst() {
                guard let o = Self.order(Self.foldCase(item), Self.foldCase(best)) else {
                    throw InterpreterFailure.message("cannot compare \(item.typeName) and \(best.typeName)")
                }
                if (name == "min" && o < 0) || (name == "max" && o > 0) { best = item }
            }
            return best
        case "tojson":
            var indent: String? = nil
            switch argument(args, kwargs, 0, "indent") {
            case .int(let n)?:
                try chargeString(max(0, n))  // the indent is built before the output is measured
                indent = String(repeating: " ", count: max(0, n))
            case .string(let s)?: indent = s
            default: break
            }
            let sortKeys = kwarg(kwargs, "sort_keys")?.isTruthy ?? false
            var itemSeparator: String? = nil
            var keySeparator = ": "
            if let seps = kwarg(kwargs, "separators")?.sequenceItems, seps.count == 2,
                case .string(let i) = seps[0], case .string(let k) = seps[1]
            {
                itemSeparator = i
                keySeparator = k
            }
            let text = try PythonFormat.json(value, indent: indent, sortKeys: sortKeys, itemSeparator: itemSeparator, keySeparator: keySeparator)
            try chargeString(text.utf8.count)
            return .string(text)
        case "selectattr", "rejectattr", "select", "reject":
            let keep = name == "selectattr" || name == "select"
            let byAttribute = name.hasSuffix("attr")
            var rest = args
            var attributeName = ""
            if byAttribute {
                guard case .string(let a)? = rest.first else { throw InterpreterFailure.message("\(name) needs an attribute name") }
                attributeName = a
                rest.removeFirst()
            }
            var testName: String? = nil
            if case .string(let t)? = rest.first {
                testName = t
                rest.removeFirst()
            }
            var result: [Value] = []
            for item in try iterate(value) {
                let subject = byAttribute ? try itemOrAttribute(item, attributeName) : item
                let passed = try testName.map { try applyTest($0, subject, rest) } ?? subject.isTruthy
                if passed == keep { result.append(item) }
            }
            return .list(result)
        case "map":
            let items = try iterate(value)
            if case .string(let attributeName)? = kwarg(kwargs, "attribute") {
                let fallback = kwarg(kwargs, "default")
                return .list(try items.map { item in
                    let v = try itemOrAttribute(item, attributeName)
                    if v.isUndefined, let fallback { return fallback }
                    return v
                })
            }
            guard case .string(let filterName)? = args.first else { throw InterpreterFailure.message("map needs a filter name or attribute=") }
            let rest = Array(args.dropFirst())
            return .list(try items.map { try applyFilter(filterName, $0, rest, kwargs) })
        case "indent":
            let width: String
            switch argument(args, kwargs, 0, "width") {
            case .int(let n)?:
                try chargeString(max(0, n))  // the indent is built before the output is measured
                width = String(repeating: " ", count: max(0, n))
            case .string(let s)?: width = s
            default: width = "    "
            }
            let first = argument(args, kwargs, 1, "first")?.isTruthy ?? false
            let blank = argument(args, kwargs, 2, "blank")?.isTruthy ?? false
            let lines = PythonFormat.str(value).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // What the indents add, checked before they are built.
            let (added, tooMany) = width.utf8.count.multipliedReportingOverflow(by: lines.count)
            try chargeString(tooMany ? Int.max : added)
            var out: [String] = []
            for (i, line) in lines.enumerated() {
                if (i == 0 && !first) || (!blank && line.allSatisfy(\.isWhitespace)) { out.append(line) } else { out.append(width + line) }
            }
            let text = out.joined(separator: "\n")
            try chargeString(text.utf8.count)
            return .string(text)
        case "wordcount":
            return .int(try Self.split(PythonFormat.str(value), separator: nil, maxSplit: -1).count)
        default:
            throw InterpreterFailure.message("unknown filter '\(name)'")
        }
    }

    /// Dotted attribute paths as jinja2's attribute filters accept them ("a.b"); item lookup first.
    private func itemOrAttribute(_ item: Value, _ path: String) throws -> Value {
        var v = item
        for part in path.split(separator: ".") {
            if v.isUndefined { return v }
            if let i = Int(part) { v = try self.item(of: v, .int(i)) } else { v = try self.item(of: v, .string(String(part))) }
        }
        return v
    }

    private static func foldCase(_ v: Value) -> Value {
        if case .string(let s) = v { return .string(s.lowercased()) }
        return v
    }

    func applyTest(_ name: String, _ value: Value, _ args: [Value]) throws -> Bool {
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "number": switch value { case .int, .double, .bool: return true; default: return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "mapping": switch value { case .dict: return true; default: return false }
        case "iterable": switch value { case .list, .tuple, .dict, .string: return true; default: return false }
        case "sequence": switch value { case .list, .tuple, .dict, .string: return true; default: return false }
        case "callable": if case .callable = value { return true } else { return false }
        case "odd", "even":
            guard let i = Self.intValue(value) else { throw InterpreterFailure.message("\(name) test needs an integer") }
            return (i % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard let i = Self.intValue(value), let d = args.first.flatMap(Self.intValue), d != 0 else {
                throw InterpreterFailure.message("divisibleby test needs integers")
            }
            return i % d == 0
        case "equalto", "eq", "==", "sameas":
            guard let other = args.first else { throw InterpreterFailure.message("\(name) test needs an argument") }
            return Self.equal(value, other)
        case "ne", "!=":
            guard let other = args.first else { throw InterpreterFailure.message("\(name) test needs an argument") }
            return !Self.equal(value, other)
        case "lt", "<", "gt", ">", "le", "<=", "ge", ">=":
            guard let other = args.first else { throw InterpreterFailure.message("\(name) test needs an argument") }
            let op = ["lt": "<", "gt": ">", "le": "<=", "ge": ">="][name] ?? name
            return try compare(op, value, other)
        case "in":
            guard let container = args.first else { throw InterpreterFailure.message("in test needs an argument") }
            return try contains(container, value)
        case "lower": if case .string(let s) = value { return s == s.lowercased() } else { return false }
        case "upper": if case .string(let s) = value { return s == s.uppercased() } else { return false }
        default:
            throw InterpreterFailure.message("unknown test '\(name)'")
        }
    }
}
