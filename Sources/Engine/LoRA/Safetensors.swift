import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [r, c], "data_offsets": [begin, end]}, "__metadata__": {…}}`,
/// padded with spaces to 8 bytes), then the tensor data; offsets are relative to the data start.
public enum SafetensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"

    public var byteSize: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .f64: 8
        }
    }
}

/// A safetensors file read into memory, every tensor's range checked against the file.
public struct SafetensorsFile: Sendable {
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        /// Byte range within the data section.
        public let range: Range<Int>
    }

    public let metadata: [String: String]
    /// In file order (by data offset).
    public let tensors: [TensorInfo]
    private let bytes: [UInt8]
    private let dataStart: Int

    public init(path: String) throws(LoRAError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .badFile("cannot read \(path)")
        }
        try self.init(bytes: [UInt8](data), name: path)
    }

    public init(bytes: [UInt8], name: String = "<memory>") throws(LoRAError) {
        guard bytes.count >= 8 else { throw .badFile("\(name): \(bytes.count) bytes is too short for a safetensors file") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8), headerLength <= 100_000_000 else {
            throw .badFile("\(name): header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let start = 8 + Int(headerLength)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes[8..<start])) } catch {
            throw .badFile("\(name): the header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw .badFile("\(name): the header is not a JSON object") }
        let dataLength = bytes.count - start
        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let m = value as? [String: Any] else { throw .badFile("\(name): __metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw .badFile("\(name): metadata value of \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [NSNumber], let offsets = entry["data_offsets"] as? [NSNumber],
                  offsets.count == 2
            else { throw .badFile("\(name): tensor \(key) lacks dtype, shape or data_offsets") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw .badFile("\(name): tensor \(key) has dtype \(dtypeName); F32, F16, BF16 and F64 are supported")
            }
            let shape = shapeValues.map(\.intValue)
            let begin = offsets[0].intValue, end = offsets[1].intValue
            guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 40 }), begin >= 0, begin <= end, end <= dataLength else {
                throw .badFile("\(name): tensor \(key) has data_offsets [\(begin), \(end)] outside the \(dataLength) data bytes")
            }
            // Checked: a shape like [78599595577, 28649, 64, 32] wraps to the real byte size otherwise.
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataLength else {
                    throw .badFile("\(name): tensor \(key) has shape \(shape), more elements than the file's \(dataLength) data bytes hold")
                }
                elements = product
            }
            guard elements * dtype.byteSize == end - begin else {
                throw .badFile("\(name): tensor \(key) has \(end - begin) bytes, its shape \(shape) of \(dtypeName) needs \(elements * dtype.byteSize)")
            }
            tensors.append(TensorInfo(name: key, dtype: dtype, shape: shape, range: begin..<end))
        }
        self.metadata = metadata
        self.tensors = tensors.sorted { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        self.bytes = bytes
        self.dataStart = start
    }

    public func tensor(_ name: String) -> TensorInfo? { tensors.first { $0.name == name } }

    /// A tensor's values widened to `Float`, row-major.
    public func floats(_ name: String) throws(LoRAError) -> [Float] {
        guard let t = tensor(name) else { throw .badFile("the adapter has no tensor \(name)") }
        let count = t.shape.reduce(1, *)
        return bytes.withUnsafeBytes { raw in
            let p = raw.baseAddress! + dataStart + t.range.lowerBound
            return [Float](unsafeUninitializedCapacity: count) { out, n in
                for i in 0..<count {
                    switch t.dtype {
                    case .f32: out[i] = Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
                    case .f16: out[i] = Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian))
                    case .bf16: out[i] = Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16)
                    case .f64: out[i] = Float(Double(bitPattern: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                    }
                }
                n = count
            }
        }
    }
}

/// Builds a safetensors file of F32 tensors, in the order added.
public struct SafetensorsWriter: Sendable {
    public var metadata: [String: String] = [:]
    private var entries: [(name: String, shape: [Int], values: [Float])] = []

    public init() {}

    /// Adds a row-major F32 tensor; `values.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], values: [Float]) throws(LoRAError) {
        guard shape.reduce(1, *) == values.count else {
            throw .mismatch("tensor \(name) has \(values.count) values for shape \(shape)")
        }
        guard !entries.contains(where: { $0.name == name }), name != "__metadata__" else {
            throw .mismatch("tensor name \(name) is used twice")
        }
        entries.append((name, shape, values))
    }

    public func serialized() -> [UInt8] {
        var header = "{"
        var offset = 0
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            parts.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        for e in entries {
            let end = offset + 4 * e.values.count
            parts.append("\(jsonString(e.name)):{\"dtype\":\"F32\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        let n = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(i)))) }
        out += headerBytes
        for e in entries {
            e.values.withUnsafeBytes { out.append(contentsOf: $0) }  // little-endian host
        }
        return out
    }

    /// Writes the file atomically (temporary name, fsync, rename).
    public func write(to path: String) throws(TrainingError) {
        try AtomicFile.write(serialized(), to: path)
    }

    private func jsonString(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        let array = data.flatMap { String(data: $0, encoding: .utf8) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }
}
