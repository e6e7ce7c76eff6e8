import Foundation

/// GGUF metadata value types, with their on-disk ids.
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Bytes of a scalar on disk; strings and arrays are at least 8 (their length prefix).
    var minimumSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

/// One metadata value. Arrays carry their element type so that empty arrays round-trip.
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
    case array(GGUFValueType, [GGUFValue])

    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        case .array: .array
        }
    }

    /// Any integer type, widened; nil for non-integers.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): v <= UInt64(Int.max) ? Int(v) : nil
        case .int64(let v): Int(v)
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: intValue.map(Double.init)
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var arrayValue: [GGUFValue]? { if case .array(_, let a) = self { a } else { nil } }

    /// A short human-readable rendering (long arrays are summarised).
    public func summary(maxItems: Int = 8, maxLength: Int = 80) -> String {
        switch self {
        case .string(let s):
            let escaped = s.replacingOccurrences(of: "\n", with: "\\n")
            return escaped.count > maxLength ? "\"\(escaped.prefix(maxLength))…\" (\(s.count) chars)" : "\"\(escaped)\""
        case .array(let t, let items):
            let shown = items.prefix(maxItems).map { $0.summary(maxItems: 3, maxLength: 24) }.joined(separator: ", ")
            let more = items.count > maxItems ? ", … (\(items.count) \(t) items)" : ""
            return "[\(shown)\(more)]"
        case .float32(let v): return "\(v)"
        case .float64(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        default: return intValue.map(String.init) ?? "?"
        }
    }
}
