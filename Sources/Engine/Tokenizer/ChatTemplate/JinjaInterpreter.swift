import Foundation

/// Evaluates a parsed template. A sandbox: the only inputs are the variables it is given, there is
/// no file, environment or network access, and loop iterations, macro recursion, output size and
/// value sizes are bounded, so a hostile template ends with an error, never a hang.
final class JinjaInterpreter {
    struct Limits {
        var loopIterations = 1_000_000
        var callDepth = 64
        var outputBytes = 1 << 20
    }

    private var scopes: [[String: JinjaValue]]
    private var macros: [String: (parameters: [(String, JinjaExpr?)], body: [JinjaNode])] = [:]
    private let limits: Limits
    private var iterations = 0
    private var callDepth = 0
    private var currentLine: Int?

    init(globals: [String: JinjaValue], limits: Limits = Limits()) {
        scopes = [globals]
        self.limits = limits
    }

    func render(_ nodes: [JinjaNode]) throws -> String {
        var out = ""
        try run(nodes, into: &out)
        return out
    }

    private func fail(_ message: String) -> JinjaError { JinjaError(message: message, line: currentLine) }

    private func append(_ text: String, to out: inout String) throws {
        out += text
        guard out.utf8.count <= limits.outputBytes else { throw fail("output larger than \(limits.outputBytes) bytes") }
    }

    private func lookup(_ name: String) -> JinjaValue {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        if macros[name] != nil { return .macro(name: name) }
        if ["range", "namespace", "raise_exception", "strftime_now", "dict", "len"].contains(name) { return .builtin(name: name) }
        return .undefined
    }

    private func assign(_ name: String, _ value: JinjaValue) { scopes[scopes.count - 1][name] = value }

    private func run(_ nodes: [JinjaNode], into out: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let t): try append(t, to: &out)
            case .output(let e, let line):
                currentLine = line
                try append(try evaluate(e).printed, to: &out)
            case .ifBlock(let branches, let elseBody, let line):
                currentLine = line
                var done = false
                for (condition, body) in branches where try evaluate(condition).isTruthy {
                    try run(body, into: &out)
                    done = true
                    break
                }
                if !done { try run(elseBody, into: &out) }
            case .set(let target, let attribute, let e, let line):
                currentLine = line
                let value = try evaluate(e)
                if let attribute {
                    guard case .namespace(let ns) = lookup(target[0]) else { throw fail("cannot set an attribute on '\(target[0])', which is not a namespace") }
                    ns.attributes[attribute] = value
                } else if target.count == 1 {
                    assign(target[0], value)
                } else {
                    let items = try iterate(value)
                    guard items.count == target.count else { throw fail("cannot unpack \(items.count) values into \(target.count) names") }
                    for (n, v) in zip(target, items) { assign(n, v) }
                }
            case .macro(let name, let parameters, let body):
                macros[name] = (parameters, body)
            case .forLoop(let targets, let iterable, let condition, let body, let elseBody, let line):
                currentLine = line
                var items = try iterate(try evaluate(iterable))
                if let condition {
                    var kept: [JinjaValue] = []
                    for item in items {
                        scopes.append([:])
                        try bind(targets, item)
                        let keep = try evaluate(condition).isTruthy
                        scopes.removeLast()
                        if keep { kept.append(item) }
                    }
                    items = kept
                }
                if items.isEmpty { try run(elseBody, into: &out); continue }
                for (i, item) in items.enumerated() {
                    iterations += 1
                    guard iterations <= limits.loopIterations else { throw fail("more than \(limits.loopIterations) loop iterations") }
                    var loop = JinjaDict()
                    loop["index"] = .int(i + 1)
                    loop["index0"] = .int(i)
                    loop["revindex"] = .int(items.count - i)
                    loop["revindex0"] = .int(items.count - i - 1)
                    loop["first"] = .bool(i == 0)
                    loop["last"] = .bool(i == items.count - 1)
                    loop["length"] = .int(items.count)
                    loop["previtem"] = i > 0 ? items[i - 1] : .undefined
                    loop["nextitem"] = i + 1 < items.count ? items[i + 1] : .undefined
                    scopes.append(["loop": .dict(loop)])
                    defer { scopes.removeLast() }
                    try bind(targets, item)
                    try run(body, into: &out)
                }
            }
        }
    }

    private func bind(_ targets: [String], _ item: JinjaValue) throws {
        if targets.count == 1 { assign(targets[0], item); return }
        let parts = try iterate(item)
        guard parts.count == targets.count else { throw fail("cannot unpack \(parts.count) values into \(targets.count) loop variables") }
        for (n, v) in zip(targets, parts) { assign(n, v) }
    }

    private func iterate(_ value: JinjaValue) throws -> [JinjaValue] {
        switch value {
        case .array(let a): return a
        case .dict(let d): return d.entries.map { .string($0.key) }
        case .string(let s): return s.map { .string(String($0)) }
        case .undefined, .none: return []
        default: throw fail("\(value.typeName) is not iterable")
        }
    }

    // MARK: Expressions

    func evaluate(_ e: JinjaExpr) throws -> JinjaValue {
        switch e {
        case .literal(let v): return v
        case .name(let n): return lookup(n)
        case .list(let items): return .array(try items.map(evaluate))
        case .dict(let pairs):
            var d = JinjaDict()
            for (k, v) in pairs { d[try evaluate(k).printed] = try evaluate(v) }
            return .dict(d)
        case .attribute(let base, let name):
            let b = try evaluate(base)
            switch b {
            case .dict(let d): return d[name] ?? .undefined
            case .namespace(let ns): return ns.attributes[name] ?? .undefined
            default: return .undefined
            }
        case .index(let base, let key):
            return try subscriptValue(try evaluate(base), try evaluate(key))
        case .slice(let base, let start, let stop, let step):
            return try slice(try evaluate(base), try start.map(evaluate), try stop.map(evaluate), try step.map(evaluate))
        case .call(let callee, let args, let kwargs):
            let a = try args.map(evaluate)
            var k: [String: JinjaValue] = [:]
            for (name, expr) in kwargs { k[name] = try evaluate(expr) }
            if case .attribute(let base, let method) = callee {
                return try callMethod(try evaluate(base), method, a, k)
            }
            return try call(try evaluate(callee), a, k)
        case .filter(let base, let name, let args, let kwargs):
            let a = try args.map(evaluate)
            var k: [String: JinjaValue] = [:]
            for (n, expr) in kwargs { k[n] = try evaluate(expr) }
            return try JinjaBuiltins.filter(name, try evaluate(base), a, k, line: currentLine)
        case .test(let base, let name, let args, let negated):
            let result = try JinjaBuiltins.test(name, try evaluate(base), try args.map(evaluate), line: currentLine)
            return .bool(result != negated)
        case .unary(let op, let operand):
            let v = try evaluate(operand)
            switch op {
            case "not": return .bool(!v.isTruthy)
            case "-":
                if case .int(let i) = v { return .int(-i) }
                if case .double(let d) = v { return .double(-d) }
                throw fail("cannot negate \(v.typeName)")
            default: return v
            }
        case .binary("and", let l, let r):
            let left = try evaluate(l)
            return left.isTruthy ? try evaluate(r) : left
        case .binary("or", let l, let r):
            let left = try evaluate(l)
            return left.isTruthy ? left : try evaluate(r)
        case .binary(let op, let l, let r):
            return try JinjaBuiltins.binary(op, try evaluate(l), try evaluate(r), limit: limits.outputBytes, line: currentLine)
        case .conditional(let value, let condition, let otherwise):
            return try evaluate(condition).isTruthy ? try evaluate(value) : try otherwise.map(evaluate) ?? .undefined
        }
    }

    private func subscriptValue(_ base: JinjaValue, _ key: JinjaValue) throws -> JinjaValue {
        switch (base, key) {
        case (.array(let a), .int(let i)):
            let index = i < 0 ? a.count + i : i
            return a.indices.contains(index) ? a[index] : .undefined
        case (.string(let s), .int(let i)):
            let chars = Array(s)
            let index = i < 0 ? chars.count + i : i
            return chars.indices.contains(index) ? .string(String(chars[index])) : .undefined
        case (.dict(let d), _): return d[key.printed] ?? .undefined
        case (.namespace(let ns), _): return ns.attributes[key.printed] ?? .undefined
        default: return .undefined
        }
    }

    private func slice(_ base: JinjaValue, _ start: JinjaValue?, _ stop: JinjaValue?, _ step: JinjaValue?) throws -> JinjaValue {
        func int(_ v: JinjaValue?) -> Int? { if case .int(let i)? = v { i } else { nil } }
        let items: [JinjaValue]
        var isString = false
        switch base {
        case .array(let a): items = a
        case .string(let s): items = s.map { .string(String($0)) }; isString = true
        default: return .undefined
        }
        let n = items.count
        let st = int(step) ?? 1
        guard st != 0 else { throw fail("slice step cannot be zero") }
        func clamp(_ v: Int?, _ def: Int) -> Int {
            guard var v else { return def }
            if v < 0 { v += n }
            return st > 0 ? min(max(v, 0), n) : min(max(v, -1), n - 1)
        }
        var result: [JinjaValue] = []
        var i = clamp(int(start), st > 0 ? 0 : n - 1)
        let end = clamp(int(stop), st > 0 ? n : -1)
        while st > 0 ? i < end : i > end {
            result.append(items[i])
            i += st
        }
        return isString ? .string(result.map(\.printed).joined()) : .array(result)
    }

    private func call(_ callee: JinjaValue, _ args: [JinjaValue], _ kwargs: [String: JinjaValue]) throws -> JinjaValue {
        switch callee {
        case .macro(let name):
            guard let macro = macros[name] else { throw fail("unknown macro \(name)") }
            callDepth += 1
            defer { callDepth -= 1 }
            guard callDepth <= limits.callDepth else { throw fail("macro calls nested more than \(limits.callDepth) deep") }
            var scope: [String: JinjaValue] = [:]
            for (i, (param, defaultExpr)) in macro.parameters.enumerated() {
                scope[param] = i < args.count ? args[i] : try kwargs[param] ?? defaultExpr.map(evaluate) ?? .undefined
            }
            scopes.append(scope)
            defer { scopes.removeLast() }
            var out = ""
            try run(macro.body, into: &out)
            return .string(out)
        case .builtin(let name):
            switch name {
            case "range":
                let ints = args.compactMap { if case .int(let i) = $0 { i } else { nil } }
                guard ints.count == args.count, (1...3).contains(ints.count) else { throw fail("range() takes 1 to 3 integers") }
                let (start, stop, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
                guard step != 0 else { throw fail("range() step cannot be zero") }
                let count = max(0, (stop - start + step + (step > 0 ? -1 : 1)) / step)
                guard count <= limits.loopIterations else { throw fail("range() of \(count) items is too large") }
                return .array(stride(from: start, to: stop, by: step).map { .int($0) })
            case "namespace":
                let ns = JinjaNamespace()
                if case .dict(let d)? = args.first { for (k, v) in d.entries { ns.attributes[k] = v } }
                for (k, v) in kwargs.sorted(by: { $0.key < $1.key }) { ns.attributes[k] = v }
                return .namespace(ns)
            case "dict":
                return .dict(JinjaDict(kwargs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
            case "len":
                return try JinjaBuiltins.filter("length", args.first ?? .undefined, [], [:], line: currentLine)
            case "raise_exception":
                var error = JinjaError(message: args.first?.printed ?? "error", line: currentLine)
                error.raisedByTemplate = true
                throw error
            case "strftime_now":
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                let format = args.first?.printed ?? "%Y-%m-%d"
                formatter.dateFormat = format.replacingOccurrences(of: "%Y", with: "yyyy").replacingOccurrences(of: "%m", with: "MM")
                    .replacingOccurrences(of: "%d", with: "dd").replacingOccurrences(of: "%B", with: "MMMM").replacingOccurrences(of: "%b", with: "MMM")
                    .replacingOccurrences(of: "%H", with: "HH").replacingOccurrences(of: "%M", with: "mm")
                return .string(formatter.string(from: Date()))
            default: throw fail("unknown function \(name)")
            }
        default:
            throw fail("\(callee.typeName) is not callable")
        }
    }

    private func callMethod(_ base: JinjaValue, _ method: String, _ args: [JinjaValue], _ kwargs: [String: JinjaValue]) throws -> JinjaValue {
        switch (base, method) {
        case (.dict(let d), "items"): return .array(d.entries.map { .array([.string($0.key), $0.value]) })
        case (.dict(let d), "keys"): return .array(d.entries.map { .string($0.key) })
        case (.dict(let d), "values"): return .array(d.entries.map(\.value))
        case (.dict(let d), "get"): return d[args.first?.printed ?? ""] ?? (args.count > 1 ? args[1] : .none)
        case (.string(let s), _): return try JinjaBuiltins.stringMethod(s, method, args, line: currentLine)
        case (.array, "append"), (.array, "pop"): throw fail("lists are read-only in chat templates")
        default:
            if case .dict(let d) = base, let member = d[method] { return try call(member, args, kwargs) }
            throw fail("\(base.typeName) has no method '\(method)'")
        }
    }
}
