import Foundation

/// Writes a GGUF v3 file: metadata in the given order, then tensor infos, then aligned tensor data.
/// The file is written to a temporary name beside the target and renamed into place, so a crash or
/// a full disk never leaves a half-written model under the final name.
public struct GGUFWriter {
    public struct Tensor {
        public var name: String
        public var type: GGMLType
        /// ggml order: `dimensions[0]` is the row length.
        public var dimensions: [Int]
        public var data: [UInt8]

        public init(name: String, type: GGMLType, dimensions: [Int], data: [UInt8]) {
            self.name = name
            self.type = type
            self.dimensions = dimensions
            self.data = data
        }
    }

    public var metadata: [(key: String, value: GGUFValue)] = []
    public var tensors: [Tensor] = []
    public var alignment = GGUFFile.defaultAlignment

    public init() {}

    /// Copies metadata and tensors from an existing file (tensor data copied from the map).
    public init(copying file: GGUFFile) {
        metadata = file.metadata
        alignment = file.alignment
        tensors = file.tensors.map { t in
            Tensor(name: t.name, type: t.type, dimensions: t.dimensions, data: Array(file.data(of: t)))
        }
    }

    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let i = metadata.firstIndex(where: { $0.key == key }) {
            metadata[i].value = value
        } else {
            metadata.append((key, value))
        }
    }

    /// The whole file as bytes.
    public func serialized() throws(GGUFError) -> [UInt8] {
        var out: [UInt8] = []
        try serialize { out.append(contentsOf: $0) }
        return out
    }

    public func write(to path: String) throws(GGUFError) {
        let temporary = path + ".partial-\(getpid())"
        guard let handle = fopen(temporary, "wb") else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        var failure: String?
        do {
            try serialize { bytes in
                guard failure == nil else { return }
                let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, handle) }
                if written != bytes.count { failure = String(cString: strerror(errno)) }
            }
        } catch {
            fclose(handle)
            unlink(temporary)
            throw error
        }
        if fflush(handle) != 0 || fsync(fileno(handle)) != 0 { failure = failure ?? String(cString: strerror(errno)) }
        fclose(handle)
        if let failure {
            unlink(temporary)
            throw .writeFailed(path: path, reason: failure)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .writeFailed(path: path, reason: reason)
        }
    }

    private func serialize(_ emit: ([UInt8]) -> Void) throws(GGUFError) {
        guard alignment > 0, alignment & (alignment - 1) == 0 else { throw .badAlignment(UInt64(alignment)) }
        var header = ByteBuffer()
        header.append(GGUFFile.magic)
        header.append(UInt32(3))
        header.append(UInt64(tensors.count))
        header.append(UInt64(metadata.count))
        for (key, value) in metadata {
            header.appendString(key)
            header.append(value.type.rawValue)
            try header.appendValue(value, key: key)
        }
        var offsets: [Int] = []
        var offset = 0
        for t in tensors {
            let elements = t.dimensions.reduce(1, *)
            guard t.dimensions.count >= 1, t.dimensions.count <= 4, t.dimensions[0] % t.type.blockSize == 0,
                  elements / t.type.blockSize * t.type.typeSize == t.data.count
            else {
                throw .badTensor(name: t.name, reason: "has \(t.data.count) bytes of data, which does not match its shape \(t.dimensions) and type \(t.type.name)")
            }
            offsets.append(offset)
            offset += (t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, o) in zip(tensors, offsets) {
            header.appendString(t.name)
            header.append(UInt32(t.dimensions.count))
            for d in t.dimensions { header.append(UInt64(d)) }
            header.append(t.type.rawValue)
            header.append(UInt64(o))
        }
        header.pad(to: alignment)
        emit(header.bytes)
        for t in tensors {
            emit(t.data)
            let padding = (alignment - t.data.count % alignment) % alignment
            if padding > 0 { emit([UInt8](repeating: 0, count: padding)) }
        }
    }
}

/// Little-endian serialisation helpers for the writer.
struct ByteBuffer {
    var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendString(_ s: String) {
        append(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    mutating func pad(to alignment: Int) {
        let padding = (alignment - bytes.count % alignment) % alignment
        bytes.append(contentsOf: repeatElement(0, count: padding))
    }

    mutating func appendValue(_ value: GGUFValue, key: String) throws(GGUFError) {
        switch value {
        case .uint8(let v): append(v)
        case .int8(let v): append(v)
        case .uint16(let v): append(v)
        case .int16(let v): append(v)
        case .uint32(let v): append(v)
        case .int32(let v): append(v)
        case .uint64(let v): append(v)
        case .int64(let v): append(v)
        case .float32(let v): append(v.bitPattern)
        case .float64(let v): append(v.bitPattern)
        case .bool(let v): append(UInt8(v ? 1 : 0))
        case .string(let s): appendString(s)
        case .array(let elementType, let items):
            append(elementType.rawValue)
            append(UInt64(items.count))
            for item in items {
                guard item.type == elementType else {
                    throw .wrongKeyType(key: key, expected: "an array whose items are all \(elementType)")
                }
                try appendValue(item, key: key)
            }
        }
    }
}
