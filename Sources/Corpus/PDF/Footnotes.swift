import Foundation

/// What extraction does with a page's footnotes (`[pdf] footnotes`, `tunebench extract --footnotes`).
public enum FootnotePolicy: String, CaseIterable, Codable, Sendable {
    /// Leave out the footnotes and the body's note marks: the text is the prose alone.
    case drop
    /// The page as printed: footnotes where they stand, note marks in the text.
    case keep
    /// The body without its note marks, then a form-feed line (`notesSeparator`) and the footnotes
    /// ("1 Kellynch Hall is an invented estate…"); preparing a dataset moves them to the end of the
    /// record the page ends up in (pages joined across page breaks), so they interrupt no sentence.
    case endOfRecord = "end-of-record"

    /// The line between a page's body and its footnotes in a page map written with `endOfRecord`.
    public static let notesSeparator = "\u{0C}"

    /// The text of `page` inside `crop` (nil: the whole page) under this policy.
    public func text(of page: PDFPage, crop: CropBox?) -> String {
        switch self {
        case .keep:
            return crop.map { page.text(in: $0) } ?? page.text
        case .drop:
            return page.footnoteSplit(in: crop).body
        case .endOfRecord:
            let split = page.footnoteSplit(in: crop)
            guard !split.footnotes.isEmpty else { return split.body }
            let notes = split.footnotes.map { "\($0.mark) \($0.text)" }.joined(separator: "\n")
            return split.body + "\n" + Self.notesSeparator + "\n" + notes
        }
    }
}

/// One footnote: its mark ("1", "*") and its text, lines joined with "\n".
public struct Footnote: Equatable, Sendable {
    public var mark: String
    public var text: String
}

/// A page's text with its footnotes taken apart from the body.
public struct FootnoteSplit: Equatable, Sendable {
    /// The page's text without the footnotes and without the body's note marks.
    public var body: String
    /// In the order they are printed.
    public var footnotes: [Footnote]
}

extension PDFPage {
    /// Finds the footnotes of the page: a block of lines at the bottom of the text (inside `crop`)
    /// set in a smaller font than the body, each note starting with a mark (digits or * † ‡ § ¶)
    /// that the body also carries as a superscript (a smaller-font mark right after a word). Notes
    /// whose mark is not in the body are left alone, so a small-font caption or a verse quotation
    /// at the foot of a page stays in the text. The body's matching marks are removed, with a space
    /// poppler puts around a mark before punctuation ("Hall1 ," → "Hall,").
    public func footnoteSplit(in crop: CropBox?) -> FootnoteSplit {
        let box = crop ?? CropBox(x0: -.infinity, top: -.infinity, x1: .infinity, bottom: .infinity)
        let plain = FootnoteSplit(body: text(in: box), footnotes: [])
        guard let bodySize = bodyFontSize(in: box) else { return plain }

        // Kept lines from the top of the page down.
        let kept = lines.indices.filter { l in lines[l].characters.contains { isKept($0, box) } }
            .sorted { lines[$0].box.top < lines[$1].box.top }
        // The block of small-font lines at the bottom; a folio below it (uncropped pages) is neither
        // part of it nor of the last note.
        var end = kept.count
        while end > 0, isPageNumber(lines[kept[end - 1]].text) { end -= 1 }
        var blockStart = end
        while blockStart > 0, keptFontSize(kept[blockStart - 1], box) < 0.9 * bodySize { blockStart -= 1 }
        guard blockStart < end else { return plain }

        let bodyMarks = superscriptMarks(lines: kept[..<blockStart], box: box, bodySize: bodySize)
        let bodyMarkTexts = Set(bodyMarks.map(\.text))
        // Notes: from the first line that opens with a mark the body has, to the end of the block.
        var notes: [(mark: String, lines: [Int])] = []
        for l in kept[blockStart..<end] {
            if let mark = leadingMark(of: l), bodyMarkTexts.contains(mark.text) {
                notes.append((mark.text, [l]))
            } else if !notes.isEmpty {
                notes[notes.count - 1].lines.append(l)
            }
        }
        guard !notes.isEmpty else { return plain }

        var removed = [Bool](repeating: false, count: characters.count)
        for note in notes { for l in note.lines { for i in lines[l].characters { removed[i] = true } } }
        let noteMarks = Set(notes.map(\.mark))
        for mark in bodyMarks where noteMarks.contains(mark.text) {
            for i in mark.range { removed[i] = true }
            // "Hall1 ," → "Hall,", "lost 2 ." → "lost.": spaces around the mark go when punctuation follows it.
            let next = mark.range.upperBound
            var after = next
            if after < characters.count, isSpace(characters[after].scalar) { after += 1 }
            if after < characters.count, isClosingPunctuation(characters[after].scalar) {
                for i in next..<after { removed[i] = true }
                let before = mark.range.lowerBound - 1
                if before >= 0, isSpace(characters[before].scalar) { removed[before] = true }
            }
        }
        let footnotes = notes.map { note -> Footnote in
            var skip = [Bool](repeating: true, count: characters.count)
            for l in note.lines { for i in lines[l].characters { skip[i] = false } }
            if let mark = leadingMark(of: note.lines[0]) { for i in mark.range { skip[i] = true } }
            return Footnote(mark: note.mark, text: subpage(skipping: skip).text(in: box))
        }
        return FootnoteSplit(body: subpage(skipping: removed).text(in: box), footnotes: footnotes)
    }

    /// The most common font size of the kept characters (rounded to 0.1 pt); nil when unknown.
    private func bodyFontSize(in box: CropBox) -> Double? {
        var counts: [Int: Int] = [:]
        for c in characters where !isSpace(c.scalar) && c.fontSize > 0 && box.keeps(c.box) {
            counts[Int((c.fontSize * 10).rounded()), default: 0] += 1
        }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { Double($0.key) / 10 }
    }

    private func isKept(_ i: Int, _ box: CropBox) -> Bool {
        !isSpace(characters[i].scalar) && box.keeps(characters[i].box)
    }

    /// Largest font size among a line's kept characters.
    private func keptFontSize(_ l: Int, _ box: CropBox) -> Double {
        lines[l].characters.reduce(0) { isKept($1, box) ? max($0, characters[$1].fontSize) : $0 }
    }

    /// Runs of note-mark characters set smaller than the body right after a word or punctuation
    /// (one space between allowed, as poppler sometimes puts one there).
    private func superscriptMarks(lines ordered: ArraySlice<Int>, box: CropBox, bodySize: Double) -> [(text: String, range: Range<Int>)] {
        var marks: [(text: String, range: Range<Int>)] = []
        for l in ordered {
            let range = lines[l].characters
            var i = range.lowerBound
            while i < range.upperBound {
                guard isMarkScalar(characters[i].scalar), characters[i].fontSize < 0.8 * bodySize, isKept(i, box) else {
                    i += 1
                    continue
                }
                var j = i
                while j < range.upperBound, isMarkScalar(characters[j].scalar), characters[j].fontSize < 0.8 * bodySize { j += 1 }
                var before = i - 1
                if before >= range.lowerBound, isSpace(characters[before].scalar) { before -= 1 }
                if before >= range.lowerBound, !isSpace(characters[before].scalar), characters[before].fontSize >= 0.8 * bodySize {
                    marks.append((String(String.UnicodeScalarView(characters[i..<j].map(\.scalar))), i..<j))
                }
                i = j
            }
        }
        return marks
    }

    /// The mark a line opens with ("12" of "12 Westgate Buildings…"), when a space or a letter follows it.
    private func leadingMark(of l: Int) -> (text: String, range: Range<Int>)? {
        let range = lines[l].characters
        var i = range.lowerBound
        while i < range.upperBound, isSpace(characters[i].scalar) { i += 1 }
        let start = i
        while i < range.upperBound, isMarkScalar(characters[i].scalar) { i += 1 }
        guard i > start, i < range.upperBound else { return nil }
        let after = characters[i].scalar
        guard isSpace(after) || after.properties.isAlphabetic || after == "“" || after == "\"" else { return nil }
        return (String(String.UnicodeScalarView(characters[start..<i].map(\.scalar))), start..<i)
    }

    /// The page with some characters left out, lines kept where they were.
    private func subpage(skipping skip: [Bool]) -> PDFPage {
        var kept: [PDFCharacter] = []
        var breaks: [Int] = []
        for line in lines {
            if !kept.isEmpty { breaks.append(kept.count) }
            for i in line.characters where !skip[i] { kept.append(characters[i]) }
        }
        return PDFPage(number: number, size: size, characters: kept, lineBreaks: breaks, layoutMismatch: layoutMismatch)
    }
}

/// A digit or a classic reference mark (* † ‡ § ¶).
@inline(__always) private func isMarkScalar(_ s: Unicode.Scalar) -> Bool {
    switch s {
    case "0"..."9", "*", "†", "‡", "§", "¶": true
    default: false
    }
}

@inline(__always) private func isClosingPunctuation(_ s: Unicode.Scalar) -> Bool {
    switch s {
    case ",", ".", ";", ":", "!", "?", ")", "]", "’", "”", "'", "\"": true
    default: false
    }
}

/// A line that is only a page number ("12", "xiv").
private func isPageNumber(_ text: String) -> Bool {
    let t = text.trimmingCharacters(in: .whitespaces)
    return !t.isEmpty && t.count <= 6 && (t.allSatisfy(\.isNumber) || t.lowercased().allSatisfy { "ivxlcdm".contains($0) })
}
