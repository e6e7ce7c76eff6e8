/// Expression evaluation with Python's semantics for the operators chat templates use.
extension JinjaInterpreter {
    func evaluate(_ expr: JinjaExpr) throws -> Value {
        switch expr {
        case .literal(let l):
            switch l {
            case .none: return .none
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .double(let d): return .double(d)
            case .string(let s): return .string(s)
            }
        case .name(let n):
            return lookup(n)
        case .list(let items):
            return .list(try items.map(evaluate))
        case .tuple(let items):
            return .tuple(try items.map(evaluate))
        case .dict(let pairs):
            var d = ValueDict()
            for pair in pairs {
                guard case .string(let key) = try evaluate(pair.key) else {
                    throw InterpreterFailure.message("dict keys must be strings in chat templates")
                }
                d[key] = try evaluate(pair.value)
            }
            return .dict(d)
        case .attribute(let object, let name):
            return try attribute(of: try evaluate(object), name)
        case .index(let object, let index):
            return try item(of: try evaluate(object), try evaluate(index))
        case .slice(let object, let start, let stop, let stepExpr):
            return try slice(
                try evaluate(object), start: try start.map(evaluate), stop: try stop.map(evaluate),
                step: try stepExpr.map(evaluate))
        case .call(let callee, let arguments):
            let function = try evaluate(callee)
            let (args, kwargs) = try evaluateArguments(arguments)
            return try call(function, args, kwargs)
        case .filter(let value, let name, let arguments):
            let (args, kwargs) = try evaluateArguments(arguments)
            return try applyFilter(name, try evaluate(value), args, kwargs)
        case .test(let value, let name, let arguments, let negated):
            let (args, _) = try evaluateArguments(arguments)
            let result = try applyTest(name, try evaluate(value), args)
            return .bool(negated ? !result : result)
        case .unary(let op, let operand):
            let v = try evaluate(operand)
            switch op {
            case "not": return .bool(!v.isTruthy)
            case "-":
                switch v {
                case .int(let i): return .int(0 &- i)
                case .bool(let b): return .int(b ? -1 : 0)
                case .double(let d): return .double(-d)
                default: throw InterpreterFailure.message("bad operand type for unary -: '\(v.typeName)'")
                }
            default:
                switch v {
                case .int, .double: return v
                case .bool(let b): return .int(b ? 1 : 0)
                default: throw InterpreterFailure.message("bad operand type for unary +: '\(v.typeName)'")
                }
            }
        case .binary("and", let left, let right):
            let l = try evaluate(left)
            return l.isTruthy ? try evaluate(right) : l
        case .binary("or", let left, let right):
            let l = try evaluate(left)
            return l.isTruthy ? l : try evaluate(right)
        case .binary(let op, let left, let right):
            return try binary(op, try evaluate(left), try evaluate(right))
        case .compare(let first, let rest):
            var left = try evaluate(first)
            for (op, rightExpr) in rest {
                let right = try evaluate(rightExpr)
                if !(try compare(op, left, right)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined("conditional expression had no else")
        }
    }

    func evaluateArguments(_ arguments: JinjaArguments) throws -> ([Value], [(String, Value)]) {
        let args = try arguments.positional.map(evaluate)
        let kwargs = try arguments.keyword.map { ($0.name, try evaluate($0.value)) }
        return (args, kwargs)
    }

    // MARK: attributes and items

    /// `obj.name`: methods first, then dict items (jinja2's getattr order).
    func attribute(of object: Value, _ name: String) throws -> Value {
        switch object {
        case .undefined(let message):
            throw InterpreterFailure.message(message)
        case .dict(let d):
            if Self.dictMethods.contains(name) { return .callable(.method(object, name)) }
            return d[name] ?? .undefined("'dict object' has no attribute '\(name)'")
        case .string:
            if Self.stringMethods.contains(name) { return .callable(.method(object, name)) }
            return .undefined("'str object' has no attribute '\(name)'")
        case .list:
            if ["append", "extend", "pop", "insert", "remove", "clear", "sort", "reverse"].contains(name) {
                throw InterpreterFailure.message("lists cannot be modified in a chat template (list.\(name))")
            }
            return .undefined("'list object' has no attribute '\(name)'")
        case .namespace(let id):
            return namespaces[id][name] ?? .undefined("'namespace' has no attribute '\(name)'")
        case .loop(let state):
            if name == "cycle" { return .callable(.loopCycle(state.index0)) }
            return state.attribute(name) ?? .undefined("'loop' has no attribute '\(name)'")
        default:
            return .undefined("'\(object.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `obj[key]`: items first, then attributes (jinja2's getitem order).
    func item(of object: Value, _ key: Value) throws -> Value {
        switch (object, key) {
        case (.undefined(let message), _):
            throw InterpreterFailure.message(message)
        case (.list(let items), _), (.tuple(let items), _):
            guard let i = Self.intValue(key) else { return .undefined("list indices must be integers") }
            let index = i < 0 ? i + items.count : i
            return index >= 0 && index < items.count ? items[index] : .undefined("list index out of range")
        case (.string(let s), _):
            guard let i = Self.intValue(key) else { return .undefined("string indices must be integers") }
            let scalars = Array(s.unicodeScalars)
            let index = i < 0 ? i + scalars.count : i
            return index >= 0 && index < scalars.count ? .string(String(scalars[index])) : .undefined("string index out of range")
        case (.dict(let d), .string(let k)):
            if let v = d[k] { return v }
            return try attribute(of: object, k)
        case (_, .string(let k)):
            return try attribute(of: object, k)
        default:
            return .undefined("'\(object.typeName) object' has no item \(PythonFormat.repr(key))")
        }
    }

    static func intValue(_ v: Value) -> Int? {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Python slice semantics (negative indices, negative steps, clamping).
    func slice(_ object: Value, start: Value?, stop: Value?, step: Value?) throws -> Value {
        func optionalInt(_ v: Value?) throws -> Int? {
            guard let v else { return nil }
            if case .none = v { return nil }
            guard let i = Self.intValue(v) else { throw InterpreterFailure.message("slice indices must be integers") }
            return i
        }
        let stepValue = try optionalInt(step) ?? 1
        guard stepValue != 0 else { throw InterpreterFailure.message("slice step cannot be zero") }
        func indices(count: Int) throws -> [Int] {
            func clamp(_ v: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
                guard var x = v else { return defaultValue }
                if x < 0 { x += count }
                return min(max(x, low), high)
            }
            var result: [Int] = []
            if stepValue > 0 {
                var i = clamp(try optionalInt(start), 0, low: 0, high: count)
                let end = clamp(try optionalInt(stop), count, low: 0, high: count)
                while i < end { result.append(i); i += stepValue }
            } else {
                var i = clamp(try optionalInt(start), count - 1, low: -1, high: count - 1)
                let end = clamp(try optionalInt(stop), -1, low: -1, high: count - 1)
                while i > end { result.append(i); i += stepValue }
            }
            return result
        }
        switch object {
        case .list(let items):
            return .list(try indices(count: items.count).map { items[$0] })
        case .tuple(let items):
            return .tuple(try indices(count: items.count).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try indices(count: scalars.count) { out.append(scalars[i]) }
            return .string(String(out))
        case .undefined(let message):
            throw InterpreterFailure.message(message)
        default:
            throw InterpreterFailure.message("'\(object.typeName)' object is not subscriptable")
        }
    }

    // MARK: operators

    private static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .double(let d): return d
        default: return nil
        }
    }

    private func typeError(_ op: String, _ a: Value, _ b: Value) -> InterpreterFailure {
        if op == "+", case .string = a {
            return .message("can only concatenate str (not \"\(b.typeName)\") to str")
        }
        if case .undefined(let message) = a { return .message(message) }
        if case .undefined(let message) = b { return .message(message) }
        return .message("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    private func overflow(_ op: String) -> InterpreterFailure {
        .limit("integer overflow in '\(op)'")
    }

    func binary(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        if op == "~" {
            let (l, r) = (PythonFormat.str(a), PythonFormat.str(b))
            try chargeString(l.utf8.count + r.utf8.count)
            return .string(l + r)
        }
        // Integer (and bool) arithmetic stays integral, as in Python.
        if let x = Self.intValue(a), let y = Self.intValue(b) {
            switch op {
            case "+":
                let (r, o) = x.addingReportingOverflow(y)
                if o { throw overflow(op) }
                return .int(r)
            case "-":
                let (r, o) = x.subtractingReportingOverflow(y)
                if o { throw overflow(op) }
                return .int(r)
            case "*":
                let (r, o) = x.multipliedReportingOverflow(by: y)
                if o { throw overflow(op) }
                return .int(r)
            case "/":
                guard y != 0 else { throw InterpreterFailure.message("division by zero") }
                return .double(Double(x) / Double(y))
            case "//", "%":
                guard y != 0 else { throw InterpreterFailure.message("integer division or modulo by zero") }
                // Int.min // -1 is the one quotient that does not fit (it would trap the process).
                let (quotient, overflowed) = x.dividedReportingOverflow(by: y)
                if overflowed { throw overflow(op) }
                var q = quotient
                var r = x % y
                if r != 0 && ((r < 0) != (y < 0)) { q -= 1; r += y }  // floor semantics
                return .int(op == "//" ? q : r)
            case "**":
                if y < 0 { return .double(pow(Double(x), Double(y))) }
                var result = 1
                var base = x
                var e = y
                while e > 0 {
                    if e & 1 == 1 {
                        let (r, o) = result.multipliedReportingOverflow(by: base)
                        if o { throw overflow(op) }
                        result = r
                    }
                    e >>= 1
                    if e > 0 {
                        let (sq, o) = base.multipliedReportingOverflow(by: base)
                        if o { throw overflow(op) }
                        base = sq
                    }
                }
                return .int(result)
            default: break
            }
        }
        if let x = Self.number(a), let y = Self.number(b) {
            switch op {
            case "+": return .double(x + y)
            case "-": return .double(x - y)
            case "*": return .double(x * y)
            case "/":
                guard y != 0 else { throw InterpreterFailure.message("float division by zero") }
                return .double(x / y)
            case "//":
                guard y != 0 else { throw InterpreterFailure.message("float floor division by zero") }
                return .double((x / y).rounded(.down))
            case "%":
                guard y != 0 else { throw InterpreterFailure.message("float modulo by zero") }
                var r = fmod(x, y)
                if r != 0 && ((r < 0) != (y < 0)) { r += y }
                return .double(r)
            case "**": return .double(pow(x, y))
            default: break
            }
        }
        switch (op, a, b) {
        case ("+", .string(let x), .string(let y)):
            try chargeString(x.utf8.count + y.utf8.count)
            return .string(x + y)
        case ("+", .list(let x), .list(let y)):
            try checkCollection(x.count + y.count)
            return .list(x + y)
        case ("+", .tuple(let x), .tuple(let y)):
            try checkCollection(x.count + y.count)
            return .tuple(x + y)
        case ("*", .string(let s), _), ("*", _, .string(let s)):
            guard let n = Self.intValue(Self.isString(a) ? b : a) else { throw typeError(op, a, b) }
            let count = max(0, n)
            let (bytes, o) = s.utf8.count.multipliedReportingOverflow(by: count)
            if o { throw InterpreterFailure.limit("string repetition '\(op)' by \(n) is too large") }
            try chargeString(bytes)
            return .string(String(repeating: s, count: count))
        case ("*", .list(let l), _), ("*", _, .list(let l)):
            guard let n = Self.intValue(Self.isList(a) ? b : a) else { throw typeError(op, a, b) }
            let count = max(0, n)
            let (total, o) = l.count.multipliedReportingOverflow(by: count)
            if o { throw InterpreterFailure.limit("list repetition by \(n) is too large") }
            try checkCollection(total)
            return .list(Array([[Value]](repeating: l, count: count).joined()))
        case ("%", .string, _):
            throw InterpreterFailure.message("printf-style string formatting ('%') is not supported")
        default:
            throw typeError(op, a, b)
        }
    }

    private static func isString(_ v: Value) -> Bool {
        if case .string = v { return true }
        return false
    }

    private static func isList(_ v: Value) -> Bool {
        if case .list = v { return true }
        return false
    }

    /// Python `==` (numbers compare across int/float/bool; dicts ignore order).
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && x.pairs.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        case (.namespace(let x), .namespace(let y)): return x == y
        default:
            if let x = number(a), let y = number(b) { return x == y }
            return false
        }
    }

    /// Python ordering for `<` and friends; nil when the types cannot be ordered.
    static func order(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            let xs = x.unicodeScalars.map(\.value)
            let ys = y.unicodeScalars.map(\.value)
            if xs == ys { return 0 }
            return xs.lexicographicallyPrecedes(ys) ? -1 : 1
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !equal(p, q) { return order(p, q) }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default:
            if let x = number(a), let y = number(b) { return x == y ? 0 : (x < y ? -1 : 1) }
            return nil
        }
    }

    func compare(_ op: String, _ a: Value, _ b: Value) throws -> Bool {
        if op == "==" || op == "!=" || op == "<" || op == ">" || op == "<=" || op == ">=" { try chargeWork(Self.workSize(a) + Self.workSize(b)) }
        switch op {
        case "==": return Self.equal(a, b)
        case "!=": return !Self.equal(a, b)
        case "in": return try contains(b, a)
        case "not in": return !(try contains(b, a))
        default:
            guard let o = Self.order(a, b) else {
                throw InterpreterFailure.message("'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
            }
            switch op {
            case "<": return o < 0
            case ">": return o > 0
            case "<=": return o <= 0
            default: return o >= 0
            }
        }
    }

    func contains(_ container: Value, _ element: Value) throws -> Bool {
        try chargeWork(Self.workSize(container))
        switch container {
        case .string(let s):
            guard case .string(let needle) = element else {
                throw InterpreterFailure.message("'in <string>' requires string as left operand, not \(element.typeName)")
            }
            if needle.isEmpty { return true }
            return Array(s.unicodeScalars).firstRange(of: Array(needle.unicodeScalars)) != nil
        case .list(let items), .tuple(let items): return items.contains { Self.equal($0, element) }
        case .dict(let d):
            if case .string(let k) = element { return d[k] != nil }
            return false
        case .undefined: return false
        case .namespace(let id):
            if case .string(let k) = element { return namespaces[id][k] != nil }
            return false
        default:
            throw InterpreterFailure.message("argument of type '\(container.typeName)' is not iterable")
        }
    }
}

import Foundation
