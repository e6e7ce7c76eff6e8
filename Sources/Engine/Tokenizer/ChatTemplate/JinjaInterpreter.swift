/// Sandbox limits for one render. A template comes from a downloaded file, so every way it could
/// run long or grow large is bounded; exceeding a bound throws `ChatTemplateError.limitExceeded`.
public struct ChatTemplateLimits: Sendable, Equatable {
    /// Loop iterations (including loop-filter checks) over the whole render.
    public var maxLoopIterations = 1_000_000
    /// Macro calls over the whole render (each costs far more than an iteration; templates make dozens).
    public var maxMacroCalls = 100_000
    /// Nested macro calls.
    public var maxCallDepth = 200
    /// Size of the rendered text, and of any single string or list built while rendering (UTF-8 bytes / items).
    public var maxOutputBytes = 1 << 20
    /// Items `range()` may produce.
    public var maxRangeLength = 100_000
    /// Total bytes of all strings built while rendering (stops quadratic string growth in loops).
    public var maxStringWorkBytes = 256 << 20
    /// Elements and bytes the built-ins may visit over the whole render (`x in list`, `==`, sort,
    /// unique, min/max, split, title…): a loop over cheap-looking calls on large values is work too.
    /// A unit is one element, or a quarter of a string byte (scanning text costs ~4× an element here).
    public var maxBuiltinWork = 20_000_000
    public init() {}
}

/// Runs parsed statements against a context. One instance per render; not shared between threads.
final class JinjaInterpreter {
    enum Flow { case normal, breakLoop, continueLoop }

    let limits: ChatTemplateLimits
    let dateString: String
    var scopes: [[String: Value]]
    var macros: [(parameters: [JinjaMacroParameter], body: [JinjaStmt])] = []
    var namespaces: [ValueDict] = []
    var steps = 0
    var builtinWork = 0
    var macroCalls = 0
    var callDepth = 0
    var stringWork = 0
    var line = 1

    init(context: [String: Value], limits: ChatTemplateLimits, dateString: String) {
        self.limits = limits
        self.dateString = dateString
        self.scopes = [context]
    }

    func render(_ statements: [JinjaStmt]) throws -> String {
        var out = ""
        do {
            _ = try execute(statements, into: &out)
        } catch let failure as InterpreterFailure {
            switch failure {
            case .message(let m): throw ChatTemplateError.runtime(message: m, line: line)
            case .raised(let m): throw ChatTemplateError.raised(message: m)
            case .limit(let m): throw ChatTemplateError.limitExceeded(message: m)
            }
        }
        return out
    }

    // MARK: limits

    /// Charges `units` of a built-in's work (elements compared, bytes scanned) to the render.
    func chargeWork(_ units: Int) throws {
        let (total, overflow) = builtinWork.addingReportingOverflow(max(0, units))
        builtinWork = total
        if overflow || total > limits.maxBuiltinWork {
            throw InterpreterFailure.limit("built-ins did more than \(limits.maxBuiltinWork) units of work (elements compared, bytes scanned)")
        }
    }

    /// The elements or bytes a built-in visits in `value` (its top level).
    static func workSize(_ value: Value) -> Int {
        switch value {
        case .string(let s): 4 &* s.utf8.count
        case .list(let items), .tuple(let items): items.count
        case .dict(let d): d.pairs.count
        default: 1
        }
    }

    func step() throws {
        steps += 1
        if steps > limits.maxLoopIterations {
            throw InterpreterFailure.limit("more than \(limits.maxLoopIterations) loop iterations")
        }
    }

    /// Checks a string about to be built with `bytes` UTF-8 bytes.
    func chargeString(_ bytes: Int) throws {
        if bytes > limits.maxOutputBytes {
            throw InterpreterFailure.limit("a string of \(bytes) bytes exceeds the \(limits.maxOutputBytes)-byte limit")
        }
        stringWork += bytes
        if stringWork > limits.maxStringWorkBytes {
            throw InterpreterFailure.limit("built more than \(limits.maxStringWorkBytes) bytes of strings")
        }
    }

    func checkCollection(_ count: Int) throws {
        if count > limits.maxOutputBytes {
            throw InterpreterFailure.limit("a list of \(count) items exceeds the \(limits.maxOutputBytes)-item limit")
        }
    }

    private func write(_ s: String, into out: inout String) throws {
        if out.utf8.count + s.utf8.count > limits.maxOutputBytes {
            throw InterpreterFailure.limit("output would exceed \(limits.maxOutputBytes) bytes")
        }
        out += s
    }

    // MARK: variables

    func lookup(_ name: String) -> Value {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        switch name {
        case "range", "namespace", "raise_exception", "strftime_now", "dict":
            return .callable(.global(name))
        default:
            return .undefined("'\(name)' is undefined")
        }
    }

    private func assign(_ target: JinjaTarget, _ value: Value) throws {
        switch target {
        case .name(let n):
            scopes[scopes.count - 1][n] = value
        case .tuple(let names):
            let items = try iterate(value)
            guard items.count == names.count else {
                throw InterpreterFailure.message("cannot unpack \(items.count) values into \(names.count) names")
            }
            for (n, v) in zip(names, items) { scopes[scopes.count - 1][n] = v }
        case .attribute(let object, let attribute):
            guard case .namespace(let id) = lookup(object) else {
                throw InterpreterFailure.message("cannot assign attribute on non-namespace object '\(object)'")
            }
            namespaces[id][attribute] = value
        }
    }

    // MARK: statements

    func execute(_ statements: [JinjaStmt], into out: inout String) throws -> Flow {
        for statement in statements {
            switch statement {
            case .text(let s):
                try write(s, into: &out)
            case .output(let expr, let l):
                line = l
                try write(PythonFormat.str(try evaluate(expr)), into: &out)
            case .ifChain(let branches, let otherwise, let l):
                line = l
                var taken = false
                for branch in branches where try evaluate(branch.condition).isTruthy {
                    taken = true
                    let flow = try execute(branch.body, into: &out)
                    if flow != .normal { return flow }
                    break
                }
                if !taken {
                    let flow = try execute(otherwise, into: &out)
                    if flow != .normal { return flow }
                }
            case .forLoop(let target, let iterable, let filter, let body, let otherwise, let l):
                line = l
                try executeFor(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, into: &out)
            case .set(let target, let expr, let l):
                line = l
                try assign(target, try evaluate(expr))
            case .setBlock(let name, let body, let l):
                line = l
                var captured = ""
                _ = try execute(body, into: &captured)
                scopes[scopes.count - 1][name] = .string(captured)
            case .macro(let name, let parameters, let body, _):
                macros.append((parameters, body))
                scopes[scopes.count - 1][name] = .callable(.macro(macros.count - 1))
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    private func executeFor(
        target: JinjaTarget, iterable: JinjaExpr, filter: JinjaExpr?, body: [JinjaStmt], otherwise: [JinjaStmt],
        into out: inout String
    ) throws {
        var items = try iterate(try evaluate(iterable))
        if let filter {
            // jinja2 applies the loop filter first, so loop.length/index count only kept items.
            var kept: [Value] = []
            for item in items {
                try step()
                scopes.append([:])
                defer { scopes.removeLast() }
                try assign(target, item)
                if try evaluate(filter).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try execute(otherwise, into: &out)
            return
        }
        for (i, item) in items.enumerated() {
            try step()
            // Each iteration gets a fresh scope: `set` inside a loop does not outlive the iteration.
            scopes.append([:])
            defer { scopes.removeLast() }
            try assign(target, item)
            let state = LoopState(
                index0: i, length: items.count, previous: i > 0 ? items[i - 1] : nil,
                next: i + 1 < items.count ? items[i + 1] : nil)
            scopes[scopes.count - 1]["loop"] = .loop(state)
            if try execute(body, into: &out) == .breakLoop { break }
        }
    }

    /// The items a `for` loop or a filter walks: list items, string characters, dict keys.
    func iterate(_ value: Value) throws -> [Value] {
        switch value {
        case .list(let items), .tuple(let items): return items
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw InterpreterFailure.message("'\(value.typeName)' object is not iterable")
        }
    }

    // MARK: macros

    func callMacro(_ index: Int, _ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        macroCalls += 1
        if macroCalls > limits.maxMacroCalls {
            throw InterpreterFailure.limit("more than \(limits.maxMacroCalls) macro calls")
        }
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > limits.maxCallDepth {
            throw InterpreterFailure.limit("macro calls nested deeper than \(limits.maxCallDepth)")
        }
        let macro = macros[index]
        if args.count > macro.parameters.count {
            throw InterpreterFailure.message("macro takes \(macro.parameters.count) arguments, got \(args.count)")
        }
        var frame: [String: Value] = [:]
        for (i, parameter) in macro.parameters.enumerated() {
            if i < args.count {
                frame[parameter.name] = args[i]
            } else if let kw = kwargs.first(where: { $0.0 == parameter.name }) {
                frame[parameter.name] = kw.1
            } else if let d = parameter.defaultValue {
                frame[parameter.name] = try evaluate(d)
            } else {
                frame[parameter.name] = .undefined("'\(parameter.name)' is undefined")
            }
        }
        // A macro sees the template's top-level variables and its own arguments.
        let saved = scopes
        scopes = [scopes[0], frame]
        defer { scopes = saved }
        let savedLine = line
        var out = ""
        _ = try execute(macro.body, into: &out)
        line = savedLine
        return .string(out)
    }
}
