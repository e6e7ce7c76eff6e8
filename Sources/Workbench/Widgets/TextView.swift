/// A paragraph of a `TextView`: text in one role, with an optional label at its start (`You: `).
public struct StyledParagraph: Sendable, Equatable {
    public var label: String
    public var labelRole: ColorRole
    public var text: String
    public var role: ColorRole
    public init(label: String = "", labelRole: ColorRole = .accent, text: String, role: ColorRole = .text) {
        self.label = label
        self.labelRole = labelRole
        self.text = text
        self.role = role
    }
}

/// One screen line produced by wrapping: (text, role) runs laid left to right.
public struct WrappedLine: Sendable, Equatable {
    public var runs: [(text: String, role: ColorRole)]
    public init(runs: [(text: String, role: ColorRole)] = []) { self.runs = runs }
    public var text: String { runs.map(\.text).joined() }
    public static func == (a: WrappedLine, b: WrappedLine) -> Bool {
        a.runs.count == b.runs.count && zip(a.runs, b.runs).allSatisfy { $0.text == $1.text && $0.role == $1.role }
    }
}

/// A scrollable view of paragraphs, word-wrapped to its width by display columns (wide characters
/// count two). Scrolling is counted from the bottom, so a view at offset 0 follows text as it
/// streams in; a user who scrolled up stays where they are while more text arrives below.
public struct TextView: Sendable, Equatable {
    public var paragraphs: [StyledParagraph]
    /// Lines hidden below the bottom of the view (0: showing the end).
    public private(set) var scrollFromBottom = 0

    public init(paragraphs: [StyledParagraph] = []) { self.paragraphs = paragraphs }

    /// Wraps one paragraph to `width` columns: breaks at spaces, splits words longer than a line,
    /// keeps explicit newlines. The label takes the start of the first line.
    public static func wrap(_ p: StyledParagraph, width: Int) -> [WrappedLine] {
        guard width > 0 else { return [] }
        var lines: [WrappedLine] = []
        var current = WrappedLine()
        var used = 0
        func append(_ s: String, _ role: ColorRole) {
            if let last = current.runs.last, last.role == role {
                current.runs[current.runs.count - 1].text += s
            } else {
                current.runs.append((s, role))
            }
            used += Grid.displayWidth(of: s)
        }
        func newLine() {
            // Spaces at a wrap point are dropped, as a terminal reader expects.
            if var last = current.runs.popLast() {
                while last.text.hasSuffix(" ") { last.text.removeLast() }
                if !last.text.isEmpty { current.runs.append(last) }
            }
            lines.append(current)
            current = WrappedLine()
            used = 0
        }
        if !p.label.isEmpty { append(p.label, p.labelRole) }
        let hardLines = p.text.split(separator: "\n", omittingEmptySubsequences: false)
        for (n, hard) in hardLines.enumerated() {
            if n > 0 { newLine() }
            // Tokens: runs of spaces and runs of non-spaces.
            var tokens: [Substring] = []
            var i = hard.startIndex
            while i < hard.endIndex {
                let isSpace = hard[i] == " "
                var j = i
                while j < hard.endIndex, (hard[j] == " ") == isSpace { j = hard.index(after: j) }
                tokens.append(hard[i..<j])
                i = j
            }
            for token in tokens {
                let w = Grid.displayWidth(of: token)
                if token.first == " " {
                    if used + w <= width { append(String(token), p.role) } else if used > 0 { newLine() }
                    continue
                }
                if used + w > width, used > 0 { newLine() }
                if w <= width - used {
                    append(String(token), p.role)
                    continue
                }
                // A word longer than a whole line is cut wherever the line ends.
                for ch in token {
                    let cw = Grid.displayWidth(of: ch)
                    if used + cw > width, used > 0 { newLine() }
                    append(String(ch), p.role)
                }
            }
        }
        if !current.runs.isEmpty || lines.isEmpty || hardLines.count > 1 { newLine() }
        return lines
    }

    /// All paragraphs wrapped to `width`.
    public func lines(width: Int) -> [WrappedLine] { paragraphs.flatMap { Self.wrap($0, width: width) } }

    /// Scrolls by `delta` lines (positive: towards older text), clamped for a view of `height` rows
    /// and `width` columns.
    public mutating func scroll(by delta: Int, width: Int, height: Int) {
        let total = lines(width: width).count
        scrollFromBottom = min(max(0, scrollFromBottom + delta), max(0, total - height))
    }

    /// Back to the end (following new text).
    public mutating func scrollToBottom() { scrollFromBottom = 0 }

    /// Draws the visible lines into `rect`, the last ones at the bottom unless scrolled; returns
    /// whether lines are hidden above and below.
    @discardableResult
    public func draw(into grid: inout Grid, in rect: Rect) -> (moreAbove: Bool, moreBelow: Bool) {
        guard !rect.isEmpty else { return (false, false) }
        let all = lines(width: rect.width)
        let bottom = max(0, all.count - min(scrollFromBottom, max(0, all.count - rect.height)))
        let top = max(0, bottom - rect.height)
        for (row, line) in all[top..<bottom].enumerated() {
            var x = rect.x
            for run in line.runs { x = grid.put(run.text, x: x, y: rect.y + row, role: run.role, clip: rect) }
        }
        return (top > 0, bottom < all.count)
    }
}
