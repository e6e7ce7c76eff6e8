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
                pageRangeReason: ["no page has a text layer"])
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

        // Confidence: how many body pages carry recognised furniture, whether the body start was
        // recognised, and how wide the gaps between furniture and body are (narrow = fragile).
        let bodyPageSet = pages.filter { range.contains($0.number) }
        var withFurniture = Set<Int>()
        for judged in furniture { withFurniture.formUnion(judged.pages) }
        let coverage = bodyPageSet.isEmpty ? 0 : Double(bodyPageSet.filter { withFurniture.contains($0.number) }.count) / Double(bodyPageSet.count)
        let headerGap = headerBottom.map { bodyTop - $0 } ?? 6
        let footerGap = footerTop.map { $0 - bodyBottom } ?? 6
        let gapScore = min(1, max(0, min(headerGap, footerGap) / 6))
        let confidence = furniture.isEmpty ? 0.3 : 0.5 * coverage + 0.25 * (foundStart ? 1 : 0.5) + 0.25 * gapScore
        return CropProposal(box: box, bodyPages: range, confidence: confidence, evidence: evidence, pageRangeReason: reasons)
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
            let example = cluster.members[0].line.text.trimmingCharacters(in: .whitespaces)
            judged.append(JudgedLine(
                pattern: cluster.pattern, example: example, zone: cluster.zone, top: top, bottom: bottom,
                pages: cluster.members.map(\.page), isFurniture: furniture, reason: reason))
        }
        return judged.sorted { ($0.zone.rawValue, $0.top) < ($1.zone.rawValue, $1.top) }
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
        for page in pages {
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
        var end = pageCount
        for page in pages where page.number > first {
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
