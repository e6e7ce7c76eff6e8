import Foundation

// A Swift port of the bag-of-words part of Tests/Fixtures/corpus/score.py (pdf-eval-gt/1), so tests
// need no Python: normalisation (NFKC, format characters dropped, quotes and dashes folded, a
// hyphen at a line end joining two word characters removed with the break), tokens
// \w+(?:'\w+)*, micro-averaged word P/R/F1 over the body pages (a missing page counts as all
// missed), header/footer leakage, pages wrongly included / excluded. Order F1 and char F1 are not
// ported. Agreement with score.py is pinned in ScorerAgreementTests.

/// The package root: the nearest directory above this file that holds Package.swift.
func packageRoot(_ file: String = #filePath) -> URL {
    var url = URL(fileURLWithPath: file).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
          url.path != "/"
    {
        url.deleteLastPathComponent()
    }
    return url
}

/// The corpus directory: Tests/Fixtures/corpus in the package (a copy of the shared corpus).
func corpusDirectory(_ file: String = #filePath) -> URL {
    packageRoot(file).appendingPathComponent("Tests/Fixtures/corpus")
}

func fixtureURL(_ name: String, _ file: String = #filePath) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
}

struct GroundTruth: Decodable {
    struct Page: Decodable {
        var page: Int
        var header: String?
        var footer: String?
        var body: String?
        /// The page's footnotes, each apart (the body has them too, after the prose, with their marks).
        var footnotes: [String]?
    }
    /// Ranges of crop edges that separate furniture from body: top [min, max], bottom [min, max].
    struct ValidEdges: Decodable {
        var top: [Double]
        var bottom: [Double]
    }
    var body_pages: [Int]
    var crop_box: [Double]
    var crop_box_valid: ValidEdges?
    var page_count: Int
    var pages: [Page]

    static func load(_ relativePath: String) throws -> GroundTruth {
        try load(url: corpusDirectory().appendingPathComponent(relativePath))
    }

    static func load(url: URL) throws -> GroundTruth {
        try JSONDecoder().decode(GroundTruth.self, from: Data(contentsOf: url))
    }

    var bodyRange: ClosedRange<Int> { body_pages[0]...body_pages[1] }
}

struct CorpusScore {
    var precision: Double
    var recall: Double
    var f1: Double
    var leakedTokens: Int
    var headerFooterTokens: Int
    var wronglyIncluded: [Int]
    var wronglyExcluded: [Int]
    /// Per present body page: (page, gt tokens, output tokens, matched, leaked).
    var rows: [(page: Int, gt: Int, out: Int, matched: Int, leak: Int)]
}

/// Reads pages.jsonl lines `{"<page>": "<text>"}`; a repeated page is concatenated with "\n".
func loadJSONL(_ data: Data) throws -> [Int: String] {
    var pages: [Int: String] = [:]
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
        guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: String] else { continue }
        for (key, value) in object {
            guard let n = Int(key.trimmingCharacters(in: .whitespaces)) else { continue }
            pages[n] = pages[n].map { $0 + "\n" + value } ?? value
        }
    }
    return pages
}

private let fold: [Unicode.Scalar: Unicode.Scalar] = [
    "\u{2018}": "'", "\u{2019}": "'", "\u{201a}": "'", "\u{201b}": "'", "\u{2032}": "'", "\u{02bc}": "'",
    "\u{201c}": "\"", "\u{201d}": "\"", "\u{201e}": "\"", "\u{201f}": "\"", "\u{2033}": "\"",
    "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-", "\u{2013}": "-", "\u{2014}": "-", "\u{2015}": "-",
    "\u{2212}": "-", "\u{00ad}": "-", "\u{00a0}": " ", "\u{2009}": " ", "\u{202f}": " ",
]

/// Python's `\w` for str patterns: letters, numbers (isalnum) and underscore.
private func isWordScalar(_ s: Unicode.Scalar) -> Bool {
    if s == "_" { return true }
    switch s.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .decimalNumber, .letterNumber, .otherNumber:
        return true
    default: return false
    }
}

func normalizeForScoring(_ text: String) -> [Unicode.Scalar] {
    var s: [Unicode.Scalar] = []
    for scalar in text.precomposedStringWithCompatibilityMapping.unicodeScalars {
        let folded = fold[scalar] ?? scalar
        if folded.properties.generalCategory == .format { continue }
        s.append(folded == "\r" || folded == "\u{0C}" ? "\n" : folded)  // \r\n -> \n\n is harmless for tokens
    }
    // (\w)-[ \t]*\n[ \t]*(\w) -> \1\2, left to right without overlaps like re.sub.
    var out: [Unicode.Scalar] = []
    var i = 0
    while i < s.count {
        if s[i] == "-", let last = out.last, isWordScalar(last) {
            var j = i + 1
            while j < s.count && (s[j] == " " || s[j] == "\t") { j += 1 }
            if j < s.count && s[j] == "\n" {
                j += 1
                while j < s.count && (s[j] == " " || s[j] == "\t") { j += 1 }
                if j < s.count && isWordScalar(s[j]) {
                    i = j
                    continue
                }
            }
        }
        out.append(s[i])
        i += 1
    }
    return out
}

func scoringTokens(_ text: String) -> [String] {
    let s = normalizeForScoring(text)
    var tokens: [String] = []
    var i = 0
    while i < s.count {
        guard isWordScalar(s[i]) else { i += 1; continue }
        var j = i
        while j < s.count && isWordScalar(s[j]) { j += 1 }
        // (?:'\w+)*
        while j + 1 < s.count && s[j] == "'" && isWordScalar(s[j + 1]) {
            j += 1
            while j < s.count && isWordScalar(s[j]) { j += 1 }
        }
        var token = String.UnicodeScalarView()
        token.append(contentsOf: s[i..<j])
        tokens.append(String(token))
        i = j
    }
    return tokens
}

private func counts(_ tokens: [String]) -> [String: Int] { tokens.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

func scoreOutput(_ output: [Int: String], against gt: GroundTruth) -> CorpusScore {
    let byPage = Dictionary(gt.pages.map { ($0.page, $0) }, uniquingKeysWith: { a, _ in a })
    var G = 0, O = 0, M = 0, HF = 0, L = 0
    var rows: [(Int, Int, Int, Int, Int)] = []
    var excluded: [Int] = []
    for n in gt.bodyRange {
        let page = byPage[n]
        let g = counts(scoringTokens(page?.body ?? "")), o = counts(scoringTokens(output[n] ?? ""))
        let matched = g.reduce(0) { $0 + min($1.value, o[$1.key] ?? 0) }
        let hfText = [page?.header ?? "", page?.footer ?? ""].filter { !$0.isEmpty }.joined(separator: "\n")
        let hf = counts(scoringTokens(hfText))
        // (out − gt) ∩ hf
        let leak = o.reduce(0) { sum, entry in
            let extra = entry.value - (g[entry.key] ?? 0)
            return extra > 0 ? sum + min(extra, hf[entry.key] ?? 0) : sum
        }
        let gn = g.values.reduce(0, +), on = o.values.reduce(0, +)
        G += gn; O += on; M += matched; HF += hf.values.reduce(0, +); L += leak
        if output[n] == nil { excluded.append(n) } else { rows.append((n, gn, on, matched, leak)) }
    }
    let R = G > 0 ? Double(M) / Double(G) : 0, P = O > 0 ? Double(M) / Double(O) : 0
    let F = P + R > 0 ? 2 * P * R / (P + R) : 0
    let included = output.keys.filter { !gt.bodyRange.contains($0) }.sorted()
    return CorpusScore(precision: P, recall: R, f1: F, leakedTokens: L, headerFooterTokens: HF,
                       wronglyIncluded: included, wronglyExcluded: excluded, rows: rows)
}
