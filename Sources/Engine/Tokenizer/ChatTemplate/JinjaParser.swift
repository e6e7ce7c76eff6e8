/// Recursive-descent parser from lexer pieces to a node tree. Nesting is bounded so that hostile
/// input ("((((…") ends in an error rather than a stack overflow.
struct JinjaParser {
    static let maximumNesting = 100

    private var pieces: [JinjaLexer.Piece]
    private var position = 0

    init(_ pieces: [JinjaLexer.Piece]) { self.pieces = pieces }

    mutating func parseTemplate() throws -> [JinjaNode] {
        let (nodes, end) = try parseBlock(until: [])
        if let (word, line) = end { throw JinjaError(message: "unexpected '{% \(word) %}'", line: line) }
        return nodes
    }

    /// Parses nodes until a statement whose first word is in `terminators`; returns that statement's
    /// word and line (and leaves its tokens in `pendingTokens`).
    private var pendingTokens: [JinjaToken] = []
    private var depth = 0

    private mutating func parseBlock(until terminators: Set<String>) throws -> ([JinjaNode], (String, Int)?) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumNesting else { throw JinjaError(message: "blocks nested more than \(Self.maximumNesting) deep", line: nil) }
        var nodes: [JinjaNode] = []
        while position < pieces.count {
            let piece = pieces[position]
            position += 1
            switch piece {
            case .text(let t): nodes.append(.text(t))
            case .output(let tokens, let line):
                var p = ExpressionParser(tokens: tokens, line: line)
                let e = try p.parseExpression()
                try p.expectEnd()
                nodes.append(.output(e, line: line))
            case .statement(let tokens, let line):
                guard case .name(let word) = tokens.first else { throw JinjaError(message: "empty statement", line: line) }
                if terminators.contains(word) {
                    pendingTokens = tokens
                    return (nodes, (word, line))
                }
                nodes.append(try parseStatement(word, tokens, line: line))
            }
        }
        if !terminators.isEmpty {
            throw JinjaError(message: "missing '{% \(terminators.sorted().first!) %}' at the end of the template", line: nil)
        }
        return (nodes, nil)
    }

    private mutating func parseStatement(_ word: String, _ tokens: [JinjaToken], line: Int) throws -> JinjaNode {
        var p = ExpressionParser(tokens: Array(tokens.dropFirst()), line: line)
        switch word {
        case "for":
            var targets = [try p.expectName()]
            while p.accept(.op(",")) { targets.append(try p.expectName()) }
            try p.expect(.name("in"))
            let iterable = try p.parseExpression(allowConditional: false)
            var condition: JinjaExpr?
            if p.accept(.name("if")) { condition = try p.parseExpression(allowConditional: false) }
            _ = p.accept(.name("recursive"))
            try p.expectEnd()
            var (body, end) = try parseBlock(until: ["else", "endfor"])
            var elseBody: [JinjaNode] = []
            if end?.0 == "else" { (elseBody, end) = try parseBlock(until: ["endfor"]) }
            return .forLoop(targets: targets, iterable: iterable, condition: condition, body: body, elseBody: elseBody, line: line)
        case "if":
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var condition = try p.parseExpression()
            try p.expectEnd()
            var elseBody: [JinjaNode] = []
            while true {
                let (body, end) = try parseBlock(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                guard let (word, l) = end else { break }
                if word == "elif" {
                    var q = ExpressionParser(tokens: Array(pendingTokens.dropFirst()), line: l)
                    condition = try q.parseExpression()
                    try q.expectEnd()
                    continue
                }
                if word == "else" { (elseBody, _) = try parseBlock(until: ["endif"]) }
                break
            }
            return .ifBlock(branches, elseBody: elseBody, line: line)
        case "set":
            var target = [try p.expectName()]
            var attribute: String?
            if p.accept(.op(".")) { attribute = try p.expectName() }
            while attribute == nil, p.accept(.op(",")) { target.append(try p.expectName()) }
            guard p.accept(.op("=")) else { throw JinjaError(message: "block '{% set %}' is not supported; use '{% set x = … %}'", line: line) }
            let value = try p.parseExpression()
            try p.expectEnd()
            return .set(target: target, attribute: attribute, value, line: line)
        case "macro":
            let name = try p.expectName()
            try p.expect(.op("("))
            var parameters: [(String, JinjaExpr?)] = []
            while !p.accept(.op(")")) {
                let param = try p.expectName()
                var defaultValue: JinjaExpr?
                if p.accept(.op("=")) { defaultValue = try p.parseExpression() }
                parameters.append((param, defaultValue))
                if !p.accept(.op(",")) { try p.expect(.op(")")); break }
            }
            try p.expectEnd()
            let (body, _) = try parseBlock(until: ["endmacro"])
            return .macro(name: name, parameters: parameters, body: body)
        case "generation", "endgeneration":
            return .text("")  // HF's assistant-mask markers: no output of their own.
        default:
            throw JinjaError(message: "unsupported statement '{% \(word) %}'", line: line)
        }
    }
}

/// Expressions, Jinja precedence: conditional < or < and < not < comparison/in/is < ~ < + - < * / // % < ** < unary < postfix.
struct ExpressionParser {
    var tokens: [JinjaToken]
    var index = 0
    let line: Int
    private var depth = 0

    init(tokens: [JinjaToken], line: Int) {
        self.tokens = tokens
        self.line = line
    }

    var peek: JinjaToken? { index < tokens.count ? tokens[index] : nil }

    mutating func accept(_ t: JinjaToken) -> Bool {
        if peek == t { index += 1; return true }
        return false
    }

    mutating func expect(_ t: JinjaToken) throws {
        guard accept(t) else { throw error("expected \(describe(t)), found \(peek.map(describe) ?? "the end of the tag")") }
    }

    mutating func expectName() throws -> String {
        guard case .name(let n) = peek else { throw error("expected a name, found \(peek.map(describe) ?? "the end of the tag")") }
        index += 1
        return n
    }

    func expectEnd() throws {
        if let t = peek { throw error("unexpected \(describe(t))") }
    }

    func error(_ message: String) -> JinjaError { JinjaError(message: message, line: line) }

    func describe(_ t: JinjaToken) -> String {
        switch t {
        case .name(let n): "'\(n)'"
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): "'\(s)'"
        case .op(let o): "'\(o)'"
        }
    }

    mutating func parseExpression(allowConditional: Bool = true) throws -> JinjaExpr {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JinjaParser.maximumNesting else { throw error("expression nested more than \(JinjaParser.maximumNesting) deep") }
        let value = try parseOr()
        if allowConditional, accept(.name("if")) {
            let condition = try parseOr()
            var otherwise: JinjaExpr?
            if accept(.name("else")) { otherwise = try parseExpression() }
            return .conditional(value, condition, otherwise)
        }
        return value
    }

    mutating func parseOr() throws -> JinjaExpr {
        var left = try parseAnd()
        while accept(.name("or")) { left = .binary("or", left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws -> JinjaExpr {
        var left = try parseNot()
        while accept(.name("and")) { left = .binary("and", left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws -> JinjaExpr {
        if accept(.name("not")) {
            depth += 1
            defer { depth -= 1 }
            guard depth <= JinjaParser.maximumNesting else { throw error("expression nested too deep") }
            return .unary("not", try parseNot())
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> JinjaExpr {
        var left = try parseConcat()
        while true {
            if case .op(let o) = peek, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                index += 1
                left = .binary(o, left, try parseConcat())
            } else if accept(.name("in")) {
                left = .binary("in", left, try parseConcat())
            } else if peek == .name("not"), index + 1 < tokens.count, tokens[index + 1] == .name("in") {
                index += 2
                left = .unary("not", .binary("in", left, try parseConcat()))
            } else if accept(.name("is")) {
                let negated = accept(.name("not"))
                let name = try expectName()
                var args: [JinjaExpr] = []
                if accept(.op("(")) {
                    while !accept(.op(")")) {
                        args.append(try parseExpression())
                        if !accept(.op(",")) { try expect(.op(")")); break }
                    }
                } else if let t = peek, case .name(let n) = t, !["and", "or", "else", "if", "is", "in", "not"].contains(n) {
                    args.append(try parsePrimaryWithPostfix())
                } else if let t = peek, case .string = t {
                    args.append(try parsePrimaryWithPostfix())
                }
                left = .test(left, name, args, negated: negated)
            } else {
                return left
            }
        }
    }

    mutating func parseConcat() throws -> JinjaExpr {
        var left = try parseAdditive()
        while accept(.op("~")) { left = .binary("~", left, try parseAdditive()) }
        return left
    }

    mutating func parseAdditive() throws -> JinjaExpr {
        var left = try parseMultiplicative()
        while case .op(let o) = peek, o == "+" || o == "-" {
            index += 1
            left = .binary(o, left, try parseMultiplicative())
        }
        return left
    }

    mutating func parseMultiplicative() throws -> JinjaExpr {
        var left = try parsePower()
        while case .op(let o) = peek, ["*", "/", "//", "%"].contains(o) {
            index += 1
            left = .binary(o, left, try parsePower())
        }
        return left
    }

    mutating func parsePower() throws -> JinjaExpr {
        let left = try parseUnary()
        if accept(.op("**")) { return .binary("**", left, try parseUnary()) }
        return left
    }

    mutating func parseUnary() throws -> JinjaExpr {
        if case .op(let o) = peek, o == "-" || o == "+" {
            index += 1
            depth += 1
            defer { depth -= 1 }
            guard depth <= JinjaParser.maximumNesting else { throw error("expression nested too deep") }
            return .unary(o, try parseUnary())
        }
        return try parsePrimaryWithPostfix()
    }

    mutating func parseArguments() throws -> ([JinjaExpr], [(String, JinjaExpr)]) {
        var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
        while !accept(.op(")")) {
            if case .name(let n) = peek, index + 1 < tokens.count, tokens[index + 1] == .op("=") {
                index += 2
                kwargs.append((n, try parseExpression()))
            } else {
                args.append(try parseExpression())
            }
            if !accept(.op(",")) { try expect(.op(")")); break }
        }
        return (args, kwargs)
    }

    mutating func parsePrimaryWithPostfix() throws -> JinjaExpr {
        var e = try parsePrimary()
        while true {
            if accept(.op(".")) {
                e = .attribute(e, try expectName())
            } else if accept(.op("[")) {
                var parts: [JinjaExpr?] = [nil]
                var sawColon = false
                while !accept(.op("]")) {
                    if accept(.op(":")) { sawColon = true; parts.append(nil); continue }
                    parts[parts.count - 1] = try parseExpression()
                }
                if sawColon {
                    guard let base = Optional(e), parts.count <= 3 else { throw error("bad slice") }
                    e = .slice(base, parts[0], parts.count > 1 ? parts[1] : nil, parts.count > 2 ? parts[2] : nil)
                } else {
                    guard let key = parts[0] else { throw error("empty subscript") }
                    e = .index(e, key)
                }
            } else if accept(.op("(")) {
                let (args, kwargs) = try parseArguments()
                e = .call(e, args, kwargs)
            } else if accept(.op("|")) {
                let name = try expectName()
                var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
                if accept(.op("(")) { (args, kwargs) = try parseArguments() }
                e = .filter(e, name, args, kwargs)
            } else {
                return e
            }
        }
    }

    mutating func parsePrimary() throws -> JinjaExpr {
        guard let t = peek else { throw error("expression expected") }
        index += 1
        switch t {
        case .int(let i): return .literal(.int(i))
        case .double(let d): return .literal(.double(d))
        case .string(var s):
            while case .string(let next) = peek { s += next; index += 1 }  // adjacent literals concatenate
            return .literal(.string(s))
        case .name(let n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .op("("):
            depth += 1
            defer { depth -= 1 }
            guard depth <= JinjaParser.maximumNesting else { throw error("expression nested more than \(JinjaParser.maximumNesting) deep") }
            let first = try parseExpression()
            if accept(.op(",")) {
                var items = [first]
                while !accept(.op(")")) {
                    items.append(try parseExpression())
                    if !accept(.op(",")) { try expect(.op(")")); break }
                }
                return .list(items)
            }
            try expect(.op(")"))
            return first
        case .op("["):
            var items: [JinjaExpr] = []
            while !accept(.op("]")) {
                items.append(try parseExpression())
                if !accept(.op(",")) { try expect(.op("]")); break }
            }
            return .list(items)
        case .op("{"):
            var pairs: [(JinjaExpr, JinjaExpr)] = []
            while !accept(.op("}")) {
                let key = try parseExpression()
                try expect(.op(":"))
                pairs.append((key, try parseExpression()))
                if !accept(.op(",")) { try expect(.op("}")); break }
            }
            return .dict(pairs)
        default:
            throw error("unexpected \(describe(t))")
        }
    }
}
