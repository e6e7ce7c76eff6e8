import Foundation

/// Calls: global functions (range, namespace, raise_exception, strftime_now, dict), macros, and
/// the str/dict methods templates use.
extension JinjaInterpreter {
    static let dictMethods: Set<String> = ["items", "keys", "values", "get"]
    static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "startswith", "endswith", "upper", "lower", "replace", "title",
        "capitalize", "find", "count", "join",
    ]

    func call(_ function: Value, _ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        guard case .callable(let callable) = function else {
            if case .undefined(let message) = function { throw InterpreterFailure.message(message) }
            throw InterpreterFailure.message("'\(function.typeName)' object is not callable")
        }
        switch callable {
        case .global(let name): return try callGlobal(name, args, kwargs)
        case .macro(let index): return try callMacro(index, args, kwargs)
        case .method(let receiver, let name): return try callMethod(receiver, name, args, kwargs)
        case .loopCycle(let index0):
            guard !args.isEmpty else { throw InterpreterFailure.message("loop.cycle needs at least one value") }
            return args[index0 % args.count]
        }
    }

    private func callGlobal(_ name: String, _ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        switch name {
        case "raise_exception":
            throw InterpreterFailure.raised(args.first.map(PythonFormat.str) ?? "")
        case "strftime_now":
            return .string(dateString)
        case "namespace", "dict":
            var d = ValueDict()
            if case .dict(let initial)? = args.first { d = initial }
            for (k, v) in kwargs { d[k] = v }
            if name == "dict" { return .dict(d) }
            namespaces.append(d)
            return .namespace(namespaces.count - 1)
        case "range":
            let ints = try args.map { v -> Int in
                guard let i = Self.intValue(v) else {
                    throw InterpreterFailure.message("range() arguments must be integers, not \(v.typeName)")
                }
                return i
            }
            let (start, stop, step): (Int, Int, Int)
            switch ints.count {
            case 1: (start, stop, step) = (0, ints[0], 1)
            case 2: (start, stop, step) = (ints[0], ints[1], 1)
            case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
            default: throw InterpreterFailure.message("range() takes 1 to 3 arguments")
            }
            guard step != 0 else { throw InterpreterFailure.message("range() step must not be zero") }
            // In Double, so that no bound (Int.min, Int.max) overflows before the limit is checked.
            let span = step > 0 ? Double(stop) - Double(start) : Double(start) - Double(stop)
            let items = span <= 0 ? 0 : (span / Double(step.magnitude)).rounded(.up)
            guard items <= Double(limits.maxRangeLength) else {
                throw InterpreterFailure.limit("range() of \(String(format: "%.0f", items)) items exceeds the \(limits.maxRangeLength)-item limit")
            }
            let length = Int(items)
            return .list((0..<length).map { .int(start + $0 * step) })
        default:
            throw InterpreterFailure.message("unknown function '\(name)'")
        }
    }

    private func stringArgument(_ args: [Value], _ i: Int, _ method: String) throws -> String? {
        guard i < args.count else { return nil }
        switch args[i] {
        case .string(let s): return s
        case .none: return nil
        default: throw InterpreterFailure.message("\(method)() argument must be str, not \(args[i].typeName)")
        }
    }

    private func callMethod(_ receiver: Value, _ name: String, _ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        switch receiver {
        case .dict(let d):
            switch name {
            case "items": return .list(d.pairs.map { .tuple([.string($0.0), $0.1]) })
            case "keys": return .list(d.keys.map { .string($0) })
            case "values": return .list(d.values)
            default:  // get
                guard case .string(let k)? = args.first else { return args.count > 1 ? args[1] : .none }
                return d[k] ?? (args.count > 1 ? args[1] : .none)
            }
        case .string(let s):
            // Every string method scans its string (and its arguments) at least once.
            try chargeWork(Self.workSize(.string(s)) + args.reduce(0) { $0 + Self.workSize($1) })
            switch name {
            case "strip": return .string(Self.strip(s, chars: try stringArgument(args, 0, name), leading: true, trailing: true))
            case "lstrip": return .string(Self.strip(s, chars: try stringArgument(args, 0, name), leading: true, trailing: false))
            case "rstrip": return .string(Self.strip(s, chars: try stringArgument(args, 0, name), leading: false, trailing: true))
            case "upper": return .string(s.uppercased())
            case "lower": return .string(s.lowercased())
            case "title": return .string(Self.pythonTitle(s))
            case "capitalize": return .string(Self.capitalize(s))
            case "split":
                let separator = try stringArgument(args, 0, name) ?? kwargs.first { $0.0 == "sep" }.flatMap { v -> String? in
                    if case .string(let x) = v.1 { return x }
                    return nil
                }
                let maxSplit = args.count > 1 ? (Self.intValue(args[1]) ?? -1) : (kwargs.first { $0.0 == "maxsplit" }.flatMap { Self.intValue($0.1) } ?? -1)
                return .list(try Self.split(s, separator: separator, maxSplit: maxSplit).map { .string($0) })
            case "startswith", "endswith":
                var candidates: [String] = []
                switch args.first {
                case .string(let p)?: candidates = [p]
                case .list(let items)?, .tuple(let items)?:
                    candidates = items.compactMap { if case .string(let p) = $0 { return p } else { return nil } }
                default: throw InterpreterFailure.message("\(name)() needs a string argument")
                }
                let scalars = Array(s.unicodeScalars)
                return .bool(candidates.contains { p in
                    let ps = Array(p.unicodeScalars)
                    return name == "startswith" ? scalars.starts(with: ps) : scalars.reversed().starts(with: ps.reversed())
                })
            case "replace":
                guard let old = try stringArgument(args, 0, name), let new = try stringArgument(args, 1, name) else {
                    throw InterpreterFailure.message("replace() takes two strings")
                }
                let count = args.count > 2 ? (Self.intValue(args[2]) ?? -1) : -1
                return .string(try replace(s, old, new, count: count))
            case "find", "count":
                guard let needle = try stringArgument(args, 0, name) else { throw InterpreterFailure.message("\(name)() needs a string") }
                let hay = Array(s.unicodeScalars)
                let pat = Array(needle.unicodeScalars)
                if name == "find" {
                    guard let r = hay.firstRange(of: pat) else { return .int(-1) }
                    return .int(r.lowerBound)
                }
                if pat.isEmpty { return .int(hay.count + 1) }
                return .int(hay.ranges(of: pat).count)
            default:  // join
                guard let items = args.first else { throw InterpreterFailure.message("join() takes one argument") }
                return .string(try join(try iterate(items), separator: s))
            }
        default:
            throw InterpreterFailure.message("'\(receiver.typeName)' object has no method '\(name)'")
        }
    }

    // MARK: string helpers (Python semantics)

    static func isPythonWhitespace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    static func strip(_ s: String, chars: String?, leading: Bool, trailing: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let shouldStrip: (Unicode.Scalar) -> Bool = { c in set.map { $0.contains(c) } ?? isPythonWhitespace(c) }
        var scalars = Substring(s).unicodeScalars[...]
        if leading { while let f = scalars.first, shouldStrip(f) { scalars.removeFirst() } }
        if trailing { while let l = scalars.last, shouldStrip(l) { scalars.removeLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    static func split(_ s: String, separator: String?, maxSplit: Int) throws -> [String] {
        let scalars = Array(s.unicodeScalars)
        var parts: [String] = []
        if let separator {
            let sep = Array(separator.unicodeScalars)
            guard !sep.isEmpty else { throw InterpreterFailure.message("empty separator") }
            var start = 0
            var i = 0
            while i <= scalars.count - sep.count {
                if (maxSplit < 0 || parts.count < maxSplit) && Array(scalars[i..<i + sep.count]) == sep {
                    parts.append(String(String.UnicodeScalarView(scalars[start..<i])))
                    i += sep.count
                    start = i
                } else {
                    i += 1
                }
            }
            parts.append(String(String.UnicodeScalarView(scalars[start...])))
            return parts
        }
        // Whitespace split: runs of whitespace separate, empty strings dropped.
        var i = 0
        while i < scalars.count {
            while i < scalars.count && isPythonWhitespace(scalars[i]) { i += 1 }
            if i >= scalars.count { break }
            if maxSplit >= 0 && parts.count == maxSplit {
                var rest = Array(scalars[i...])
                while let l = rest.last, isPythonWhitespace(l) { rest.removeLast() }
                parts.append(String(String.UnicodeScalarView(rest)))
                break
            }
            let start = i
            while i < scalars.count && !isPythonWhitespace(scalars[i]) { i += 1 }
            parts.append(String(String.UnicodeScalarView(scalars[start..<i])))
        }
        return parts
    }

    func replace(_ s: String, _ old: String, _ new: String, count: Int) throws -> String {
        let hay = Array(s.unicodeScalars)
        let pat = Array(old.unicodeScalars)
        let rep = Array(new.unicodeScalars)
        var out: [Unicode.Scalar] = []
        var replaced = 0
        var i = 0
        if pat.isEmpty {
            // Python inserts `new` between every character and at both ends.
            for c in hay {
                if count < 0 || replaced < count { out += rep; replaced += 1 }
                out.append(c)
            }
            if count < 0 || replaced < count { out += rep }
        } else {
            while i < hay.count {
                if (count < 0 || replaced < count) && i + pat.count <= hay.count && Array(hay[i..<i + pat.count]) == pat {
                    out += rep
                    i += pat.count
                    replaced += 1
                    try chargeString(out.count)
                } else {
                    out.append(hay[i])
                    i += 1
                }
            }
        }
        try chargeString(out.count)
        return String(String.UnicodeScalarView(out))
    }

    func join(_ items: [Value], separator: String) throws -> String {
        var out = ""
        for (i, item) in items.enumerated() {
            if i > 0 { out += separator }
            out += PythonFormat.str(item)
            if out.utf8.count > limits.maxOutputBytes { try chargeString(out.utf8.count) }
        }
        try chargeString(out.utf8.count)
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())).lowercased()
    }

    /// Python's str.title(): a letter after a non-letter is upper-cased, other letters lower-cased.
    static func pythonTitle(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s.unicodeScalars {
            let isLetter = c.properties.isAlphabetic
            out += previousCased ? String(c).lowercased() : String(c).uppercased()
            previousCased = isLetter
        }
        return out
    }

    /// jinja2's `title` filter: words start after whitespace, '-', '(', '{', '[' or '<'.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s.unicodeScalars {
            let isDelimiter = isPythonWhitespace(c) || "-({[<".unicodeScalars.contains(c)
            if isDelimiter {
                out.unicodeScalars.append(c)
                atWordStart = true
            } else {
                out += atWordStart ? String(c).uppercased() : String(c).lowercased()
                atWordStart = false
            }
        }
        return out
    }
}
