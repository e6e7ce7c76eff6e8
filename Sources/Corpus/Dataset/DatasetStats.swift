/// What preparing a dataset kept and dropped. Counts of characters are Unicode characters.
public struct DatasetStats: Codable, Sendable, Equatable {
    /// Records read from the input (a page of a page map is one record).
    public var recordsRead = 0
    /// Records kept, and dropped for being shorter than `minLength`.
    public var recordsKept = 0
    public var recordsDropped = 0
    /// Input lines skipped as unusable.
    public var badLines = 0
    /// Characters of the kept records.
    public var characters = 0
    /// Tokens of the kept records (EOS and template tokens included), before packing.
    public var tokens = 0
    /// Tokens that count in the loss, over all windows.
    public var trainedTokens = 0
    /// Tokens lost in packing: the dropped short tail, or truncated / dropped conversations.
    public var tokensDropped = 0
    /// Padding tokens added.
    public var paddingTokens = 0
    public var trainWindows = 0
    public var testWindows = 0
    /// Character count of every record read, in input order (for the histogram; not saved).
    public var recordLengths: [Int] = []

    public init() {}

    public var windows: Int { trainWindows + testWindows }

    enum CodingKeys: String, CodingKey {
        case recordsRead, recordsKept, recordsDropped, badLines, characters, tokens, trainedTokens,
            tokensDropped, paddingTokens, trainWindows, testWindows
    }
}

/// A text histogram of lengths: equal-width bins from 0 to the longest, one bar line per bin.
public struct LengthHistogram: Sendable, Equatable {
    /// Bin `i` covers `[i × binWidth, (i + 1) × binWidth)`; the last bin includes the maximum.
    public var binWidth: Int
    public var counts: [Int]

    public init(lengths: [Int], bins: Int = 10) {
        let bins = max(bins, 1)
        let longest = lengths.max() ?? 0
        binWidth = max(1, (longest + bins) / bins)
        counts = Array(repeating: 0, count: bins)
        for length in lengths { counts[min(max(length, 0) / binWidth, bins - 1)] += 1 }
    }

    /// One line per bin: `"   0–  99 │████████▌ 17"`, the longest bar `width` cells.
    public func lines(width: Int = 40) -> [String] {
        let most = max(counts.max() ?? 0, 1)
        let upper = binWidth * counts.count - 1
        let digits = String(upper).count
        func pad(_ value: Int) -> String { String(repeating: " ", count: max(0, digits - String(value).count)) + String(value) }
        let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return counts.enumerated().map { index, count in
            let cells = count * width * 8 / most
            let bar = String(repeating: "█", count: cells / 8) + eighths[cells % 8]
            return "\(pad(index * binWidth))–\(pad((index + 1) * binWidth - 1)) │\(bar) \(count)"
        }
    }
}
