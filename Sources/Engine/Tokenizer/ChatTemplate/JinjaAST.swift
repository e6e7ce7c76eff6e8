/// The parsed form of a template: statements holding expressions. Plain value types, so a parsed
/// template is `Sendable` and can be rendered from any thread.
indirect enum JinjaExpr: Sendable {
    case literal(JinjaLiteral)
    case name(String)
    case list([JinjaExpr])
    case tuple([JinjaExpr])
    case dict([(key: JinjaExpr, value: JinjaExpr)])
    case attribute(JinjaExpr, String)
    case index(JinjaExpr, JinjaExpr)
    case slice(JinjaExpr, start: JinjaExpr?, stop: JinjaExpr?, step: JinjaExpr?)
    case call(JinjaExpr, JinjaArguments)
    case filter(JinjaExpr, name: String, JinjaArguments)
    case test(JinjaExpr, name: String, JinjaArguments, negated: Bool)
    case unary(String, JinjaExpr)  // "not", "-", "+"
    case binary(String, JinjaExpr, JinjaExpr)  // arithmetic, "~", "and", "or"
    case compare(JinjaExpr, [(op: String, JinjaExpr)])  // chained: a < b < c; ops include "in", "not in"
    case conditional(then: JinjaExpr, condition: JinjaExpr, otherwise: JinjaExpr?)
}

enum JinjaLiteral: Sendable {
    case none, bool(Bool), int(Int), double(Double), string(String)
}

struct JinjaArguments: Sendable {
    var positional: [JinjaExpr] = []
    var keyword: [(name: String, value: JinjaExpr)] = []
}

/// What a `set` or `for` assigns to.
enum JinjaTarget: Sendable {
    case name(String)
    case attribute(String, String)  // ns.attr
    case tuple([String])
}

struct JinjaMacroParameter: Sendable {
    var name: String
    var defaultValue: JinjaExpr?
}

indirect enum JinjaStmt: Sendable {
    case text(String)
    case output(JinjaExpr, line: Int)
    case ifChain(branches: [(condition: JinjaExpr, body: [JinjaStmt])], otherwise: [JinjaStmt], line: Int)
    case forLoop(target: JinjaTarget, iterable: JinjaExpr, filter: JinjaExpr?, body: [JinjaStmt], otherwise: [JinjaStmt], line: Int)
    case set(JinjaTarget, JinjaExpr, line: Int)
    case setBlock(String, body: [JinjaStmt], line: Int)
    case macro(name: String, parameters: [JinjaMacroParameter], body: [JinjaStmt], line: Int)
    case breakLoop(line: Int)
    case continueLoop(line: Int)
}
