import Foundation

/// A header/footer candidate: lines of the same normalised text at the same height on several
/// pages, and the verdict on it.
public struct JudgedLine: Equatable, Sendable {
    public enum Zone: String, Sendable { case header, footer }
    /// Normalised text: lower case, digit runs and roman numerals replaced by "#".
    public var pattern: String
    /// The text of one of its lines, as printed.
    public var example: String
    public var zone: Zone
    /// Vertical extent of its lines, in points from the top of the page.
    public var top: Double
    public var bottom: Double
    /// Pages where it appears (1-based).
    public var pages: [Int]
    /// Judged running furniture (cut) or not (e.g. chapter headings that share their height with
    /// body text on other pages).
    public var isFurniture: Bool
    public var reason: String

    /// How a list shows it: "page number '17'" for a bare folio, else the example in quotes.
    public var shownAs: String { pattern == "#" ? "page number '\(example)'" : "'\(example)'" }
}

/// One factor of an auto crop's confidence, with what it rests on.
public struct ConfidenceSignal: Equatable, Sendable, CustomStringConvertible {
    /// What is measured, e.g. "running furniture".
    public var name: String
    /// 0…1; the confidence is the product of all factors.
    public var factor: Double
    /// The evidence, e.g. "head 'Persuasion' on 86% of body pages".
    public var evidence: String

    public var description: String { String(format: "%@ ×%.2f: %@", name, factor, evidence) }
}

/// A run of pages auto crop left out of the body, and why.
public struct ExcludedPages: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case frontMatter = "front matter", backMatter = "back matter" }
    public var pages: ClosedRange<Int>
    public var kind: Kind
    /// The evidence, e.g. "page 3 is a table of contents ('Contents')".
    public var reason: String

    public var description: String {
        let range = pages.count == 1 ? "page \(pages.lowerBound)" : "pages \(pages.lowerBound)–\(pages.upperBound)"
        return "\(range) left out, \(kind.rawValue): \(reason)"
    }
}

/// What `AutoCrop.propose` suggests for a whole book; the user can accept or adjust it.
public struct CropProposal: Equatable, Sendable {
    public var box: CropBox
    /// The pages of the body: after title page, contents and front matter, before appendices,
    /// notes and index.
    public var bodyPages: ClosedRange<Int>
    /// 0…1: how consistent the evidence is (see `AutoCrop.propose`).
    public var confidence: Double
    /// Every repeated line considered, furniture or not.
    public var evidence: [JudgedLine]
    /// Why the body starts and ends where it does, one line each.
    public var pageRangeReason: [String]
    /// The factors whose product is `confidence`, each with its evidence.
    public var signals: [ConfidenceSignal] = []
    /// The pages before and after the body, with the evidence for leaving each run out.
    public var excludedPages: [ExcludedPages] = []

    /// Below this confidence `extract --auto` warns and the workbench asks before extracting.
    public static let doubtfulBelow = 0.75
    public var isDoubtful: Bool { confidence < Self.doubtfulBelow }
}

/// Proposes a crop box that cuts running headers, footers and page numbers, and the body's page
/// range, from the layout of the whole document.
///
/// Headers and footers are lines near the top or bottom of a page whose text repeats at the same
/// height on several pages once digits and roman numerals are masked ("Chapter 3 17" and
/// "Chapter 4 31" are one pattern), alternating left/right heads being two patterns. A pattern is
/// only furniture when, on the pages without it, no other text occupies its height; that keeps
/// chapter headings (repeated, but inside the text block) in the body. The crop edge goes halfway
/// between the furniture and the nearest body line.
public enum AutoCrop {
    /// Page samples: at most this many pages are read (evenly spaced) for a long document.
    public static let maxSampledPages = 400

    public static func propose(for document: PDFDocument) -> CropProposal {
        let step = max(1, (document.pageCount + maxSampledPages - 1) / maxSampledPages)
        var pages: [PDFPage] = []
        for number in stride(from: 1, through: document.pageCount, by: step) {
            if let page = try? document.page(number) { pages.append(page) }
        }
        return propose(pages: pages, pageCount: document.pageCount)
    }

    /// Same, from pages already loaded (`pageCount`: the document's, for the range's upper end).
    public static func propose(pages allPages: [PDFPage], pageCount: Int) -> CropProposal {
        // Work on the pages of the most common size (a book's inserts or covers differ).
        let sizeKey = { (p: PDFPage) in "\(Int(p.size.width.rounded()))x\(Int(p.size.height.rounded()))" }
        let commonSize = Dictionary(grouping: allPages.filter(\.hasText), by: sizeKey).max { $0.value.count < $1.value.count }?.key
        let pages = allPages.filter { $0.hasText && sizeKey($0) == commonSize }
        guard let first = pages.first else {
            return CropProposal(
                box: CropBox(x0: 0, top: 0, x1: allPages.first?.size.width ?? 612, bottom: allPages.first?.size.height ?? 792),
                bodyPages: 1...max(1, pageCount), confidence: 0, evidence: [],
                pageRangeReason: ["no page has a text layer"],
                signals: [ConfidenceSignal(name: "text layer", factor: 0, evidence: "no page has a text layer")])
        }
        let width = first.size.width, height = first.size.height

        let evidence = judgeRepeatedLines(pages, height: height)
        let furniture = evidence.filter(\.isFurniture)
        let headerBottom = furniture.filter { $0.zone == .header }.map(\.bottom).max()
        let footerTop = furniture.filter { $0.zone == .footer }.map(\.top).min()

        // Body lines: everything strictly between the furniture bands.
        var bodyTop = Double.infinity, bodyBottom = -Double.infinity
        var bodyX0 = Double.infinity, bodyX1 = -Double.infinity
        for page in pages {
            for line in page.lines {
                let cy = line.box.centerY
                if let headerBottom, cy <= headerBottom { continue }
                if let footerTop, cy >= footerTop { continue }
                bodyTop = min(bodyTop, line.box.top)
                bodyBottom = max(bodyBottom, line.box.bottom)
                bodyX0 = min(bodyX0, line.box.x0)
                bodyX1 = max(bodyX1, line.box.x1)
            }
        }
        if bodyTop > bodyBottom { bodyTop = 0; bodyBottom = height; bodyX0 = 0; bodyX1 = width }
        let margin = 2.0
        let top = headerBottom.map { ($0 + bodyTop) / 2 } ?? max(0, bodyTop - margin)
        let bottom = footerTop.map { ($0 + bodyBottom) / 2 } ?? min(height, bodyBottom + margin)
        // Sideways, go halfway to the page edge: sampled pages may miss the longest line, and side
        // furniture is rare.
        let box = CropBox(
            x0: max(0, bodyX0 / 2), top: top, x1: min(width, (bodyX1 + width) / 2), bottom: bottom)

        let (range, reasons, foundStart) = bodyPageRange(pages, box: box, furniture: furniture, pageCount: pageCount)

        let bodyPageSet = pages.filter { range.contains($0.number) }
        let signals = confidenceSignals(
            furniture: furniture, bodyPages: bodyPageSet, range: range, pageCount: pageCount, foundStart: foundStart,
            headerGap: headerBottom.map { bodyTop - $0 }, footerGap: footerTop.map { $0 - bodyBottom })
        let confidence = signals.map(\.factor).reduce(1, *)
        return CropProposal(box: box, bodyPages: range, confidence: confidence, evidence: evidence, pageRangeReason: reasons,
                            signals: signals, excludedPages: excludedRuns(pages, box: box, range: range, pageCount: pageCount, reasons: reasons))
    }

    /// The confidence's factors: how many body pages carry the furniture that was cut, whether
    /// the body's start was recognised, how wide the gaps between furniture and body are (narrow
    /// is fragile), and whether the body is a plausible share of the document.
    static func confidenceSignals(furniture: [JudgedLine], bodyPages: [PDFPage], range: ClosedRange<Int>, pageCount: Int,
                                  foundStart: Bool, headerGap: Double?, footerGap: Double?) -> [ConfidenceSignal]
    {
        var signals: [ConfidenceSignal] = []
        if furniture.isEmpty {
            signals.append(ConfidenceSignal(name: "running furniture", factor: 0.3, evidence: "no running head, footer or folio found"))
        } else {
            var withFurniture = Set<Int>()
            for judged in furniture { withFurniture.formUnion(judged.pages) }
            let covered = bodyPages.filter { withFurniture.contains($0.number) }.count
            let coverage = bodyPages.isEmpty ? 0 : Double(covered) / Double(bodyPages.count)
            // The furniture on most body pages, per zone, as the evidence.
            var parts: [String] = []
            for zone in [JudgedLine.Zone.header, .footer] {
                guard let best = furniture.filter({ $0.zone == zone }).max(by: { $0.pages.count < $1.pages.count }) else { continue }
                let share = bodyPages.isEmpty ? 0 : Double(bodyPages.filter { best.pages.contains($0.number) }.count) / Double(bodyPages.count)
                parts.append("\(zone == .header ? "head" : "foot") \(best.shownAs) on \(Int((share * 100).rounded()))% of body pages")
            }
            parts.append("some furniture on \(Int((coverage * 100).rounded()))%")
            signals.append(ConfidenceSignal(name: "running furniture", factor: 0.5 + 0.5 * coverage, evidence: parts.joined(separator: "; ")))
        }
        signals.append(ConfidenceSignal(
            name: "body start", factor: foundStart ? 1 : 0.75,
            evidence: foundStart ? "a first-chapter heading opens page \(range.lowerBound)"
                : "no first-chapter heading: starts at the first page with running furniture"))
        let gaps = [headerGap, footerGap].compactMap { $0 }
        if let narrowest = gaps.min() {
            let score = min(1, max(0, narrowest / 6))
            signals.append(ConfidenceSignal(
                name: "margins", factor: 0.75 + 0.25 * score,
                evidence: String(format: "%.1f pt between furniture and body text (6 pt or more is safe)", narrowest)))
        }
        let share = Double(range.count) / Double(max(1, pageCount))
        let plausible = range.count >= 5 && share >= 0.2
        signals.append(ConfidenceSignal(
            name: "body size", factor: plausible ? 1 : 0.6,
            evidence: "\(range.count) of \(pageCount) pages (\(Int((share * 100).rounded()))%)"
                + (plausible ? "" : ": too few for a body, the range is probably wrong")))
        return signals
    }

    /// The runs before and after `range`, each with what it holds: a table of contents, a
    /// preface, an index, appendices… by the headings found on its pages.
    static func excludedRuns(_ pages: [PDFPage], box: CropBox, range: ClosedRange<Int>, pageCount: Int, reasons: [String])
        -> [ExcludedPages]
    {
        func headings(in run: ClosedRange<Int>) -> [(page: Int, text: String)] {
            pages.filter { run.contains($0.number) }.compactMap { page in
                let first = page.text(in: box).split(separator: "\n").first { $0.contains { $0.isLetter } }
                return first.map { (page.number, String($0).trimmingCharacters(in: .whitespaces)) }
            }
        }
        func describe(_ found: [(page: Int, text: String)]) -> String {
            let kinds: [(String, String)] = [
                (#"(?i)^(table of )?contents\b"#, "table of contents"), (#"(?i)^(preface|foreword|introduction)\b"#, "preface"),
                (#"(?i)^(appendix|appendices)\b"#, "appendix"), (#"(?i)^(index|concept index|function and variable index)\b"#, "index"),
                (#"(?i)^(notes|endnotes)\b"#, "notes"), (#"(?i)^(bibliography|references)\b"#, "bibliography"),
                (#"(?i)^(afterword|colophon|about the author|acknowledg)"#, "afterword"),
            ]
            var named: [String] = []
            for (pattern, kind) in kinds {
                if let hit = found.first(where: { $0.text.range(of: pattern, options: .regularExpression) != nil }) {
                    named.append("\(kind) (page \(hit.page) opens '\(hit.text.prefix(40))')")
                }
            }
            if !named.isEmpty { return named.joined(separator: ", ") }
            return found.first.map { "no chapter text; page \($0.page) opens '\($0.text.prefix(40))'" } ?? "no text"
        }
        var runs: [ExcludedPages] = []
        if range.lowerBound > 1 {
            let run = 1...(range.lowerBound - 1)
            let why = reasons.first { $0.hasPrefix("body starts") }.map { "before the body (\($0)); " } ?? ""
            runs.append(ExcludedPages(pages: run, kind: .frontMatter, reason: why + describe(headings(in: run))))
        }
        if range.upperBound < pageCount {
            let run = (range.upperBound + 1)...pageCount
            runs.append(ExcludedPages(pages: run, kind: .backMatter, reason: describe(headings(in: run))))
        }
        return runs
    }

    /// Groups the top-most and bottom-most lines of each page by (pattern, height) and judges them.
    static func judgeRepeatedLines(_ pages: [PDFPage], height: Double) -> [JudgedLine] {
        struct Candidate { var page: Int; var line: PDFTextLine; var zone: JudgedLine.Zone }
        var candidates: [Candidate] = []
        for page in pages {
            let sorted = page.lines.sorted { $0.box.top < $1.box.top }
            for line in sorted.prefix(3) where line.box.centerY < height * 0.25 {
                candidates.append(Candidate(page: page.number, line: line, zone: .header))
            }
            for line in sorted.suffix(3) where line.box.centerY > height * 0.75 {
                candidates.append(Candidate(page: page.number, line: line, zone: .footer))
            }
        }
        // Cluster: same zone, same pattern, top within 3 pt of the cluster's first line.
        var clusters: [(pattern: String, zone: JudgedLine.Zone, members: [Candidate])] = []
        var index: [String: [Int]] = [:]
        for candidate in candidates {
            let pattern = normalizedPattern(candidate.line.text)
            guard !pattern.isEmpty else { continue }
            let key = candidate.zone.rawValue + "|" + pattern
            if let found = index[key, default: []].first(where: {
                abs(clusters[$0].members[0].line.box.top - candidate.line.box.top) <= 3
            }) {
                if clusters[found].members.last?.page != candidate.page { clusters[found].members.append(candidate) }
            } else {
                index[key, default: []].append(clusters.count)
                clusters.append((pattern, candidate.zone, [candidate]))
            }
        }
        let minPages = max(2, min(4, pages.count / 20))
        let byNumber = Dictionary(pages.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        let repeated = clusters.filter { $0.members.count >= minPages }
        // Bands: vertical extents of each repeated pattern; overlapping bands of one zone form a
        // group (alternating left/right heads, each chapter's own running head).
        let bands = repeated.map { cluster in
            (top: cluster.members.map(\.line.box.top).min() ?? 0, bottom: cluster.members.map(\.line.box.bottom).max() ?? 0)
        }
        var judged: [JudgedLine] = []
        for (k, cluster) in repeated.enumerated() {
            let (top, bottom) = bands[k]
            var groupPages = Set<Int>()
            for (j, other) in repeated.enumerated()
            where other.zone == cluster.zone && bands[j].top <= bottom && bands[j].bottom >= top {
                groupPages.formUnion(other.members.map(\.page))
            }
            // Furniture stands apart from the text: no line within 3/4 of its height above or below.
            let isolatedCount = cluster.members.filter { member in
                byNumber[member.page].map { isIsolated(member.line, on: $0) } ?? false
            }.count
            // On pages without this band, text at its height inside a paragraph means the band is
            // inside the text block (a chapter heading, a repeated body line).
            var pagesWithout = 0, overlapping = 0
            for page in pages where !groupPages.contains(page.number) {
                pagesWithout += 1
                if page.lines.contains(where: { $0.box.centerY >= top - 1 && $0.box.centerY <= bottom + 1
                    && !isIsolated($0, on: page) }) { overlapping += 1 }
            }
            let count = cluster.members.count
            var reason = "repeats on \(count) pages at the same height, apart from the text block"
            var furniture = true
            if Double(isolatedCount) < 0.8 * Double(count) {
                furniture = false
                reason = "repeats on \(count) pages, but sits inside a paragraph on \(count - isolatedCount) of them"
            } else if pagesWithout > 0 && Double(overlapping) > 0.2 * Double(pagesWithout) {
                furniture = false
                reason = "repeats on \(count) pages, but body text occupies its height on \(overlapping) of the other \(pagesWithout)"
            }
            let example = bestExample(cluster.members.map { $0.line.text.trimmingCharacters(in: .whitespaces) },
                                      pattern: cluster.pattern)
            judged.append(JudgedLine(
                pattern: cluster.pattern, example: example, zone: cluster.zone, top: top, bottom: bottom,
                pages: cluster.members.map(\.page), isFurniture: furniture, reason: reason))
        }
        return judged.sorted { ($0.zone.rawValue, $0.top) < ($1.zone.rawValue, $1.top) }
    }

    /// The member text that shows a pattern best: for a bare folio an arabic page number (not a
    /// front-matter numeral like 'i'), else the one with the most letters (a head spelled out,
    /// not a stray letter).
    static func bestExample(_ texts: [String], pattern: String) -> String {
        let arabic = texts.filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        if pattern == "#", !arabic.isEmpty { return arabic[arabic.count / 2] }
        // Heads of body pages, not of front matter numbered 'vi'.
        let hasNumeral = { (text: String) in text.lowercased().split(separator: " ").contains { isRomanNumeral(String($0)) } }
        let candidates = texts.filter { !hasNumeral($0) }.isEmpty ? texts : texts.filter { !hasNumeral($0) }
        return candidates.max { $0.filter(\.isLetter).count < $1.filter(\.isLetter).count } ?? ""
    }

    /// No other line of the page (other than ones on its own row) within 3/4 of its height.
    static func isIsolated(_ line: PDFTextLine, on page: PDFPage) -> Bool {
        let limit = 0.75 * line.box.height
        for other in page.lines where other.characters != line.characters {
            let gap = max(other.box.top - line.box.bottom, line.box.top - other.box.bottom)
            if gap >= 0 && gap < limit { return false }
        }
        return true
    }

    /// Lower case; digit runs and roman numerals become "#", whitespace collapses.
    static func normalizedPattern(_ text: String) -> String {
        var words: [String] = []
        for raw in text.lowercased().split(whereSeparator: { $0.isWhitespace }) {
            var word = ""
            var inDigits = false
            for ch in raw {
                if ch.isNumber {
                    if !inDigits { word.append("#") }
                    inDigits = true
                } else {
                    word.append(ch)
                    inDigits = false
                }
            }
            if isRomanNumeral(word) { word = "#" }
            words.append(word)
        }
        return words.joined(separator: " ")
    }

    static func isRomanNumeral(_ word: String) -> Bool {
        let core = word.trimmingCharacters(in: CharacterSet(charactersIn: ".:,"))
        return !core.isEmpty && core.count <= 7 && core.allSatisfy { "ivxlc".contains($0) }
    }

    /// The body's pages: from the first page opening with "Chapter 1"/"1 Title"-like heading (or,
    /// without one, the first page carrying running furniture) to the page before the first back
    /// matter heading (Appendix, Index, Notes, Afterword, Bibliography…).
    static func bodyPageRange(_ pages: [PDFPage], box: CropBox, furniture: [JudgedLine], pageCount: Int)
        -> (ClosedRange<Int>, [String], Bool)
    {
        var furnitureByPage: [Int: [String]] = [:]
        for judged in furniture { for p in judged.pages { furnitureByPage[p, default: []].append(judged.pattern) } }
        func firstLine(_ page: PDFPage) -> String? {
            page.text(in: box).split(separator: "\n").first.map(String.init)
        }
        var start: Int? = nil
        var reasons: [String] = []
        // A table of contents lists the headings the body opens with ("1 Introduction . . . 2",
        // "Appendix A . . . 94"); its pages must neither start nor end the body.
        let contents = Set(pages.filter { isContentsPage($0, box: box) }.map(\.number))
        for page in pages where !contents.contains(page.number) {
            guard let line = firstLine(page) else { continue }
            if isFirstChapterHeading(line) {
                start = page.number
                reasons.append("body starts at page \(page.number): it opens with '\(line)'")
                break
            }
        }
        let foundStart = start != nil
        if start == nil, let page = pages.first(where: { furnitureByPage[$0.number] != nil }) {
            start = page.number
            reasons.append("body starts at page \(page.number): the first page with running heads or folios")
        }
        let first = start ?? 1
        let contentsBefore = contents.filter { $0 < first }.sorted()
        if !contentsBefore.isEmpty {
            reasons.append("page(s) \(describeRanges(contentsBefore)) read as a table of contents (most lines end in a page number), "
                + "so their entries neither start nor end the body")
        }
        var end = pageCount
        for page in pages where page.number > first && !contents.contains(page.number) {
            let heads = [firstLine(page) ?? ""] + page.lines.prefix(2).map(\.text)
            if let heading = heads.first(where: isBackMatterHeading) {
                end = page.number - 1
                reasons.append("body ends at page \(end): page \(page.number) opens '\(heading.trimmingCharacters(in: .whitespaces))'")
                break
            }
        }
        if end == pageCount { reasons.append("body runs to the last page: no back matter heading found") }
        return (first...max(first, end), reasons, foundStart)
    }

    /// A page of which most lines (at least 5 with letters) end in a page number: "Title . . . 12",
    /// "Preface ix".
    static func isContentsPage(_ page: PDFPage, box: CropBox) -> Bool {
        let lines = page.text(in: box).split(separator: "\n").filter { $0.contains { $0.isLetter } }
        guard lines.count >= 5 else { return false }
        let numbered = lines.filter { line in
            guard let last = line.split(separator: " ").last, line.split(separator: " ").count >= 2 else { return false }
            return last.allSatisfy(\.isNumber) || (isRomanNumeral(last.lowercased()) && last == last.lowercased())
        }
        return Double(numbered.count) >= 0.6 * Double(lines.count)
    }

    static func isFirstChapterHeading(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        let patterns = [
            #"^(?i:chapter|part|book|letter)\s+(1|one|i)\b\.?(\s*[:.\-—–]?\s*[^\d\s.].*[^\d\s.])?$"#,
            #"^1\.?\s+\p{Lu}[^.]*[^\d\s.]$"#,
        ]
        return patterns.contains { t.range(of: $0, options: .regularExpression) != nil }
    }

    static func isBackMatterHeading(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        let pattern = #"^(?i:appendix|appendices|index|notes on|notes$|endnotes|afterword|bibliography|references$|glossary|acknowledg|about the author|colophon)"#
        return t.range(of: pattern, options: .regularExpression) != nil
    }
}
