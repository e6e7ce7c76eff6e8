import Engine

/// Windows of both splits and what it took to make them.
public struct PreparedSplits: Sendable {
    public var train: [TokenWindow]
    public var test: [TokenWindow]
    public var stats: DatasetStats
}

/// Records → token windows, split and shuffled: filter by length, tokenize (text: EOS at
/// paragraph ends, newlines to spaces; conversations: chat template, completion-only mask), pack
/// into windows, split by seed.
public struct DatasetPreparer: Sendable {
    public var settings: DatasetSettings

    public init(settings: DatasetSettings) {
        self.settings = settings
    }

    /// The records preparation works on: a page map's pages joined across page breaks when
    /// `joinPages` is on (see `PageJoining`), other shapes as read.
    public func records(_ read: JSONLReadResult) -> [DatasetRecord] {
        guard read.format == .pages else { return read.records }
        return settings.joinPages ? PageJoining.join(read.records, minLength: settings.minLength)
            : PageJoining.notesAtPageEnds(read.records)
    }

    /// Whether a record is kept: at least `minLength` characters once surrounding whitespace is trimmed.
    public func keeps(_ record: DatasetRecord) -> Bool {
        switch record.content {
        case .text(let text): trimmedCount(text) >= settings.minLength
        case .conversation(let messages): messages.reduce(0) { $0 + trimmedCount($1.content) } >= settings.minLength
        }
    }

    private func trimmedCount(_ text: String) -> Int {
        var count = text.count
        for character in text { if character.isWhitespace { count -= 1 } else { break } }
        if count == 0 { return 0 }
        for character in text.reversed() { if character.isWhitespace { count -= 1 } else { break } }
        return count
    }

    /// Kept text records joined into one stream. A record not ending in EOS is joined to the next
    /// with a space (a newline when newlines are kept), as a page break inside a paragraph would be.
    /// Conversations come back one stream per example.
    public func tokenize(_ records: [DatasetRecord], tokenizer: Tokenizer, chatRenderer: ChatRenderer?,
                         stats: inout DatasetStats) throws(DatasetError) -> [TokenStream] {
        var text = TokenStream()
        var examples: [TokenStream] = []
        for record in records {
            stats.recordsRead += 1
            stats.recordLengths.append(record.characterCount)
            guard keeps(record) else {
                stats.recordsDropped += 1
                continue
            }
            stats.recordsKept += 1
            stats.characters += record.characterCount
            switch record.content {
            case .text(var body):
                if text.count > 0 && text.tokens.last != tokenizer.eosID {
                    body = (settings.newlinesToSpaces ? " " : "\n") + body
                }
                text.append(TextTokenizing.tokens(of: body, tokenizer: tokenizer, settings: settings), trained: true)
            case .conversation(let messages):
                guard let chatRenderer else {
                    throw .invalidSettings("conversations need a chat template, and none was given")
                }
                examples.append(try ConversationTokenizing.tokens(
                    of: messages, record: record.line, tokenizer: tokenizer, render: chatRenderer))
            }
        }
        stats.tokens = text.count + examples.reduce(0) { $0 + $1.count }
        return text.count > 0 ? [text] + examples : examples
    }

    /// The whole pipeline. Padding uses the tokenizer's padding id, else EOS, else 0.
    public func prepare(_ records: [DatasetRecord], tokenizer: Tokenizer, chatRenderer: ChatRenderer?,
                        badLines: Int = 0) throws(DatasetError) -> PreparedSplits {
        try settings.validate()
        var stats = DatasetStats()
        stats.badLines = badLines
        let streams = try tokenize(records, tokenizer: tokenizer, chatRenderer: chatRenderer, stats: &stats)
        let padID = tokenizer.paddingID ?? tokenizer.eosID ?? 0
        let isConversation = records.contains { if case .conversation = $0.content { true } else { false } }

        let packed: (windows: [TokenWindow], droppedTokens: Int)
        if isConversation && !settings.packConversations {
            packed = WindowPacking.onePerWindow(streams, contextLength: settings.contextLength, padID: padID)
        } else {
            var stream = TokenStream()
            for part in streams { stream.append(part) }
            packed = WindowPacking.pack(stream, contextLength: settings.contextLength,
                                        padLast: settings.padLastWindow, padID: padID)
        }
        stats.tokensDropped = packed.droppedTokens
        for window in packed.windows {
            for value in window.mask {
                if value == TokenWindow.trained { stats.trainedTokens += 1 }
                if value == TokenWindow.padding { stats.paddingTokens += 1 }
            }
        }
        guard !packed.windows.isEmpty else {
            let reason = if stats.recordsKept == 0 {
                "all \(stats.recordsRead) records are shorter than --min-length \(settings.minLength)"
            } else if isConversation && !settings.packConversations {
                "every conversation's prompt fills the \(settings.contextLength)-token window (raise --ctx)"
            } else {
                "\(stats.tokens) tokens do not fill one \(settings.contextLength)-token window (lower --ctx or use --pad)"
            }
            throw .noWindows(reason: reason)
        }

        let split = DatasetSplitting.split(count: packed.windows.count, testFraction: settings.testFraction,
                                           seed: settings.seed, shuffle: settings.shuffle)
        let train = split.train.map { packed.windows[$0] }
        let test = split.test.map { packed.windows[$0] }
        stats.trainWindows = train.count
        stats.testWindows = test.count
        return PreparedSplits(train: train, test: test, stats: stats)
    }
}
