/// Errors from parsing or rendering a template, with where they happened.
public struct JinjaError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var line: Int?
    /// True for `raise_exception(...)` called by the template itself.
    public var raisedByTemplate = false

    public var description: String {
        if raisedByTemplate { return "the chat template refused the conversation: \(message)" }
        return line.map { "chat template, line \($0): \(message)" } ?? "chat template: \(message)"
    }
}

enum JinjaToken: Equatable {
    case name(String), int(Int), double(Double), string(String), op(String)
}

indirect enum JinjaExpr {
    case literal(JinjaValue)
    case name(String)
    case list([JinjaExpr])
    case dict([(JinjaExpr, JinjaExpr)])
    case attribute(JinjaExpr, String)
    case index(JinjaExpr, JinjaExpr)
    case slice(JinjaExpr, JinjaExpr?, JinjaExpr?, JinjaExpr?)
    case call(JinjaExpr, [JinjaExpr], [(String, JinjaExpr)])
    case filter(JinjaExpr, String, [JinjaExpr], [(String, JinjaExpr)])
    case test(JinjaExpr, String, [JinjaExpr], negated: Bool)
    case unary(String, JinjaExpr)
    case binary(String, JinjaExpr, JinjaExpr)
    case conditional(JinjaExpr, JinjaExpr, JinjaExpr?)
}

indirect enum JinjaNode {
    case text(String)
    case output(JinjaExpr, line: Int)
    case forLoop(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], elseBody: [JinjaNode], line: Int)
    case ifBlock([(JinjaExpr, [JinjaNode])], elseBody: [JinjaNode], line: Int)
    case set(target: [String], attribute: String?, JinjaExpr, line: Int)
    case macro(name: String, parameters: [(String, JinjaExpr?)], body: [JinjaNode])
}

/// Splits template source into text and tags, applying `-` whitespace control, trim_blocks and
/// lstrip_blocks (Hugging Face renders chat templates with both on).
struct JinjaLexer {
    enum Piece {
        case text(String)
        case output([JinjaToken], line: Int)
        case statement([JinjaToken], line: Int)
    }

    static func pieces(_ source: String) throws -> [Piece] {
        let s = Array(source.unicodeScalars)
        var pieces: [Piece] = []
        var text = String.UnicodeScalarView()
        var i = 0, line = 1
        var trimNextNewline = false, stripNextWhitespace = false
        var textBeganAtLineStart = true
        func flushText() {
            if !text.isEmpty { pieces.append(.text(String(text))) }
            text = String.UnicodeScalarView()
        }
        while i < s.count {
            let c = s[i]
            let isTagStart = c == "{" && i + 1 < s.count && (s[i + 1] == "{" || s[i + 1] == "%" || s[i + 1] == "#")
            if !isTagStart {
                if stripNextWhitespace, c.properties.isWhitespace { if c == "\n" { line += 1 }; i += 1; continue }
                stripNextWhitespace = false
                if trimNextNewline { trimNextNewline = false; if c == "\n" { line += 1; i += 1; continue } }
                if c == "\n" { line += 1 }
                if text.isEmpty { textBeganAtLineStart = i == 0 || s[i - 1] == "\n" }
                text.append(c)
                i += 1
                continue
            }
            stripNextWhitespace = false
            trimNextNewline = false
            let kind = s[i + 1]
            let tagLine = line
            var j = i + 2
            let stripBefore = j < s.count && s[j] == "-"
            let keepBefore = j < s.count && s[j] == "+"
            if stripBefore || keepBefore { j += 1 }
            if stripBefore {
                while let last = text.last, last.properties.isWhitespace { text.removeLast() }
            } else if kind != "{" && !keepBefore {
                // lstrip_blocks: remove the spaces and tabs between a line's start and a block tag.
                var k = text.endIndex
                while k > text.startIndex, text[text.index(before: k)] == " " || text[text.index(before: k)] == "\t" { k = text.index(before: k) }
                let atLineStart = k == text.startIndex
                    ? (text.isEmpty ? (i == 0 || s[i - 1] == "\n") : textBeganAtLineStart)
                    : text[text.index(before: k)] == "\n"
                if atLineStart {
                    text.removeSubrange(k...)
                }
            }
            var stripAfter = false
            if kind == "#" {
                guard let end = find(s, "#}", from: j) else { throw JinjaError(message: "unclosed comment", line: tagLine) }
                line += s[j..<end].filter { $0 == "\n" }.count
                stripAfter = end > j && s[end - 1] == "-"
                i = end + 2
                flushText()
            } else {
                let close: String = kind == "{" ? "}}" : "%}"
                var tokens: [JinjaToken] = []
                j = try tokenize(s, from: j, until: close, into: &tokens, line: &line, stripAfter: &stripAfter)
                i = j
                flushText()
                pieces.append(kind == "{" ? .output(tokens, line: tagLine) : .statement(tokens, line: tagLine))
            }
            if stripAfter { stripNextWhitespace = true } else if kind != "{" { trimNextNewline = true }
        }
        flushText()
        return pieces
    }

    private static func find(_ s: [Unicode.Scalar], _ needle: String, from: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        var i = from
        while i + n.count <= s.count {
            if s[i] == n[0] && s[i + 1] == n[1] { return i }
            i += 1
        }
        return nil
    }

    /// Tokenizes an expression up to `close` (or `-close`); returns the index after the tag.
    private static func tokenize(_ s: [Unicode.Scalar], from start: Int, until close: String, into tokens: inout [JinjaToken],
                                 line: inout Int, stripAfter: inout Bool) throws -> Int {
        let closeScalars = Array(close.unicodeScalars)
        var i = start
        while i < s.count {
            let c = s[i]
            if c == "\n" { line += 1; i += 1; continue }
            if c.properties.isWhitespace { i += 1; continue }
            if c == "-" || c == "+", i + 2 < s.count, s[i + 1] == closeScalars[0], s[i + 2] == closeScalars[1] {
                stripAfter = c == "-"
                return i + 3
            }
            if i + 1 < s.count, c == closeScalars[0], s[i + 1] == closeScalars[1] { return i + 2 }
            if c == "'" || c == "\"" {
                var value = String.UnicodeScalarView()
                var k = i + 1
                while k < s.count, s[k] != c {
                    if s[k] == "\\", k + 1 < s.count {
                        k += 1
                        switch s[k] {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        default: value.append(s[k])
                        }
                    } else {
                        if s[k] == "\n" { line += 1 }
                        value.append(s[k])
                    }
                    k += 1
                }
                guard k < s.count else { throw JinjaError(message: "unterminated string", line: line) }
                tokens.append(.string(String(value)))
                i = k + 1
                continue
            }
            if c.properties.numericType != nil && c.isASCII {
                var k = i
                while k < s.count, s[k].isASCII, s[k].properties.numericType != nil || s[k] == "_" { k += 1 }
                if k + 1 < s.count, s[k] == ".", s[k + 1].isASCII, s[k + 1].properties.numericType != nil {
                    k += 1
                    while k < s.count, s[k].isASCII, s[k].properties.numericType != nil { k += 1 }
                    tokens.append(.double(Double(String(String.UnicodeScalarView(s[i..<k]))) ?? 0))
                } else {
                    guard let v = Int(String(String.UnicodeScalarView(s[i..<k].filter { $0 != "_" }))) else {
                        throw JinjaError(message: "number too large", line: line)
                    }
                    tokens.append(.int(v))
                }
                i = k
                continue
            }
            if c == "_" || c.properties.isAlphabetic {
                var k = i
                while k < s.count, s[k] == "_" || s[k].properties.isAlphabetic || (s[k].isASCII && s[k].properties.numericType != nil) { k += 1 }
                tokens.append(.name(String(String.UnicodeScalarView(s[i..<k]))))
                i = k
                continue
            }
            let two = i + 1 < s.count ? String(String.UnicodeScalarView([c, s[i + 1]])) : ""
            if ["==", "!=", "<=", ">=", "//", "**"].contains(two) {
                tokens.append(.op(two))
                i += 2
                continue
            }
            guard "()[]{},:.|~+-*/%<>=".unicodeScalars.contains(c) else {
                throw JinjaError(message: "unexpected character '\(c)'", line: line)
            }
            tokens.append(.op(String(c)))
            i += 1
        }
        throw JinjaError(message: "unclosed tag (expected '\(close)')", line: line)
    }
}
