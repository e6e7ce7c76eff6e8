import Foundation

/// Mean negative log-likelihood and perplexity of a token sequence, in windows of `context` tokens
/// (llama.cpp's `perplexity` with one window scores every token after the first).
public struct PerplexityResult: Sendable {
    public var meanNLL: Double
    public var perplexity: Double { exp(meanNLL) }
    public var scoredTokens: Int
    public var windows: Int
    /// The NLL of each scored token, in order (the first token of each window is not scored).
    public var tokenNLL: [Double] = []
}

public enum Perplexity {
    public static func evaluate(model: LlamaModel, tokens: [Int32], context: Int, threads: Int, adapter: LoRAAdapter? = nil,
                                progress: (Int, Int) -> Void = { _, _ in }) throws -> PerplexityResult {
        guard tokens.count >= 2 else { throw ModelError.badHyperparameter("need at least 2 tokens to score, got \(tokens.count)") }
        let session = InferenceSession(model: model, contextLength: context, threads: threads, adapter: adapter)
        var total = 0.0, scored = 0, windows = 0
        var tokenNLL: [Double] = []
        var start = 0
        while start < tokens.count - 1 {
            let window = Array(tokens[start..<min(start + context, tokens.count)])
            guard window.count >= 2 else { break }
            session.reset()
            try session.evaluate(window) { i, logits in
                guard i + 1 < window.count else { return }
                let target = Int(window[i + 1])
                let nll = Ops.logSumExp(logits.baseAddress!, n: logits.count) - Double(logits[target])
                total += nll
                tokenNLL.append(nll)
                scored += 1
            }
            windows += 1
            start += context
            progress(min(start, tokens.count), tokens.count)
        }
        return PerplexityResult(meanNLL: total / Double(scored), scoredTokens: scored, windows: windows, tokenNLL: tokenNLL)
    }
}
