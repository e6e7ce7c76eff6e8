/// Python's text forms of values, which jinja2 uses when it prints: `str()` for output and `~`,
/// `repr()` inside printed lists and dicts, and `json.dumps` for the `tojson` filter.
enum PythonFormat {
    /// `str(value)`; undefined prints as "".
    static func str(_ value: Value) -> String {
        switch value {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr(value)
        }
    }

    static func repr(_ value: Value) -> String {
        switch value {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return float(d)
        case .string(let s): return stringRepr(s)
        case .list(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .tuple(let items):
            return items.count == 1 ? "(" + repr(items[0]) + ",)" : "(" + items.map(repr).joined(separator: ", ") + ")"
        case .dict(let d): return "{" + d.pairs.map { stringRepr($0.0) + ": " + repr($0.1) }.joined(separator: ", ") + "}"
        case .namespace: return "<Namespace>"
        case .loop: return "<LoopContext>"
        case .callable: return "<function>"
        }
    }

    /// Python's repr of a string: single quotes unless the text has ' and no ".
    static func stringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `repr(float)`: shortest round-trip digits, positional for 1e-4 <= |x| < 1e16, else exponent
    /// form like "1e+16" / "1.5e-05".
    static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also gives shortest round-trip digits; re-layout them Python's way.
        var text = Swift.abs(d).description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var pointPosition = intPart.count + exponent  // digits before the decimal point
        // Normalise: drop leading zeros (adjusting the point) and trailing zeros.
        while digits.count > 1 && digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1 && digits.last == "0" { digits.removeLast() }
        let decimalExponent = pointPosition - 1  // scientific exponent
        let sign = d < 0 ? "-" : ""
        if decimalExponent < -4 || decimalExponent >= 16 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let expSign = decimalExponent < 0 ? "-" : "+"
            let expDigits = String(Swift.abs(decimalExponent))
            return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" + expDigits : expDigits)
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        let idx = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<idx] + "." + digits[idx...]
    }

    /// `json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)` as Hugging Face's
    /// `tojson` calls it. With an indent, items are separated by "," + newline; without, by ", ".
    static func json(
        _ value: Value, indent: String?, sortKeys: Bool, itemSeparator: String? = nil, keySeparator: String = ": "
    ) throws -> String {
        var out = ""
        let separator = itemSeparator ?? (indent == nil ? ", " : ",")
        try writeJSON(value, into: &out, indent: indent, level: 0, sortKeys: sortKeys, itemSeparator: separator, keySeparator: keySeparator)
        return out
    }

    private static func writeJSON(
        _ value: Value, into out: inout String, indent: String?, level: Int, sortKeys: Bool,
        itemSeparator: String, keySeparator: String
    ) throws {
        func newline(_ level: Int) {
            if let indent {
                out += "\n"
                for _ in 0..<level { out += indent }
            }
        }
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += float(d) }
        case .string(let s): out += jsonString(s)
        case .list(let items), .tuple(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(level + 1)
                try writeJSON(item, into: &out, indent: indent, level: level + 1, sortKeys: sortKeys, itemSeparator: itemSeparator, keySeparator: keySeparator)
            }
            newline(level)
            out += "]"
        case .dict(let d):
            if d.isEmpty { out += "{}"; return }
            out += "{"
            let pairs = sortKeys ? d.pairs.sorted { Array($0.0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.0.unicodeScalars.map(\.value)) } : d.pairs
            for (i, (key, item)) in pairs.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(level + 1)
                out += jsonString(key) + keySeparator
                try writeJSON(item, into: &out, indent: indent, level: level + 1, sortKeys: sortKeys, itemSeparator: itemSeparator, keySeparator: keySeparator)
            }
            newline(level)
            out += "}"
        case .undefined, .namespace, .loop, .callable:
            throw InterpreterFailure.message("Object of type \(value.typeName) is not JSON serializable")
        }
    }

    /// A JSON string with ensure_ascii=False: only quote, backslash and control characters escaped.
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
                if scalar.value < 0x20 { out += "\\u" + hex(scalar.value, width: 4) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

/// An error raised deep inside evaluation; the interpreter adds the template line.
enum InterpreterFailure: Error {
    case message(String)
    case raised(String)
    case limit(String)
}
