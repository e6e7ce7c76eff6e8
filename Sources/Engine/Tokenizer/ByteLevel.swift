/// GPT-2's byte-level alphabet: every byte 0...255 is shown as a printable Unicode scalar, so that
/// BPE vocabularies can be stored as text. Printable Latin-1 bytes map to themselves; the other 68
/// bytes (controls, space, 0x7F-0xA0, 0xAD) map to U+0100... in byte order (space -> U+0120 `Ġ`).
/// Same table as `bytes_to_unicode()` in OpenAI's GPT-2 encoder.py and HF `tokenizers` ByteLevel.
enum ByteLevel {
    /// byte -> scalar value (256 entries).
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte)
                || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// scalar value (0..<324) -> byte, or -1 for scalars outside the alphabet.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in scalarForByte.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    /// The byte-level string of raw bytes (what the vocabulary stores).
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(Unicode.Scalar(scalarForByte[Int(byte)])!) }
        return String(text)
    }

    /// Raw bytes of a byte-level token string. A scalar outside the alphabet (a vocabulary that
    /// stores some tokens as plain text) contributes its own UTF-8 bytes.
    static func decode(_ token: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let value = scalar.value
            if value < 324, byteForScalar[Int(value)] >= 0 {
                bytes.append(UInt8(byteForScalar[Int(value)]))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }
}
