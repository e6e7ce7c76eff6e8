/// A value passed into a chat template from Swift: the JSON-like data a template can read
/// (`messages`, `tools`, extra variables). Objects keep their key order, as Python dicts do,
/// because `tojson` and `items()` print keys in insertion order.
public enum JinjaValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JinjaValue])
    /// Ordered key/value pairs; later duplicates replace earlier ones when read by a template.
    case object([JinjaEntry])

    /// An object from a Swift dictionary literal, keeping the literal's order.
    public static func object(_ pairs: KeyValuePairs<String, JinjaValue>) -> JinjaValue {
        .object(pairs.map { JinjaEntry(key: $0.key, value: $0.value) })
    }
}

/// One key/value pair of a `JinjaValue.object`.
public struct JinjaEntry: Sendable, Equatable {
    public var key: String
    public var value: JinjaValue
    public init(key: String, value: JinjaValue) {
        self.key = key
        self.value = value
    }
}
