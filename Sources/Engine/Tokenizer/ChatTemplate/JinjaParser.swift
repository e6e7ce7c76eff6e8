/// Recursive-descent parser for the Jinja subset chat templates use. Operator precedence follows
/// jinja2's parser (lowest first): `x if c else y`, `or`, `and`, `not`, comparisons and `in`, `+ -`,
/// `~`, `* / // %`, `**`, unary `- +`, then postfix (`.attr`, `[i]`, `(args)`) with filters `|f` and
/// tests `is t`, which bind tighter than any binary operator (`'a' + x | trim` is `'a' + (x | trim)`).
///
/// Nesting is bounded (`maxDepth`): each nested expression, operator in a chain, or block counts one
/// level, so hostile input such as 10,000 `(` fails with a syntax error instead of overflowing the stack.
struct JinjaParser {
    static let maxDepth = 200

    private var tokens: [JinjaToken]
    private var position = 0
    private var depth = 0

    static func parse(_ source: String) throws -> [JinjaStmt] {
        var parser = JinjaParser(tokens: try JinjaLexer.tokenize(source))
        let (body, end) = try parser.parseBody(until: [])
        if let end { throw parser.error("unexpected {% \(end) %}") }
        return body
    }

    private init(tokens: [JinjaToken]) { self.tokens = tokens }

    // MARK: token helpers

    private var current: JinjaToken { tokens[position] }

    private func error(_ message: String, at token: JinjaToken? = nil) -> ChatTemplateError {
        let t = token ?? current
        return .syntax(message: message, line: t.line, column: t.column)
    }

    private mutating func advance() -> JinjaToken {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    private func isOp(_ op: String) -> Bool { current.kind == .op(op) }
    private func isName(_ name: String) -> Bool { current.kind == .name(name) }

    private mutating func skip(op: String) -> Bool {
        if isOp(op) { position += 1; return true }
        return false
    }

    private mutating func skip(name: String) -> Bool {
        if isName(name) { position += 1; return true }
        return false
    }

    private mutating func expect(op: String) throws {
        guard skip(op: op) else { throw error("expected '\(op)' but found \(describe(current))") }
    }

    private mutating func expectName() throws -> String {
        guard case .name(let n) = current.kind else { throw error("expected a name but found \(describe(current))") }
        position += 1
        return n
    }

    private mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else { throw error("expected %} but found \(describe(current))") }
        position += 1
    }

    private func describe(_ t: JinjaToken) -> String {
        switch t.kind {
        case .text: return "text"
        case .outputBegin: return "'{{'"
        case .outputEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case .name(let n): return "'\(n)'"
        case .string: return "a string"
        case .int(let i): return "'\(i)'"
        case .float(let d): return "'\(d)'"
        case .op(let o): return "'\(o)'"
        case .end: return "the end of the template"
        }
    }

    /// Counts one nesting level; call `depth -= n` when leaving.
    private mutating func descend() throws {
        depth += 1
        if depth > Self.maxDepth {
            throw error("template nests deeper than \(Self.maxDepth) levels (expressions, operator chains or blocks)")
        }
    }

    // MARK: statements

    /// Parses until one of `terminators` (a block keyword such as "endfor"); returns that keyword,
    /// with the `{%` and the keyword consumed, or nil at the end of input.
    private mutating func parseBody(until terminators: Set<String>) throws -> ([JinjaStmt], String?) {
        var body: [JinjaStmt] = []
        while true {
            let token = current
            switch token.kind {
            case .text(let s):
                position += 1
                body.append(.text(s))
            case .outputBegin:
                position += 1
                let expr = try parseExpression()
                guard current.kind == .outputEnd else { throw error("expected }} but found \(describe(current))") }
                position += 1
                body.append(.output(expr, line: token.line))
            case .blockBegin:
                position += 1
                guard case .name(let keyword) = current.kind else { throw error("expected a tag name after {%") }
                if terminators.contains(keyword) {
                    position += 1
                    return (body, keyword)
                }
                body.append(contentsOf: try parseStatement())
            case .end:
                if !terminators.isEmpty {
                    let names = terminators.sorted().map { "{% \($0) %}" }.joined(separator: " or ")
                    throw error("missing \(names) before the end of the template")
                }
                return (body, nil)
            default:
                throw error("unexpected \(describe(token))")
            }
        }
    }

    private mutating func parseStatement() throws -> [JinjaStmt] {
        try descend()
        defer { depth -= 1 }
        let keywordToken = advance()
        guard case .name(let keyword) = keywordToken.kind else { throw error("expected a tag name") }
        let line = keywordToken.line
        switch keyword {
        case "if":
            var branches: [(condition: JinjaExpr, body: [JinjaStmt])] = []
            var condition = try parseExpression()
            try expectBlockEnd()
            while true {
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                if end == "elif" {
                    condition = try parseExpression()
                    try expectBlockEnd()
                    continue
                }
                try expectBlockEnd()
                var otherwise: [JinjaStmt] = []
                if end == "else" {
                    (otherwise, _) = try parseBody(until: ["endif"])
                    try expectBlockEnd()
                }
                return [.ifChain(branches: branches, otherwise: otherwise, line: line)]
            }
        case "for":
            let target = try parseTarget(allowAttribute: false)
            guard skip(name: "in") else { throw error("expected 'in' in for loop") }
            let iterable = try parseOr()
            var filter: JinjaExpr? = nil
            if skip(name: "if") { filter = try parseExpression() }
            if isName("recursive") { throw error("recursive for loops are not supported") }
            try expectBlockEnd()
            let (body, end) = try parseBody(until: ["else", "endfor"])
            try expectBlockEnd()
            var otherwise: [JinjaStmt] = []
            if end == "else" {
                (otherwise, _) = try parseBody(until: ["endfor"])
                try expectBlockEnd()
            }
            return [.forLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, line: line)]
        case "set":
            let target = try parseTarget(allowAttribute: true)
            if skip(op: "=") {
                let value = try parseTupleExpression()
                try expectBlockEnd()
                return [.set(target, value, line: line)]
            }
            guard case .name(let name) = target else { throw error("a block set needs a single variable name") }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endset"])
            try expectBlockEnd()
            return [.setBlock(name, body: body, line: line)]
        case "macro":
            let name = try expectName()
            try expect(op: "(")
            var parameters: [JinjaMacroParameter] = []
            while !isOp(")") {
                let pname = try expectName()
                var defaultValue: JinjaExpr? = nil
                if skip(op: "=") { defaultValue = try parseExpression() }
                parameters.append(JinjaMacroParameter(name: pname, defaultValue: defaultValue))
                if !skip(op: ",") { break }
            }
            try expect(op: ")")
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endmacro"])
            if case .name = current.kind { position += 1 }  // {% endmacro name %}
            try expectBlockEnd()
            return [.macro(name: name, parameters: parameters, body: body, line: line)]
        case "break":
            try expectBlockEnd()
            return [.breakLoop(line: line)]
        case "continue":
            try expectBlockEnd()
            return [.continueLoop(line: line)]
        case "generation":
            // Hugging Face's AssistantTracker tag: marks assistant text for masks; renders its body.
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectBlockEnd()
            return body
        default:
            throw error("unsupported tag '\(keyword)'", at: keywordToken)
        }
    }

    private mutating func parseTarget(allowAttribute: Bool) throws -> JinjaTarget {
        let parenthesized = skip(op: "(")
        let first = try expectName()
        if allowAttribute && skip(op: ".") {
            return .attribute(first, try expectName())
        }
        var names = [first]
        while skip(op: ",") {
            if case .name = current.kind { names.append(try expectName()) } else { break }
        }
        if parenthesized { try expect(op: ")") }
        return names.count == 1 && !parenthesized ? .name(first) : .tuple(names)
    }

    // MARK: expressions

    /// `a, b` without brackets (the right side of `set`) is a tuple.
    private mutating func parseTupleExpression() throws -> JinjaExpr {
        let first = try parseExpression()
        guard isOp(",") else { return first }
        var items = [first]
        while skip(op: ",") {
            if current.kind == .blockEnd { break }
            items.append(try parseExpression())
        }
        return .tuple(items)
    }

    mutating func parseExpression() throws -> JinjaExpr {
        try descend()
        var levels = 1
        defer { depth -= levels }
        var expr = try parseOr()
        while skip(name: "if") {
            try descend()
            levels += 1
            let condition = try parseOr()
            var otherwise: JinjaExpr? = nil
            if skip(name: "else") { otherwise = try parseExpression() }
            expr = .conditional(then: expr, condition: condition, otherwise: otherwise)
        }
        return expr
    }

    private mutating func parseOr() throws -> JinjaExpr {
        var levels = 0
        defer { depth -= levels }
        var left = try parseAnd()
        while skip(name: "or") {
            try descend()
            levels += 1
            left = .binary("or", left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws -> JinjaExpr {
        var levels = 0
        defer { depth -= levels }
        var left = try parseNot()
        while skip(name: "and") {
            try descend()
            levels += 1
            left = .binary("and", left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws -> JinjaExpr {
        if isName("not") {
            position += 1
            try descend()
            defer { depth -= 1 }
            return .unary("not", try parseNot())
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> JinjaExpr {
        let left = try parseMath1()
        var ops: [(op: String, JinjaExpr)] = []
        var levels = 0
        defer { depth -= levels }
        while true {
            var op: String? = nil
            if case .op(let o) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                op = o
                position += 1
            } else if isName("in") {
                op = "in"
                position += 1
            } else if isName("not"), position + 1 < tokens.count, tokens[position + 1].kind == .name("in") {
                op = "not in"
                position += 2
            }
            guard let found = op else { break }
            try descend()
            levels += 1
            ops.append((found, try parseMath1()))
        }
        return ops.isEmpty ? left : .compare(left, ops)
    }

    private mutating func parseBinaryChain(
        _ operators: Set<String>, next: (inout JinjaParser) throws -> JinjaExpr
    ) throws -> JinjaExpr {
        var levels = 0
        defer { depth -= levels }
        var left = try next(&self)
        while case .op(let o) = current.kind, operators.contains(o) {
            position += 1
            try descend()
            levels += 1
            left = .binary(o, left, try next(&self))
        }
        return left
    }

    private mutating func parseMath1() throws -> JinjaExpr {
        try parseBinaryChain(["+", "-"]) { try $0.parseConcat() }
    }

    private mutating func parseConcat() throws -> JinjaExpr {
        try parseBinaryChain(["~"]) { try $0.parseMath2() }
    }

    private mutating func parseMath2() throws -> JinjaExpr {
        try parseBinaryChain(["*", "/", "//", "%"]) { try $0.parsePow() }
    }

    private mutating func parsePow() throws -> JinjaExpr {
        try parseBinaryChain(["**"]) { try $0.parseUnary(withFilter: true) }
    }

    private mutating func parseUnary(withFilter: Bool) throws -> JinjaExpr {
        try descend()
        var levels = 1
        defer { depth -= levels }
        var node: JinjaExpr
        if isOp("-") || isOp("+") {
            guard case .op(let sign) = advance().kind else { throw error("expected a sign") }
            node = .unary(sign, try parseUnary(withFilter: false))
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node, levels: &levels)
        if withFilter { node = try parseFilterExpression(node, levels: &levels) }
        return node
    }

    private mutating func parsePrimary() throws -> JinjaExpr {
        let token = advance()
        switch token.kind {
        case .name(let n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .string(var s):
            while case .string(let more) = current.kind {  // adjacent literals concatenate
                s += more
                position += 1
            }
            return .literal(.string(s))
        case .int(let i): return .literal(.int(i))
        case .float(let d): return .literal(.double(d))
        case .op("("):
            if skip(op: ")") { return .tuple([]) }
            let first = try parseExpression()
            if skip(op: ")") { return first }
            var items = [first]
            while skip(op: ",") {
                if isOp(")") { break }
                items.append(try parseExpression())
            }
            try expect(op: ")")
            return .tuple(items)
        case .op("["):
            var items: [JinjaExpr] = []
            while !isOp("]") {
                items.append(try parseExpression())
                if !skip(op: ",") { break }
            }
            try expect(op: "]")
            return .list(items)
        case .op("{"):
            var pairs: [(key: JinjaExpr, value: JinjaExpr)] = []
            while !isOp("}") {
                let key = try parseExpression()
                try expect(op: ":")
                pairs.append((key, try parseExpression()))
                if !skip(op: ",") { break }
            }
            try expect(op: "}")
            return .dict(pairs)
        default:
            throw error("unexpected \(describe(token)) in expression", at: token)
        }
    }

    private mutating func parsePostfix(_ start: JinjaExpr, levels: inout Int) throws -> JinjaExpr {
        var node = start
        while true {
            if skip(op: ".") {
                try descend()
                levels += 1
                switch advance().kind {
                case .name(let n): node = .attribute(node, n)
                case .int(let i): node = .index(node, .literal(.int(i)))
                default: throw error("expected an attribute name after '.'")
                }
            } else if isOp("[") {
                try descend()
                levels += 1
                node = try parseSubscript(node)
            } else if isOp("(") {
                try descend()
                levels += 1
                node = .call(node, try parseArguments())
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ target: JinjaExpr) throws -> JinjaExpr {
        try expect(op: "[")
        var start: JinjaExpr? = nil
        if !isOp(":") { start = try parseExpression() }
        if skip(op: "]") {
            guard let index = start else { throw error("empty subscript") }
            return .index(target, index)
        }
        try expect(op: ":")
        var stop: JinjaExpr? = nil
        var step: JinjaExpr? = nil
        if !isOp(":") && !isOp("]") { stop = try parseExpression() }
        if skip(op: ":") {
            if !isOp("]") { step = try parseExpression() }
        }
        try expect(op: "]")
        return .slice(target, start: start, stop: stop, step: step)
    }

    private mutating func parseArguments() throws -> JinjaArguments {
        try expect(op: "(")
        var args = JinjaArguments()
        while !isOp(")") {
            if case .name(let n) = current.kind, position + 1 < tokens.count, tokens[position + 1].kind == .op("=") {
                position += 2
                args.keyword.append((n, try parseExpression()))
            } else {
                if !args.keyword.isEmpty { throw error("positional argument after keyword argument") }
                args.positional.append(try parseExpression())
            }
            if !skip(op: ",") { break }
        }
        try expect(op: ")")
        return args
    }

    private mutating func parseFilterExpression(_ start: JinjaExpr, levels: inout Int) throws -> JinjaExpr {
        var node = start
        while true {
            if skip(op: "|") {
                try descend()
                levels += 1
                var name = try expectName()
                while skip(op: ".") { name += "." + (try expectName()) }
                let args = isOp("(") ? try parseArguments() : JinjaArguments()
                node = .filter(node, name: name, args)
            } else if skip(name: "is") {
                try descend()
                levels += 1
                let negated = skip(name: "not")
                let name = try expectName()
                var args = JinjaArguments()
                if isOp("(") {
                    args = try parseArguments()
                } else if startsTestArgument() {
                    var argLevels = 0
                    let arg = try parsePostfix(try parsePrimary(), levels: &argLevels)
                    depth -= argLevels
                    args.positional = [arg]
                }
                node = .test(node, name: name, args, negated: negated)
            } else if isOp("(") {
                try descend()
                levels += 1
                node = .call(node, try parseArguments())
            } else {
                return node
            }
        }
    }

    /// jinja2 lets a test take one argument without parentheses: `x is divisibleby 3`.
    private func startsTestArgument() -> Bool {
        switch current.kind {
        case .name(let n): return !["else", "or", "and", "is"].contains(n)
        case .string, .int, .float: return true
        case .op(let o): return o == "[" || o == "{"
        default: return false
        }
    }
}
