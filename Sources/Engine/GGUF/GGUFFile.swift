/// A tensor's description in a GGUF file and a zero-copy view of its data.
public struct GGUFTensor: Sendable {
    public let name: String
    /// ggml order: `dimensions[0]` is the innermost (the row length), as in the file.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Offset of the data from the start of the file.
    public let fileOffset: Int
    public let byteCount: Int
    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Row length and number of rows when viewed as a matrix (higher dimensions fold into rows).
    public var rowLength: Int { dimensions.first ?? 1 }
    public var rowCount: Int { elementCount / max(rowLength, 1) }
}

/// A parsed GGUF file (versions 2 and 3): metadata in file order, tensor infos, and the mapped data.
/// Every count, length and offset is checked against the file's size before it is used, so a corrupt
/// or truncated file gives a `GGUFError` instead of a crash or a huge allocation.
public struct GGUFFile: Sendable {
    public static let magic: UInt32 = 0x4655_4747  // "GGUF" little-endian
    public static let defaultAlignment = 32

    public let version: UInt32
    public let metadata: [(key: String, value: GGUFValue)]
    public let tensors: [GGUFTensor]
    public let alignment: Int
    public let dataOffset: Int
    public let file: MappedFile
    private let keyIndex: [String: Int]
    private let tensorIndex: [String: Int]

    public init(path: String) throws(GGUFError) {
        let file = try MappedFile(path: path)
        try self.init(mapped: file)
    }

    public init(mapped file: MappedFile) throws(GGUFError) {
        self.file = file
        var reader = GGUFByteReader(bytes: file.bytes)
        let magic = try reader.read(UInt32.self, "the magic number")
        guard magic == GGUFFile.magic else { throw .badMagic(found: magic) }
        version = try reader.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        let tensorCount = try reader.read(UInt64.self, "the tensor count")
        let kvCount = try reader.read(UInt64.self, "the metadata count")
        // Each metadata entry takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info
        // at least 8 (name length) + 4 (dims) + 4 (type) + 8 (offset).
        try reader.checkCount(kvCount, minimumSize: 13, "the metadata count")
        try reader.checkCount(tensorCount, minimumSize: 24, "the tensor count")

        var metadata: [(key: String, value: GGUFValue)] = []
        var keyIndex: [String: Int] = [:]
        metadata.reserveCapacity(Int(kvCount))
        for _ in 0..<Int(kvCount) {
            let key = try reader.readString("a metadata key")
            let rawType = try reader.read(UInt32.self, "the type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else { throw .badValueType(rawType, key: key) }
            let value = try reader.readValue(type, key: key, depth: 0)
            guard keyIndex[key] == nil else { throw .duplicateKey(key) }
            keyIndex[key] = metadata.count
            metadata.append((key, value))
        }
        self.metadata = metadata
        self.keyIndex = keyIndex

        var alignment = GGUFFile.defaultAlignment
        if let index = keyIndex["general.alignment"] {
            guard let a = metadata[index].value.intValue, a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
                throw .badAlignment(UInt64(metadata[index].value.intValue ?? 0))
            }
            alignment = a
        }
        self.alignment = alignment

        struct Info { var name: String; var dims: [Int]; var type: GGMLType; var offset: UInt64 }
        var infos: [Info] = []
        infos.reserveCapacity(Int(tensorCount))
        for _ in 0..<Int(tensorCount) {
            let name = try reader.readString("a tensor name")
            let nDims = try reader.read(UInt32.self, "the dimension count of '\(name)'")
            guard nDims >= 1, nDims <= 4 else { throw .badTensor(name: name, reason: "has \(nDims) dimensions (1 to 4 allowed)") }
            var dims: [Int] = []
            for _ in 0..<nDims {
                let d = try reader.read(UInt64.self, "a dimension of '\(name)'")
                guard d >= 1, d <= UInt64(file.bytes.count) * 8 else {
                    throw .badTensor(name: name, reason: "has dimension \(d), impossible for a \(file.bytes.count)-byte file")
                }
                dims.append(Int(d))
            }
            let rawType = try reader.read(UInt32.self, "the type of '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else { throw .unknownTensorType(rawType, tensor: name) }
            let offset = try reader.read(UInt64.self, "the data offset of '\(name)'")
            infos.append(Info(name: name, dims: dims, type: type, offset: offset))
        }

        let dataOffset = (reader.offset + alignment - 1) / alignment * alignment
        self.dataOffset = dataOffset
        var tensors: [GGUFTensor] = []
        var tensorIndex: [String: Int] = [:]
        tensors.reserveCapacity(infos.count)
        for info in infos {
            let (elements, overflow) = info.dims.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            guard !overflow else { throw .badTensor(name: info.name, reason: "has more elements than can be addressed") }
            guard info.dims[0] % info.type.blockSize == 0 else {
                throw .badTensor(name: info.name, reason: "has rows of \(info.dims[0]) elements, not a multiple of the \(info.type.name) block size \(info.type.blockSize)")
            }
            // Checked: an F32 [786899456, 786899456, 4] passes the element count, then wraps here.
            let (byteCount, bytesOverflow) = (elements / info.type.blockSize).multipliedReportingOverflow(by: info.type.typeSize)
            guard !bytesOverflow else { throw .badTensor(name: info.name, reason: "has more bytes than can be addressed") }
            guard info.offset % UInt64(alignment) == 0 else {
                throw .badTensor(name: info.name, reason: "has data offset \(info.offset), not aligned to \(alignment)")
            }
            let (end, endOverflow) = (dataOffset + Int(min(info.offset, UInt64(file.bytes.count)))).addingReportingOverflow(byteCount)
            guard info.offset <= UInt64(file.bytes.count), !endOverflow, end <= file.bytes.count else {
                throw .truncated(what: "the data of tensor '\(info.name)'", offset: dataOffset + Int(min(info.offset, UInt64(file.bytes.count))),
                                 needed: byteCount, fileSize: file.bytes.count)
            }
            guard tensorIndex[info.name] == nil else { throw .duplicateTensor(info.name) }
            tensorIndex[info.name] = tensors.count
            tensors.append(GGUFTensor(name: info.name, dimensions: info.dims, type: info.type,
                                      fileOffset: dataOffset + Int(info.offset), byteCount: byteCount))
        }
        // Each tensor's bytes are its own: one that overlaps another would read its neighbour's data.
        let byOffset = tensors.sorted { $0.fileOffset < $1.fileOffset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.fileOffset + a.byteCount > b.fileOffset {
            throw .badTensor(name: b.name, reason: "overlaps the data of tensor '\(a.name)'")
        }
        self.tensors = tensors
        self.tensorIndex = tensorIndex
    }

    // MARK: Metadata access

    public subscript(key: String) -> GGUFValue? { keyIndex[key].map { metadata[$0].value } }

    public func int(_ key: String) throws(GGUFError) -> Int {
        guard let v = self[key] else { throw .missingKey(key) }
        guard let i = v.intValue else { throw .wrongKeyType(key: key, expected: "an integer") }
        return i
    }

    public func double(_ key: String) throws(GGUFError) -> Double {
        guard let v = self[key] else { throw .missingKey(key) }
        guard let d = v.doubleValue else { throw .wrongKeyType(key: key, expected: "a number") }
        return d
    }

    public func string(_ key: String) throws(GGUFError) -> String {
        guard let v = self[key] else { throw .missingKey(key) }
        guard let s = v.stringValue else { throw .wrongKeyType(key: key, expected: "a string") }
        return s
    }

    public func strings(_ key: String) throws(GGUFError) -> [String] {
        guard let v = self[key] else { throw .missingKey(key) }
        guard case .array(.string, let items) = v else { throw .wrongKeyType(key: key, expected: "an array of strings") }
        return items.map { $0.stringValue ?? "" }
    }

    public func ints(_ key: String) throws(GGUFError) -> [Int] {
        guard let v = self[key] else { throw .missingKey(key) }
        guard case .array(_, let items) = v else { throw .wrongKeyType(key: key, expected: "an array of integers") }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let i = item.intValue else { throw .wrongKeyType(key: key, expected: "an array of integers") }
            result.append(i)
        }
        return result
    }

    // MARK: Tensor access

    public func tensor(_ name: String) -> GGUFTensor? { tensorIndex[name].map { tensors[$0] } }

    /// The tensor's bytes, in place in the mapped file.
    public func data(of tensor: GGUFTensor) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[tensor.fileOffset..<(tensor.fileOffset + tensor.byteCount)])
    }
}

/// A bounds-checked little-endian cursor over the file's bytes.
struct GGUFByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    /// Nested arrays deeper than this are refused (the format allows them; no real file needs many).
    static let maximumDepth = 8

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard n >= 0, n <= remaining else {
            throw .truncated(what: what(), offset: offset, needed: n, fileSize: bytes.count)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try need(MemoryLayout<T>.size, what())
        let v = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return v
    }

    func checkCount(_ count: UInt64, minimumSize: Int, _ what: String) throws(GGUFError) {
        let limit = UInt64(remaining / minimumSize)
        guard count <= limit else { throw .absurdCount(what: what, count: count, limit: limit) }
    }

    mutating func readString(_ what: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try read(UInt64.self, what())
        guard length <= UInt64(remaining) else {
            throw .truncated(what: what(), offset: offset, needed: Int(clamping: length), fileSize: bytes.count)
        }
        let start = offset
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
        offset += Int(length)
        guard let s = String(validating: slice, as: UTF8.self) else { throw .badUTF8(what: what(), offset: start) }
        return s
    }

    mutating func readValue(_ type: GGUFValueType, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
        let what = "the value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try read(UInt8.self, what))
        case .int8: return .int8(try read(Int8.self, what))
        case .uint16: return .uint16(try read(UInt16.self, what))
        case .int16: return .int16(try read(Int16.self, what))
        case .uint32: return .uint32(try read(UInt32.self, what))
        case .int32: return .int32(try read(Int32.self, what))
        case .uint64: return .uint64(try read(UInt64.self, what))
        case .int64: return .int64(try read(Int64.self, what))
        case .float32: return .float32(Float(bitPattern: try read(UInt32.self, what)))
        case .float64: return .float64(Double(bitPattern: try read(UInt64.self, what)))
        case .bool:
            let b = try read(UInt8.self, what)
            guard b <= 1 else { throw .badValueType(UInt32(b), key: key + " (bool)") }
            return .bool(b == 1)
        case .string: return .string(try readString(what))
        case .array:
            guard depth < GGUFByteReader.maximumDepth else {
                throw .absurdCount(what: "the array nesting of '\(key)'", count: UInt64(depth + 1), limit: UInt64(GGUFByteReader.maximumDepth))
            }
            let rawType = try read(UInt32.self, "the element type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: rawType) else { throw .badValueType(rawType, key: key) }
            let count = try read(UInt64.self, "the length of '\(key)'")
            try checkCount(count, minimumSize: elementType.minimumSize, "the length of '\(key)'")
            var items: [GGUFValue] = []
            items.reserveCapacity(Int(count))
            for _ in 0..<Int(count) { items.append(try readValue(elementType, key: key, depth: depth + 1)) }
            return .array(elementType, items)
        }
    }
}
