/// A map from byte strings to `Int32` values that looks up straight from a raw buffer, so the
/// tokenizer never builds a `String` or `[UInt8]` to ask "is this word known?".
///
/// Keys live back to back in one byte arena; the open-addressed index (kept at most half full)
/// holds entry numbers. Used for the token-bytes -> id index and for the per-call word cache.
struct ByteSequenceTable: Sendable {
    private var arena: [UInt8] = []
    /// Entry i's key is `arena[starts[i] ..< starts[i + 1]]`.
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    private(set) var values: [Int32] = []
    /// Entry number + 1 per slot; 0 = empty.
    private var slots: [Int32]
    private var mask: Int

    init(minimumCapacity: Int = 64) {
        var size = 16
        while size < minimumCapacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    /// FNV-1a over the bytes, then a multiply to spread the low bits used for the slot.
    @inline(__always) static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h &* 0x9E37_79B9_7F4A_7C15
    }

    func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        find(bytes, hash: Self.hash(bytes))
    }

    func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32? {
        slots.withUnsafeBufferPointer { slots in
            var index = Int(truncatingIfNeeded: hash >> 32) & mask
            while true {
                let entry = Int(slots[index]) - 1
                if entry < 0 { return nil }
                if hashes[entry] == hash && keyEquals(entry, bytes) { return values[entry] }
                index = (index + 1) & mask
            }
        }
    }

    private func keyEquals(_ entry: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[entry]
        let length = starts[entry + 1] - start
        guard length == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { arena in
            for i in 0..<length where arena[start + i] != bytes[i] { return false }
            return true
        }
    }

    /// Adds a key (callers check `find` first; a duplicate key is shadowed by the older entry).
    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, value: Int32) {
        if (values.count + 1) * 2 > slots.count { grow() }
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        hashes.append(hash)
        values.append(value)
        place(entry: values.count - 1)
    }

    mutating func insert(_ bytes: [UInt8], value: Int32) {
        bytes.withUnsafeBufferPointer { insert($0, hash: Self.hash($0), value: value) }
    }

    private mutating func place(entry: Int) {
        var index = Int(truncatingIfNeeded: hashes[entry] >> 32) & mask
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for entry in 0..<values.count { place(entry: entry) }
    }
}
