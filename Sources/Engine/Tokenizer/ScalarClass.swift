/// Character classes the pre-tokenizer regexes use, one bit each, per Unicode scalar:
/// `\p{L}` letters, `\p{N}` numbers, `\s` (the White_Space property), `[\r\n]`, and U+0020.
enum ScalarClass {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 4
    static let newline: UInt8 = 8
    static let space: UInt8 = 16

    /// Classes of U+0000...U+FFFF, computed once (64 KiB); astral scalars are classified on the fly.
    static let basicPlane: [UInt8] = (0..<0x1_0000).map { classify(UInt32($0)) }

    static func classify(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        var bits: UInt8 = 0
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            bits |= letter
        case .decimalNumber, .letterNumber, .otherNumber:
            bits |= number
        default: break
        }
        if scalar.properties.isWhitespace { bits |= whitespace }
        if value == 0x0A || value == 0x0D { bits |= newline }
        if value == 0x20 { bits |= space }
        return bits
    }
}

/// One text fragment decoded to scalars: parallel arrays reused across fragments so the scan
/// allocates nothing once warm.
struct ScalarScratch {
    /// Class bits (`ScalarClass`) of scalar i.
    var classes: [UInt8] = []
    /// Scalar values (only ASCII ones are inspected, for the contractions).
    var values: [UInt32] = []
    /// UTF-8 offset of scalar i within the fragment; one extra entry = fragment length.
    var offsets: [Int] = []

    /// Decodes valid UTF-8 (Swift strings always are).
    mutating func load(_ utf8: UnsafeBufferPointer<UInt8>) {
        classes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        ScalarClass.basicPlane.withUnsafeBufferPointer { table in
            var i = 0
            let n = utf8.count
            while i < n {
                let lead = utf8[i]
                var value: UInt32
                var length: Int
                if lead < 0x80 {
                    value = UInt32(lead); length = 1
                } else if lead < 0xE0 {
                    value = UInt32(lead & 0x1F); length = 2
                } else if lead < 0xF0 {
                    value = UInt32(lead & 0x0F); length = 3
                } else {
                    value = UInt32(lead & 0x07); length = 4
                }
                if i + length > n { length = n - i }  // defensive; cannot happen for a String
                for k in 1..<max(length, 1) { value = value << 6 | UInt32(utf8[i + k] & 0x3F) }
                classes.append(value < 0x1_0000 ? table[Int(value)] : ScalarClass.classify(value))
                values.append(value)
                offsets.append(i)
                i += length
            }
            offsets.append(n)
        }
    }
}
