/// Values while a template runs: JSON-like data plus what only exists inside a render (undefined,
/// namespaces, loop state, callables). Namespaces are referenced by index into the interpreter's
/// table, so `ns.x = ...` mutates shared state while this type stays a plain value.
enum Value {
    /// A missing variable/attribute; prints as "", is falsy, fails when used further (like jinja2's Undefined).
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([Value])
    /// A Python tuple (from `(a, b)` or `items()`); behaves as a list but prints as `(a, b)`.
    case tuple([Value])
    case dict(ValueDict)
    case namespace(Int)
    indirect case loop(LoopState)
    case callable(Callable)

    init(_ v: JinjaValue) {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(Value.init))
        case .object(let entries):
            var d = ValueDict()
            for e in entries { d[e.key] = Value(e.value) }
            self = .dict(d)
        }
    }

    var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "namespace"
        case .loop: return "LoopContext"
        case .callable: return "function"
        }
    }

    /// Items of a list or tuple.
    var sequenceItems: [Value]? {
        switch self {
        case .list(let l), .tuple(let l): return l
        default: return nil
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l), .tuple(let l): return !l.isEmpty
        case .dict(let d): return !d.isEmpty
        case .namespace, .loop, .callable: return true
        }
    }
}

/// A string-keyed dictionary that remembers insertion order, like a Python dict.
struct ValueDict {
    private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }

    subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    var values: [Value] { keys.map { storage[$0]! } }
    var pairs: [(String, Value)] { keys.map { ($0, storage[$0]!) } }
}

/// The `loop` variable inside a for loop; attributes are computed when read.
struct LoopState {
    var index0: Int
    var length: Int
    var previous: Value?
    var next: Value?

    func attribute(_ name: String) -> Value? {
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(length - index0)
        case "revindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "previtem": return previous
        case "nextitem": return next
        case "depth": return .int(1)
        case "depth0": return .int(0)
        default: return nil
        }
    }
}

/// Something a template can call.
indirect enum Callable {
    case global(String)  // range, namespace, raise_exception, strftime_now, dict
    case macro(Int)  // index into the interpreter's macro table
    case method(Value, String)  // a bound method such as 'x'.strip or d.items
    case loopCycle(Int)  // loop.cycle for the iteration with this index0
}
