import Foundation

/// How the next token is chosen. `temperature` 0 means greedy (argmax).
public struct SamplingParameters: Sendable, Equatable, Codable {
    public var temperature: Float = 0.7
    public var topK: Int = 40
    public var topP: Float = 0.95
    public var minP: Float = 0.05
    public var repetitionPenalty: Float = 1.0
    /// How many recent tokens the repetition penalty looks at.
    public var repetitionWindow: Int = 64
    public var seed: UInt64 = 42

    public init() {}
    public static let greedy: SamplingParameters = { var p = SamplingParameters(); p.temperature = 0; return p }()

    /// Checks the values a user can type (flags, `tunebench.toml`, the Chat pane's commands).
    public func validate() throws(SamplingError) {
        guard temperature.isFinite, temperature >= 0, temperature <= 100 else { throw .badSetting("temperature must be between 0 and 100, not \(temperature)") }
        guard topK >= 0 else { throw .badSetting("top-k must be 0 (all) or more, not \(topK)") }
        guard topP > 0, topP <= 1 else { throw .badSetting("top-p must be in (0, 1], not \(topP)") }
        guard minP >= 0, minP < 1 else { throw .badSetting("min-p must be in [0, 1), not \(minP)") }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else { throw .badSetting("the repetition penalty must be positive, not \(repetitionPenalty)") }
        guard repetitionWindow >= 0 else { throw .badSetting("the repetition window must be 0 or more, not \(repetitionWindow)") }
    }
}

/// A sampling setting a user gave that cannot be used.
public enum SamplingError: Error, CustomStringConvertible, Equatable {
    case badSetting(String)
    public var description: String {
        switch self { case .badSetting(let m): m }
    }
}

/// Picks tokens from logits: repetition penalty, then greedy or temperature + top-k + top-p + min-p.
/// Seeded, so a seed reproduces a generation exactly.
public struct Sampler {
    public var parameters: SamplingParameters
    private var rng: SplitMix64
    private var candidates: [(id: Int32, logit: Float)] = []

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        rng = SplitMix64(seed: parameters.seed)
    }

    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, recent: ArraySlice<Int32> = []) -> Int32 {
        let p = parameters
        var penalised: [Int: Float] = [:]
        if p.repetitionPenalty != 1 {
            // As in llama.cpp/CTRL: divide positive logits, multiply negative ones.
            for id in Set(recent.suffix(p.repetitionWindow)) where Int(id) < logits.count {
                let l = logits[Int(id)]
                penalised[Int(id)] = l > 0 ? l / p.repetitionPenalty : l * p.repetitionPenalty
            }
        }
        @inline(__always) func logit(_ i: Int) -> Float { penalised[i] ?? logits[i] }

        if p.temperature <= 0 {
            var best = 0
            for i in 1..<logits.count where logit(i) > logit(best) { best = i }
            return Int32(best)
        }
        // Top-k by partial selection, then softmax with temperature over the survivors.
        let k = p.topK > 0 ? min(p.topK, logits.count) : logits.count
        candidates.removeAll(keepingCapacity: true)
        for i in 0..<logits.count { candidates.append((Int32(i), logit(i))) }
        candidates.sort { $0.logit > $1.logit }
        if k < candidates.count { candidates.removeLast(candidates.count - k) }
        let maximum = candidates[0].logit
        var probabilities = candidates.map { expf(($0.logit - maximum) / p.temperature) }
        let total = probabilities.reduce(0, +)
        for i in probabilities.indices { probabilities[i] /= total }
        // min-p: drop tokens less likely than minP × the top probability.
        var keep = probabilities.count
        if p.minP > 0 {
            let floor = probabilities[0] * p.minP
            keep = probabilities.firstIndex { $0 < floor } ?? keep
        }
        // top-p: the smallest prefix whose mass reaches topP.
        if p.topP < 1 {
            var mass: Float = 0
            for i in 0..<keep {
                mass += probabilities[i]
                if mass >= p.topP { keep = i + 1; break }
            }
        }
        keep = max(1, keep)
        let mass = probabilities[0..<keep].reduce(0, +)
        var r = rng.nextFloat() * mass
        for i in 0..<keep {
            r -= probabilities[i]
            if r <= 0 { return candidates[i].id }
        }
        return candidates[keep - 1].id
    }
}
