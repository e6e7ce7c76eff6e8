import Foundation

/// Splits template text into tokens: literal text, tag delimiters and the expression tokens inside
/// tags. Whitespace control is applied here, exactly as jinja2's lexer does it with
/// `trim_blocks=True, lstrip_blocks=True` (how Hugging Face renders chat templates):
///  - `{%-` / `{{-` / `{#-` strip all whitespace before the tag; `-%}` / `-}}` / `-#}` all after it;
///  - trim_blocks: one newline right after `%}` or `#}` is dropped (not after `}}`; `+%}` keeps it);
///  - lstrip_blocks: spaces/tabs between a line start and `{%` or `{#` are dropped (`{%+` keeps them);
///  - one trailing newline at the end of the template is dropped (keep_trailing_newline=False).
struct JinjaToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case text(String)
        case outputBegin, outputEnd  // {{ }}
        case blockBegin, blockEnd  // {% %}
        case name(String)
        case string(String)
        case int(Int)
        case float(Double)
        case op(String)  // operators and punctuation
        case end
    }
    var kind: Kind
    var line: Int
    var column: Int
}

struct JinjaLexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var lineStarts: [Int] = [0]
    private var tokens: [JinjaToken] = []

    /// Source with newlines normalised to "\n", as jinja2 does before lexing.
    init(source: String) {
        var normalized = source.replacingOccurrences(of: "\r\n", with: "\n")
        normalized = normalized.replacingOccurrences(of: "\r", with: "\n")
        if normalized.hasSuffix("\n") { normalized.removeLast() }
        scalars = Array(normalized.unicodeScalars)
        for (i, s) in scalars.enumerated() where s == "\n" { lineStarts.append(i + 1) }
    }

    static func tokenize(_ source: String) throws -> [JinjaToken] {
        var lexer = JinjaLexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    private func location(_ offset: Int) -> (line: Int, column: Int) {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - lineStarts[lo] + 1)
    }

    private func error(_ message: String, at offset: Int) -> ChatTemplateError {
        let (line, column) = location(offset)
        return .syntax(message: message, line: line, column: column)
    }

    private mutating func emit(_ kind: JinjaToken.Kind, at offset: Int) {
        let (line, column) = location(offset)
        tokens.append(JinjaToken(kind: kind, line: line, column: column))
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = position + offset
        return i < scalars.count ? scalars[i] : nil
    }

    private func matches(_ text: String, at offset: Int) -> Bool {
        var i = offset
        for s in text.unicodeScalars {
            guard i < scalars.count, scalars[i] == s else { return false }
            i += 1
        }
        return true
    }

    private static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    private mutating func run() throws {
        var lineStarting = true  // jinja2: the last thing consumed ended with "\n" (or nothing consumed yet)
        var pendingText: [Unicode.Scalar] = []
        var textStart = 0
        while position < scalars.count {
            // Find the next tag opener.
            let c = scalars[position]
            guard c == "{", let next = peek(1), next == "{" || next == "%" || next == "#" else {
                if pendingText.isEmpty { textStart = position }
                pendingText.append(c)
                position += 1
                continue
            }
            let tagStart = position
            let marker = peek(2)
            let isOutput = next == "{"
            // Whitespace control on the text before the tag.
            if marker == "-" {
                while let last = pendingText.last, Self.isSpace(last) { pendingText.removeLast() }
            } else if marker != "+" && !isOutput {
                // lstrip_blocks: strip spaces/tabs after the last newline if only those are there.
                let lastNewline = pendingText.lastIndex(of: "\n")
                let lineStart = lastNewline.map { $0 + 1 } ?? 0
                if lastNewline != nil || lineStarting {
                    let tail = pendingText[lineStart...]
                    if !tail.isEmpty && tail.allSatisfy(Self.isSpace) { pendingText.removeSubrange(lineStart...) }
                }
            }
            if !pendingText.isEmpty {
                emit(.text(String(String.UnicodeScalarView(pendingText))), at: textStart)
                pendingText.removeAll()
            }
            position += 2
            if marker == "-" || marker == "+" { position += 1 }

            let stripAfter: Bool
            let keepNewline: Bool
            if next == "#" {
                // Comment: skip to "#}".
                var found = false
                var strip = false
                var keep = false
                while position < scalars.count {
                    if matches("-#}", at: position) { strip = true; position += 3; found = true; break }
                    if matches("+#}", at: position) { keep = true; position += 3; found = true; break }
                    if matches("#}", at: position) { position += 2; found = true; break }
                    position += 1
                }
                if !found { throw error("comment is not closed with #}", at: tagStart) }
                stripAfter = strip
                keepNewline = keep
            } else {
                emit(isOutput ? .outputBegin : .blockBegin, at: tagStart)
                (stripAfter, keepNewline) = try lexTagBody(isOutput: isOutput, tagStart: tagStart)
            }
            // Whitespace control on the text after the tag.
            if stripAfter {
                while let s = peek(), Self.isSpace(s) { position += 1 }
                lineStarting = position > 0 && scalars[position - 1] == "\n"
            } else if !isOutput && !keepNewline && peek() == "\n" {
                position += 1  // trim_blocks
                lineStarting = true
            } else {
                lineStarting = false
            }
        }
        if !pendingText.isEmpty { emit(.text(String(String.UnicodeScalarView(pendingText))), at: textStart) }
        emit(.end, at: scalars.count)
    }

    /// Lexes expression tokens up to the closing `}}` / `%}`; returns (strip after, keep newline).
    private mutating func lexTagBody(isOutput: Bool, tagStart: Int) throws -> (Bool, Bool) {
        let closer = isOutput ? "}}" : "%}"
        var brackets: [Unicode.Scalar] = []
        while true {
            while let s = peek(), Self.isSpace(s) { position += 1 }
            guard let c = peek() else {
                throw error("tag opened here is not closed with \(closer)", at: tagStart)
            }
            if brackets.isEmpty {
                if matches("-" + closer, at: position) {
                    position += 3
                    emit(isOutput ? .outputEnd : .blockEnd, at: position - 3)
                    return (true, false)
                }
                if matches("+" + closer, at: position) {
                    position += 3
                    emit(isOutput ? .outputEnd : .blockEnd, at: position - 3)
                    return (false, true)
                }
                if matches(closer, at: position) {
                    position += 2
                    emit(isOutput ? .outputEnd : .blockEnd, at: position - 2)
                    return (false, false)
                }
            }
            let start = position
            if c == "'" || c == "\"" {
                emit(.string(try lexString(quote: c)), at: start)
            } else if c.properties.numericType != nil && ("0"..."9").contains(c) {
                emit(try lexNumber(), at: start)
            } else if c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) {
                var name = String.UnicodeScalarView()
                while let s = peek(), s == "_" || ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) {
                    name.append(s)
                    position += 1
                }
                emit(.name(String(name)), at: start)
            } else {
                let threeChar = ["//=", "**="]
                let twoChar = ["//", "**", "==", "!=", "<=", ">="]
                var op: String? = nil
                for candidate in twoChar where matches(candidate, at: position) && !threeChar.contains(where: { matches($0, at: position) }) {
                    op = candidate
                    break
                }
                if op == nil, "+-*/%~<>=()[]{},:.|".unicodeScalars.contains(c) { op = String(Character(c)) }
                guard let found = op else {
                    throw error("unexpected character '\(Character(c))' inside a tag", at: start)
                }
                if "([{".contains(found) { brackets.append(c) }
                if ")]}".contains(found) {
                    let expected: Unicode.Scalar = found == ")" ? "(" : found == "]" ? "[" : "{"
                    guard brackets.last == expected else { throw error("unbalanced '\(found)'", at: start) }
                    brackets.removeLast()
                }
                position += found.unicodeScalars.count
                emit(.op(found), at: start)
            }
        }
    }

    private mutating func lexNumber() throws -> JinjaToken.Kind {
        let start = position
        var text = ""
        var isFloat = false
        func digits() {
            while let s = peek(), ("0"..."9").contains(s) || (s == "_" && text.last.map { $0.isNumber } == true) {
                if s != "_" { text.unicodeScalars.append(s) }
                position += 1
            }
        }
        digits()
        if peek() == ".", let d = peek(1), ("0"..."9").contains(d) {
            isFloat = true
            text += "."
            position += 1
            digits()
        }
        if let e = peek(), e == "e" || e == "E" {
            var offset = 1
            if let sign = peek(1), sign == "+" || sign == "-" { offset = 2 }
            if let d = peek(offset), ("0"..."9").contains(d) {
                isFloat = true
                text += "e"
                if offset == 2 { text.unicodeScalars.append(peek(1)!) }
                position += offset
                digits()
            }
        }
        if isFloat {
            guard let value = Double(text) else { throw error("bad number \(text)", at: start) }
            return .float(value)
        }
        guard let value = Int(text) else { throw error("integer \(text) is too large", at: start) }
        return .int(value)
    }

    /// A quoted string with Python's escapes (jinja2 decodes literals with "unicode-escape";
    /// an unknown escape keeps its backslash).
    private mutating func lexString(quote: Unicode.Scalar) throws -> String {
        let start = position
        position += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw error("string literal is not closed", at: start) }
            position += 1
            if c == quote { break }
            guard c == "\\" else { out.append(c); continue }
            guard let e = peek() else { throw error("string literal is not closed", at: start) }
            position += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "\n": break  // line continuation
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<width {
                    guard let h = peek(), h.properties.isASCIIHexDigit else {
                        throw error("truncated \\\(Character(e)) escape in string literal", at: position)
                    }
                    hex.unicodeScalars.append(h)
                    position += 1
                }
                guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                    throw error("invalid \\\(Character(e)) escape in string literal", at: position)
                }
                out.append(scalar)
            case "0"..."7":
                var value = e.value - 48
                var count = 1
                while count < 3, let d = peek(), ("0"..."7").contains(d) {
                    value = value * 8 + (d.value - 48)
                    position += 1
                    count += 1
                }
                out.append(Unicode.Scalar(value)!)
            default:
                out.append("\\")
                out.append(e)
            }
        }
        return String(out)
    }
}
