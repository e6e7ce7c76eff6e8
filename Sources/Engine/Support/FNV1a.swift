/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3; see
/// http://www.isthe.com/chongo/tech/comp/fnv/): the checksum of dataset files, token lists and checkpoints.
/// Each step is a bijection of the state, so changing any single byte always changes the hash.
public struct FNV1a64: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var hash = value
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        value = hash
    }

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    /// `"fnv1a64:"` and 16 lowercase hex digits.
    public var hexDigest: String {
        let hex = String(value, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func digest(_ bytes: [UInt8]) -> String {
        var hasher = FNV1a64()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.hexDigest
    }
}
