/// Everything that can be wrong with a GGUF file, each with a message a user can act on.
public enum GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotOpen(path: String, reason: String)
    case badMagic(found: UInt32)
    case unsupportedVersion(UInt32)
    case truncated(what: String, offset: Int, needed: Int, fileSize: Int)
    case absurdCount(what: String, count: UInt64, limit: UInt64)
    case badValueType(UInt32, key: String)
    case badUTF8(what: String, offset: Int)
    case duplicateKey(String)
    case duplicateTensor(String)
    case badTensor(name: String, reason: String)
    case unknownTensorType(UInt32, tensor: String)
    case badAlignment(UInt64)
    case missingKey(String)
    case wrongKeyType(key: String, expected: String)
    case writeFailed(path: String, reason: String)

    /// One line, whatever the file held: names and keys come from the file, so control characters
    /// are escaped and a runaway name is cut.
    public var description: String {
        var line = ""
        for scalar in message.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                line += String(format: "\\x%02X", scalar.value)
            } else {
                line.unicodeScalars.append(scalar)
            }
        }
        return line.count > 400 ? String(line.prefix(400)) + "…" : line
    }

    private var message: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .badMagic(let found):
            let hex = String(found, radix: 16, uppercase: true)
            return "not a GGUF file (magic is 0x\(hex), expected 'GGUF')"
        case .unsupportedVersion(let v): return "unsupported GGUF version \(v) (TuneBench reads versions 2 and 3)"
        case .truncated(let what, let offset, let needed, let size):
            return "truncated GGUF file: \(what) needs \(needed) bytes at offset \(offset), but the file has \(size) bytes"
        case .absurdCount(let what, let count, let limit):
            return "corrupt or truncated GGUF file: \(what) is \(count), more than the file can hold (at most \(limit))"
        case .badValueType(let t, let key): return "corrupt GGUF file: metadata key '\(key)' has unknown value type \(t)"
        case .badUTF8(let what, let offset): return "corrupt GGUF file: \(what) at offset \(offset) is not valid UTF-8"
        case .duplicateKey(let k): return "corrupt GGUF file: metadata key '\(k)' appears twice"
        case .duplicateTensor(let n): return "corrupt GGUF file: tensor '\(n)' appears twice"
        case .badTensor(let name, let reason): return "corrupt GGUF file: tensor '\(name)' \(reason)"
        case .unknownTensorType(let t, let name): return "tensor '\(name)' has unknown ggml type \(t)"
        case .badAlignment(let a): return "corrupt GGUF file: general.alignment \(a) is not a power of two"
        case .missingKey(let k): return "GGUF metadata has no '\(k)'"
        case .wrongKeyType(let k, let expected): return "GGUF metadata '\(k)' is not \(expected)"
        case .writeFailed(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}
