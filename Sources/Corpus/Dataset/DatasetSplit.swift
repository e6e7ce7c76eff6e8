import Engine

/// The two parts of a prepared dataset.
public enum DatasetSplit: String, CaseIterable, Codable, Sendable {
    case train, test
}

/// A deterministic train/test split and shuffle: a seeded Fisher–Yates permutation (SplitMix64,
/// so every platform gets the same one); its first `round(count × testFraction)` items are the
/// test split (at least one when the fraction is positive and there are two or more items).
public enum DatasetSplitting {
    /// Indices into `0..<count` for each split. With `shuffle`, each split is in permutation
    /// order; without, in ascending order.
    public static func split(count: Int, testFraction: Double, seed: UInt64, shuffle: Bool)
        -> (train: [Int], test: [Int])
    {
        let order = permutation(count: count, seed: seed)
        var testCount = Int((Double(count) * testFraction).rounded())
        if testFraction > 0 && count >= 2 { testCount = max(testCount, 1) }
        testCount = min(testCount, max(count - 1, 0))
        var test = Array(order[..<testCount])
        var train = Array(order[testCount...])
        if !shuffle {
            test.sort()
            train.sort()
        }
        return (train, test)
    }

    /// A uniformly random permutation of `0..<count` determined by `seed`.
    public static func permutation(count: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        var order = Array(0..<count)
        var index = count - 1
        while index > 0 {
            // Uniform in 0...index by a 64×64→128-bit multiply (bias below 2^-40 for any real count).
            let pick = Int(rng.next().multipliedFullWidth(by: UInt64(index + 1)).high)
            order.swapAt(index, pick)
            index -= 1
        }
        return order
    }
}
