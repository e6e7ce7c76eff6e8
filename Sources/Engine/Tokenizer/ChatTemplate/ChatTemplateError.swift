/// Why a chat template could not be parsed or rendered. Each case reads as one line a user can act on.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    /// The template text is not valid (for this Jinja subset); 1-based line and column.
    case syntax(message: String, line: Int, column: Int)
    /// The template called `raise_exception(message)`, e.g. Mistral's role-alternation check.
    case raised(message: String)
    /// An operation failed while rendering (type error, undefined variable, unknown filter...).
    case runtime(message: String, line: Int)
    /// A sandbox limit was hit (loop iterations, recursion depth, output or string size, range length).
    case limitExceeded(message: String)

    public var description: String {
        switch self {
        case .syntax(let message, let line, let column):
            return "chat template syntax error at line \(line), column \(column): \(message)"
        case .raised(let message):
            return "chat template raised an exception: \(message)"
        case .runtime(let message, let line):
            return "chat template error at line \(line): \(message)"
        case .limitExceeded(let message):
            return "chat template stopped: \(message)"
        }
    }
}
