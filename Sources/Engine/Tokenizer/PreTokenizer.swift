/// The split that runs before BPE: text -> words, so merges never cross a word boundary.
///
/// Each case is a hand-written scanner equivalent to the regex llama.cpp (`llama-vocab.cpp`) and HF
/// `tokenizers` use for that model family — much faster than a regex engine. The patterns:
///
/// - `gpt2`: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// - `smollm`: every `\p{N}` scalar alone (HF `Digits(individual_digits)`, llama.cpp `\p{N}`),
///   then the gpt2 pattern on the text between digits. Also StarCoder, Refact, Command-R.
/// - `llama3` (`llama-bpe`): `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
///   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`; merges are skipped for words already in
///   the vocabulary (`ignore_merges`).
/// - `qwen2`: the llama3 pattern with `\p{N}` (single digits) instead of `\p{N}{1,3}`.
enum PreTokenizer: Sendable, Equatable {
    case gpt2
    case smollm
    case llama3
    case qwen2

    /// The names `init(name:)` accepts (GGUF `tokenizer.ggml.pre` values).
    static let supportedNames = ["gpt2", "smollm", "starcoder", "refact", "command-r", "llama3", "llama-bpe", "qwen2"]

    init(name: String) throws {
        switch name {
        case "gpt2": self = .gpt2
        case "smollm", "starcoder", "refact", "command-r": self = .smollm
        case "llama3", "llama-bpe": self = .llama3
        case "qwen2": self = .qwen2
        default: throw TokenizerError.unknownPreTokenizer(name: name, supported: Self.supportedNames)
        }
    }

    /// llama.cpp sets `ignore_merges` for the llama3 family: a word that is itself a token is emitted
    /// whole, without running BPE.
    var ignoresMerges: Bool { self == .llama3 }

    /// Splits a fragment (already loaded into `scratch`) and appends each word's end, as a UTF-8
    /// offset into the fragment, to `ends`. Words are contiguous and cover the fragment.
    func appendWordEnds(_ scratch: ScalarScratch, to ends: inout [Int]) {
        scratch.classes.withUnsafeBufferPointer { classes in
            scratch.values.withUnsafeBufferPointer { values in
                scratch.offsets.withUnsafeBufferPointer { offsets in
                    let scanner = WordScanner(classes: classes, values: values)
                    let count = classes.count
                    switch self {
                    case .gpt2:
                        scanner.scanGPT2(0, count) { ends.append(offsets[$0]) }
                    case .smollm:
                        var i = 0
                        while i < count {
                            if classes[i] & ScalarClass.number != 0 {
                                i += 1
                                ends.append(offsets[i])
                                continue
                            }
                            var j = i
                            while j < count && classes[j] & ScalarClass.number == 0 { j += 1 }
                            scanner.scanGPT2(i, j) { ends.append(offsets[$0]) }
                            i = j
                        }
                    case .llama3:
                        scanner.scanLlama3(0, count, maxDigits: 3) { ends.append(offsets[$0]) }
                    case .qwen2:
                        scanner.scanLlama3(0, count, maxDigits: 1) { ends.append(offsets[$0]) }
                    }
                }
            }
        }
    }

    /// The words of `text` as strings (for tests and tools; `Tokenizer.encode` uses the offsets).
    func split(_ text: String) -> [String] {
        var scratch = ScalarScratch()
        let utf8 = Array(text.utf8)
        var ends: [Int] = []
        utf8.withUnsafeBufferPointer { scratch.load($0) }
        appendWordEnds(scratch, to: &ends)
        var words: [String] = []
        var start = 0
        for end in ends {
            words.append(String(decoding: utf8[start..<end], as: UTF8.self))
            start = end
        }
        return words
    }
}

/// The scanners proper, over scalar indices `start ..< end` of one fragment. `emit(j)` reports that
/// a word ends before scalar j. At each position the regex alternatives are tried in order, exactly
/// as a backtracking regex engine would, and the first that matches wins.
private struct WordScanner {
    let classes: UnsafeBufferPointer<UInt8>
    let values: UnsafeBufferPointer<UInt32>

    private static let apostrophe: UInt32 = 0x27

    /// Length of a contraction (`'s 't 're 've 'm 'll 'd`) starting at i, or 0.
    @inline(__always)
    private func contraction(_ i: Int, _ end: Int, caseInsensitive: Bool) -> Int {
        guard values[i] == Self.apostrophe, i + 1 < end else { return 0 }
        func lower(_ v: UInt32) -> UInt32 {
            caseInsensitive && v >= 0x41 && v <= 0x5A ? v + 0x20 : v
        }
        let a = lower(values[i + 1])
        if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return 2 }  // s t m d
        guard i + 2 < end else { return 0 }
        let b = lower(values[i + 2])
        if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) {
            return 3  // re ve ll
        }
        return 0
    }

    @inline(__always) private func run(of bits: UInt8, from i: Int, _ end: Int) -> Int {
        var j = i
        while j < end && classes[j] & bits != 0 { j += 1 }
        return j
    }

    /// Run of `[^\s\p{L}\p{N}]`.
    @inline(__always) private func otherRun(from i: Int, _ end: Int) -> Int {
        let word = ScalarClass.letter | ScalarClass.number | ScalarClass.whitespace
        var j = i
        while j < end && classes[j] & word == 0 { j += 1 }
        return j
    }

    /// `\s+(?!\S)|\s+` at a whitespace scalar i: the whole run if it ends the text, else the run
    /// minus its last scalar (which then leads the next word), else the single scalar.
    @inline(__always) private func trailingWhitespace(_ i: Int, _ end: Int) -> Int {
        let k = run(of: ScalarClass.whitespace, from: i, end)
        if k == end { return k }
        return k - i >= 2 ? k - 1 : i + 1
    }

    @inline(__always) private func isOther(_ c: UInt8) -> Bool {
        c & (ScalarClass.letter | ScalarClass.number | ScalarClass.whitespace) == 0
    }

    func scanGPT2(_ start: Int, _ end: Int, emit: (Int) -> Void) {
        let letter = ScalarClass.letter, number = ScalarClass.number
        var i = start
        while i < end {
            let c = classes[i]
            let next: UInt8 = i + 1 < end ? classes[i + 1] : ScalarClass.whitespace
            let isSpace = c & ScalarClass.space != 0
            var j = i + contraction(i, end, caseInsensitive: false)
            if j == i {
                if c & letter != 0 || (isSpace && next & letter != 0) {  //  ?\p{L}+
                    j = run(of: letter, from: i + 1, end)
                } else if c & number != 0 || (isSpace && next & number != 0) {  //  ?\p{N}+
                    j = run(of: number, from: i + 1, end)
                } else if isOther(c) || (isSpace && isOther(next)) {  //  ?[^\s\p{L}\p{N}]+
                    j = otherRun(from: i + 1, end)
                } else {
                    j = trailingWhitespace(i, end)
                }
            }
            emit(j)
            i = j
        }
    }

    func scanLlama3(_ start: Int, _ end: Int, maxDigits: Int, emit: (Int) -> Void) {
        let letter = ScalarClass.letter, number = ScalarClass.number
        let newline = ScalarClass.newline
        var i = start
        while i < end {
            let c = classes[i]
            let next: UInt8 = i + 1 < end ? classes[i + 1] : ScalarClass.whitespace
            var j = i + contraction(i, end, caseInsensitive: true)
            if j == i {
                if c & letter != 0 {  // \p{L}+
                    j = run(of: letter, from: i + 1, end)
                } else if c & (letter | number | newline) == 0 && next & letter != 0 {
                    j = run(of: letter, from: i + 1, end)  // [^\r\n\p{L}\p{N}]\p{L}+
                } else if c & number != 0 {  // \p{N}{1,maxDigits}
                    j = i + 1
                    while j < end && j - i < maxDigits && classes[j] & number != 0 { j += 1 }
                } else if isOther(c) || (c & ScalarClass.space != 0 && isOther(next)) {
                    j = otherRun(from: i + 1, end)  //  ?[^\s\p{L}\p{N}]+[\r\n]*
                    j = run(of: newline, from: j, end)
                } else {
                    // \s*[\r\n]+ : up to and including the run's last newline, if it has one.
                    let k = run(of: ScalarClass.whitespace, from: i, end)
                    var lastNewline = -1
                    for p in i..<k where classes[p] & newline != 0 { lastNewline = p }
                    j = lastNewline >= 0 ? lastNewline + 1 : trailingWhitespace(i, end)
                }
            }
            emit(j)
            i = j
        }
    }
}
