// Inverted dropout whose mask is a pure function of (key, element index), so backward regenerates
// the forward's mask instead of keeping it: out[i] = keep(i) ? x[i] / (1 − p) : 0.
//   x (count) -> out (count); out may be x.

/// One dropout mask: element i is kept when a hash of (key, i) is at least `probability`.
struct LoRADropout {
    var probability: Float
    var key: UInt64
    /// Threads `apply` splits large arrays over (the mask does not depend on it).
    var threads = 1

    /// The key of one projection's mask in one step: seed, layer and target mixed.
    static func key(seed: UInt64, layer: Int, target: Int) -> UInt64 {
        mix(seed ^ mix(UInt64(layer) &* 64 &+ UInt64(target) &+ 0x5EED))
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    func keeps(_ index: Int) -> Bool {
        Float(Self.mix(key &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03) >> 40) * 0x1p-24 >= probability
    }

    func apply(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        let scale = 1 / (1 - probability), mask = self
        Parallel.forRanges(count: count, parts: count >= 1 << 15 ? threads : 1) { range in
            for i in range { out[i] = mask.keeps(i) ? x[i] * scale : 0 }
        }
    }
}
