/// BPE merge ranks keyed by the pair of token ids: `(left << 32 | right) -> (rank, merged id)`.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full; a lookup
/// is one multiply, a shift and usually one probe — no hashing of strings in the BPE inner loop.
struct MergeTable: Sendable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    /// `rank << 32 | mergedID`, parallel to `keys`.
    private var values: [UInt64]
    private let shift: UInt64
    private let mask: Int

    init(capacityFor count: Int) {
        var bits = 4
        while (1 << bits) < count * 2 { bits += 1 }
        keys = [UInt64](repeating: Self.empty, count: 1 << bits)
        values = [UInt64](repeating: 0, count: 1 << bits)
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
    }

    @inline(__always) static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Inserts unless the pair is already there (the first, highest-priority merge wins).
    mutating func insert(left: Int32, right: Int32, rank: UInt32, merged: Int32) {
        let key = Self.key(left, right)
        var index = slot(key)
        while keys[index] != Self.empty {
            if keys[index] == key { return }
            index = (index + 1) & mask
        }
        keys[index] = key
        values[index] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// Calls `body` with raw views for the hot loop.
    func withLookup<R>(_ body: (MergeLookup) -> R) -> R {
        keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in
                body(MergeLookup(keys: keys, values: values, shift: shift, mask: mask))
            }
        }
    }
}

/// A borrowed, allocation-free view of a `MergeTable`, valid inside `withLookup`.
struct MergeLookup {
    let keys: UnsafeBufferPointer<UInt64>
    let values: UnsafeBufferPointer<UInt64>
    let shift: UInt64
    let mask: Int

    /// `rank << 32 | mergedID` of the pair, or `UInt64.max` when the pair never merges.
    @inline(__always) func find(_ left: Int32, _ right: Int32) -> UInt64 {
        let key = MergeTable.key(left, right)
        var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let stored = keys[index]
            if stored == key { return values[index] }
            if stored == UInt64.max { return UInt64.max }
            index = (index + 1) & mask
        }
    }
}
