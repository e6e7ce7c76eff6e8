/// Joins the pages of a page map into records that end where sentences end. A page break cuts
/// most pages mid-sentence ("…and concluding with the" | "history and rise of the ancient…"):
/// each page record is appended to the one before it (with a newline, as a line break inside a
/// paragraph) while that one does not end a sentence, and a page too short to stand alone (a
/// chapter's last lines) joins the one before it too. The joined record keeps the pages it spans
/// (`pages` 7...8) and the line of its first page.
public enum PageJoining {
    /// `records` as `JSONLReader` reads a page map, in page order; records without pages
    /// (other shapes) are returned as they are.
    public static func join(_ records: [DatasetRecord], minLength: Int) -> [DatasetRecord] {
        var joined: [DatasetRecord] = []
        for record in records {
            guard case .text(let text) = record.content, let pages = record.pages,
                  let last = joined.last, case .text(let previous) = last.content, let previousPages = last.pages,
                  !isBlank(previous), !isBlank(text),
                  !endsSentence(previous) || trimmedCount(text) < minLength
            else {
                joined.append(record)
                continue
            }
            joined[joined.count - 1].content = .text(trimmingTrailingWhitespace(previous) + "\n" + text)
            joined[joined.count - 1].pages = previousPages.lowerBound...max(previousPages.upperBound, pages.upperBound)
        }
        return joined
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
