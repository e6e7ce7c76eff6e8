/// Joins the pages of a page map into records that end where sentences end. A page break cuts
/// most pages mid-sentence ("…and concluding with the" | "history and rise of the ancient…"):
/// each page record is appended to the one before it (with a newline, as a line break inside a
/// paragraph) while that one does not end a sentence, and a page too short to stand alone (a
/// chapter's last lines) joins the one before it too. The joined record keeps the pages it spans
/// (`pages` 7...8) and the line of its first page. Footnotes a page carries after
/// `FootnotePolicy.notesSeparator` go to the end of the record, after its last page's text.
public enum PageJoining {
    /// `records` as `JSONLReader` reads a page map, in page order; records without pages
    /// (other shapes) are returned as they are.
    public static func join(_ records: [DatasetRecord], minLength: Int) -> [DatasetRecord] {
        var joined: [DatasetRecord] = []
        var notes: [String] = []  // of the last joined record
        func closeLast() {
            guard !notes.isEmpty, case .text(let text) = joined[joined.count - 1].content else { return }
            joined[joined.count - 1].content = .text(trimmingTrailingWhitespace(text) + "\n" + notes.joined(separator: "\n"))
            notes = []
        }
        for var record in records {
            let pageNotes: String?
            if case .text(let full) = record.content, record.pages != nil {
                let (body, found) = splitNotes(full)
                record.content = .text(body)
                pageNotes = found
            } else {
                pageNotes = nil
            }
            defer { if let pageNotes { notes.append(pageNotes) } }
            guard case .text(let text) = record.content, let pages = record.pages,
                  let last = joined.last, case .text(let previous) = last.content, let previousPages = last.pages,
                  !isBlank(previous), !isBlank(text),
                  !endsSentence(previous) || trimmedCount(text) < minLength
            else {
                if !joined.isEmpty { closeLast() }
                joined.append(record)
                continue
            }
            joined[joined.count - 1].content = .text(trimmingTrailingWhitespace(previous) + "\n" + text)
            joined[joined.count - 1].pages = previousPages.lowerBound...max(previousPages.upperBound, pages.upperBound)
        }
        if !joined.isEmpty { closeLast() }
        return joined
    }

    /// A page's text without the footnotes after `FootnotePolicy.notesSeparator`, and those notes.
    public static func splitNotes(_ text: String) -> (body: String, notes: String?) {
        guard let range = text.range(of: "\n" + FootnotePolicy.notesSeparator + "\n") else { return (text, nil) }
        let notes = String(text[range.upperBound...])
        return (String(text[..<range.lowerBound]), notes.allSatisfy(\.isWhitespace) ? nil : notes)
    }

    /// Pages as they are, each with its footnotes after its text (the separator line removed).
    public static func notesAtPageEnds(_ records: [DatasetRecord]) -> [DatasetRecord] {
        records.map { record in
            guard record.pages != nil, case .text(let text) = record.content else { return record }
            let (body, notes) = splitNotes(text)
            guard let notes else { return record }
            var copy = record
            copy.content = .text(body + "\n" + notes)
            return copy
        }
    }

    /// Whether the text's last visible character closes a sentence: . ! ? … (a closing quote or
    /// bracket after one counts with it).
    public static func endsSentence(_ text: String) -> Bool {
        for character in text.reversed() {
            if character.isWhitespace { continue }
            switch character {
            case "”", "’", "\"", "'", ")", "]", "»": continue
            case ".", "!", "?", "…": return true
            default: return false
            }
        }
        return false
    }

    private static func isBlank(_ text: String) -> Bool { text.allSatisfy(\.isWhitespace) }

    private static func trimmingTrailingWhitespace(_ text: String) -> String {
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        return String(text[..<end])
    }

    /// Characters once surrounding whitespace is trimmed, as `minLength` counts them.
    private static func trimmedCount(_ text: String) -> Int {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return 0 }
        return text.distance(from: first, to: last) + 1
    }
}
