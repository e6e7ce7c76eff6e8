import Foundation

/// A set of 1-based page numbers parsed from "5-610", "1-3,7,9-" (open end: to the last page) or
/// "-20" (open start), resolved against a page count.
public struct PageSelection: Equatable, Sendable {
    /// Inclusive ranges; `nil` bounds are open (first / last page).
    public var ranges: [(first: Int?, last: Int?)]

    public static func == (a: PageSelection, b: PageSelection) -> Bool {
        a.ranges.count == b.ranges.count && zip(a.ranges, b.ranges).allSatisfy { $0.first == $1.first && $0.last == $1.last }
    }

    /// Every page.
    public static let all = PageSelection(ranges: [(nil, nil)])

    public init(ranges: [(first: Int?, last: Int?)]) { self.ranges = ranges }

    public init(_ range: ClosedRange<Int>) { ranges = [(range.lowerBound, range.upperBound)] }

    public init(parsing text: String) throws(PDFError) {
        var result: [(first: Int?, last: Int?)] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard !item.isEmpty else { continue }
            let bounds = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            func number(_ s: String) throws(PDFError) -> Int? {
                let t = s.trimmingCharacters(in: .whitespaces)
                if t.isEmpty { return nil }
                guard let n = Int(t), n >= 1 else { throw .badPageRange(text: text, reason: "'\(t)' is not a page number ≥ 1") }
                return n
            }
            if bounds.count == 1 {
                guard let n = try number(bounds[0]) else { throw .badPageRange(text: text, reason: "empty item") }
                result.append((n, n))
            } else {
                let first = try number(bounds[0]), last = try number(bounds[1])
                if let f = first, let l = last, f > l {
                    throw .badPageRange(text: text, reason: "\(f) is after \(l)")
                }
                result.append((first, last))
            }
        }
        guard !result.isEmpty else { throw .badPageRange(text: text, reason: "no pages given") }
        ranges = result
    }

    /// The selected pages of a document with `pageCount` pages, ascending, without duplicates.
    /// Throws when an explicit bound lies beyond the last page.
    public func pages(pageCount: Int) throws(PDFError) -> [Int] {
        var seen = Set<Int>()
        for (first, last) in ranges {
            let f = first ?? 1, l = last ?? pageCount
            if f > pageCount { throw .pageOutOfRange(page: f, pageCount: pageCount) }
            if l > pageCount { throw .pageOutOfRange(page: l, pageCount: pageCount) }
            if f <= l { for p in f...l { seen.insert(p) } }
        }
        return seen.sorted()
    }
}
