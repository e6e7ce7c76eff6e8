/// Every choice `tunebench prepare` makes, recorded in the manifest so a dataset can be remade.
public struct DatasetSettings: Codable, Sendable, Equatable {
    /// Records with fewer characters than this (after trimming surrounding whitespace; for
    /// conversations, all contents together) are dropped. The default, 100, is about two
    /// sentences: it removes empty pages, part and chapter title pages and stray scraps that
    /// `tunebench extract` leaves, while keeping any page with real prose.
    public var minLength: Int = 100
    /// Put the tokenizer's EOS token where a paragraph ends (".\n" in the text: the "." is kept,
    /// the newline becomes the EOS), as the seed recipe does, so the model learns to stop.
    public var eosAtParagraphEnds: Bool = true
    /// Turn the newlines left after the EOS step into spaces (PDF text breaks lines mid-sentence).
    public var newlinesToSpaces: Bool = true
    /// Tokens per window: the context length training uses.
    public var contextLength: Int = 256
    /// Pad the short last window of a token stream (padding is out of the loss) instead of dropping it.
    public var padLastWindow: Bool = false
    /// For conversations: concatenate examples into a stream cut into full windows, instead of one
    /// example per window (truncated when longer, padded when shorter).
    public var packConversations: Bool = false
    /// Fraction of windows held out for evaluation, in [0, 1).
    public var testFraction: Double = 0.1
    /// Seed of the split and the shuffle (SplitMix64).
    public var seed: UInt64 = 42
    /// Shuffle the windows of each split; when false they keep their order in the input.
    public var shuffle: Bool = true
    /// For page maps: a page that continues the previous one's sentence (or is too short to stand
    /// alone) joins it in one record, so no sentence is cut at a page break and a chapter's short
    /// last page is not dropped by `minLength`. See `PageJoining`.
    public var joinPages: Bool = true

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case minLength, eosAtParagraphEnds, newlinesToSpaces, contextLength, padLastWindow, packConversations
        case testFraction, seed, shuffle, joinPages
    }

    /// Manifests written before `joinPages` existed read as made without joining.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minLength = try c.decode(Int.self, forKey: .minLength)
        eosAtParagraphEnds = try c.decode(Bool.self, forKey: .eosAtParagraphEnds)
        newlinesToSpaces = try c.decode(Bool.self, forKey: .newlinesToSpaces)
        contextLength = try c.decode(Int.self, forKey: .contextLength)
        padLastWindow = try c.decode(Bool.self, forKey: .padLastWindow)
        packConversations = try c.decode(Bool.self, forKey: .packConversations)
        testFraction = try c.decode(Double.self, forKey: .testFraction)
        seed = try c.decode(UInt64.self, forKey: .seed)
        shuffle = try c.decode(Bool.self, forKey: .shuffle)
        joinPages = try c.decodeIfPresent(Bool.self, forKey: .joinPages) ?? false
    }

    /// Checks ranges (for the command line, the workspace file and the Dataset pane alike).
    public func validate() throws(DatasetError) {
        guard minLength >= 0 else { throw .invalidSettings("the min length must be 0 or more, not \(minLength)") }
        guard contextLength >= 2 && contextLength <= 1 << 20 else {
            throw .invalidSettings("the context length must be between 2 and 1048576 tokens, not \(contextLength)")
        }
        guard testFraction >= 0 && testFraction < 1 else { throw .invalidSettings("the test fraction must be in [0, 1), not \(testFraction)") }
    }
}
