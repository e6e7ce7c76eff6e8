import Foundation

/// Timings of one generation.
public struct GenerationStats: Sendable {
    public var promptTokens = 0
    public var cachedPromptTokens = 0
    public var promptSeconds = 0.0
    public var generatedTokens = 0
    public var decodeSeconds = 0.0
    public var stopReason = StopReason.maxTokens

    public init() {}

    public enum StopReason: String, Sendable { case endOfSequence = "end of sequence", stopString = "stop string", maxTokens = "max tokens", interrupted, contextFull = "context full" }

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens - cachedPromptTokens) / promptSeconds : 0 }
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(generatedTokens) / decodeSeconds : 0 }

    public var summary: String {
        String(format: "prompt: %d tokens (%d cached) in %.2f s, %.1f tokens/s; decode: %d tokens in %.2f s, %.1f tokens/s; stopped: %@",
               promptTokens, cachedPromptTokens, promptSeconds, promptTokensPerSecond, generatedTokens, decodeSeconds,
               decodeTokensPerSecond, stopReason.rawValue)
    }
}

/// Streams text from a model: reuses the KV cache for a shared prompt prefix, samples, stops at
/// end-of-sequence tokens, stop strings or a token budget, and hands out only complete UTF-8 text.
public final class TextGenerator {
    public let session: InferenceSession
    public let tokenizer: Tokenizer

    public init(session: InferenceSession, tokenizer: Tokenizer) {
        self.session = session
        self.tokenizer = tokenizer
    }

    /// Token ids that end a reply: EOS plus the chat end-of-turn tokens the vocabulary has.
    public var defaultStopTokens: Set<Int32> {
        var stops = Set<Int32>()
        if let eos = tokenizer.eosID { stops.insert(eos) }
        for name in ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<end_of_turn>", "</s>"] {
            if let id = tokenizer.id(for: name), tokenizer.isSpecial(id) { stops.insert(id) }
        }
        return stops
    }

    /// Generates after `prompt`, calling `emit` with each piece of text as soon as it is complete.
    /// `shouldStop` is polled between tokens (Ctrl-C).
    @discardableResult
    public func generate(
        prompt: [Int32], maxTokens: Int, sampling: SamplingParameters, stopTokens: Set<Int32>? = nil,
        stopStrings: [String] = [], shouldStop: () -> Bool = { false }, emit: (String) -> Void
    ) throws -> GenerationStats {
        var stats = GenerationStats()
        stats.promptTokens = prompt.count
        guard !prompt.isEmpty else { throw ModelError.badHyperparameter("the prompt is empty") }
        guard prompt.count < session.contextLength else { throw ModelError.contextFull(limit: session.contextLength) }
        let stops = stopTokens ?? defaultStopTokens

        // Reuse the cached prefix; at least the last prompt token is evaluated to get logits.
        let shared = zip(session.tokens, prompt).prefix { $0 == $1 }.count
        let reuse = min(shared, prompt.count - 1)
        session.truncate(to: reuse)
        stats.cachedPromptTokens = reuse
        let start = Date()
        var logits = try session.evaluate(Array(prompt[reuse...]))
        stats.promptSeconds = Date().timeIntervalSince(start)

        var sampler = Sampler(sampling)
        var decoder = tokenizer.makeStreamingDecoder(skipSpecial: true)
        var history = prompt
        var pending = ""  // text held back while it could be the start of a stop string
        let decodeStart = Date()
        defer { stats.decodeSeconds = Date().timeIntervalSince(decodeStart) }
        while stats.generatedTokens < maxTokens {
            if shouldStop() { stats.stopReason = .interrupted; break }
            // Sampling from NaN scores picks an arbitrary token forever ("77777777"): refuse instead.
            guard !logits.contains(where: { !$0.isFinite }) else { throw ModelError.nonFiniteLogits(position: session.position) }
            let next = sampler.sample(logits, recent: history[...])
            stats.generatedTokens += 1
            if stops.contains(next) { stats.stopReason = .endOfSequence; break }
            history.append(next)
            pending += decoder.append(next)
            if let hit = stopStrings.compactMap({ pending.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
                emit(String(pending[..<hit.lowerBound]))
                pending = ""
                stats.stopReason = .stopString
                break
            }
            let hold = stopStrings.map { longestSuffixPrefix(of: pending, in: $0) }.max() ?? 0
            if pending.count > hold {
                let cut = pending.index(pending.endIndex, offsetBy: -hold)
                emit(String(pending[..<cut]))
                pending = String(pending[cut...])
            }
            if stats.generatedTokens >= maxTokens { break }
            if session.position >= session.contextLength { stats.stopReason = .contextFull; break }
            logits = try session.evaluate([next])
        }
        if stats.stopReason != .stopString { emit(pending + decoder.finish()) }
        stats.decodeSeconds = Date().timeIntervalSince(decodeStart)
        return stats
    }

    /// Length of the longest suffix of `text` that is a proper prefix of `stop`.
    private func longestSuffixPrefix(of text: String, in stop: String) -> Int {
        var n = min(text.count, stop.count - 1)
        while n > 0 {
            if text.hasSuffix(stop.prefix(n)) { return n }
            n -= 1
        }
        return 0
    }
}
