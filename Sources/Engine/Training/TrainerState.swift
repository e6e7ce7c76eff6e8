/// Where a run stands between two optimizer steps: everything besides the parameters and the
/// optimizer moments that a resumed run needs to continue exactly as if never stopped.
public struct TrainerState: Sendable, Codable, Equatable {
    /// Optimizer steps taken.
    public var step: Int = 0
    /// 0-based epoch the next window comes from.
    public var epoch: Int = 0
    /// Windows of this epoch's shuffled order already consumed.
    public var position: Int = 0
    /// The random stream handed to the step function (dropout), as its raw state.
    public var rng: SplitMix64
    public var bestEvalLoss: Double? = nil
    public var bestStep: Int? = nil
    /// Evaluations in a row without a new best, for early stopping.
    public var evalsWithoutImprovement: Int = 0
    /// Seconds of training before this state, across resumes.
    public var elapsed: Double = 0
    /// The eval scheduled at `step` was cut short by a stop: a resumed run runs it first, so its
    /// log and best checkpoint match an uninterrupted run's.
    public var evalPending = false

    public init(seed: UInt64) {
        rng = SplitMix64(seed: seed ^ 0xD1B5_4A32_D192_ED03)
    }

    enum CodingKeys: String, CodingKey {
        case step, epoch, position, rng, bestEvalLoss = "best_eval_loss", bestStep = "best_step"
        case evalsWithoutImprovement = "evals_without_improvement", elapsed, evalPending = "eval_pending"
    }

    // The RNG state is a full 64-bit value: stored as a hex string so no JSON reader rounds it.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int.self, forKey: .step)
        epoch = try c.decode(Int.self, forKey: .epoch)
        position = try c.decode(Int.self, forKey: .position)
        let hex = try c.decode(String.self, forKey: .rng)
        guard let raw = UInt64(hex, radix: 16) else {
            throw DecodingError.dataCorruptedError(forKey: .rng, in: c, debugDescription: "rng is not a hex number")
        }
        rng = SplitMix64(seed: raw)
        bestEvalLoss = try c.decodeIfPresent(Double.self, forKey: .bestEvalLoss)
        bestStep = try c.decodeIfPresent(Int.self, forKey: .bestStep)
        evalsWithoutImprovement = try c.decode(Int.self, forKey: .evalsWithoutImprovement)
        elapsed = try c.decode(Double.self, forKey: .elapsed)
        evalPending = try c.decodeIfPresent(Bool.self, forKey: .evalPending) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(position, forKey: .position)
        try c.encode(String(rng.state, radix: 16), forKey: .rng)
        try c.encodeIfPresent(bestEvalLoss, forKey: .bestEvalLoss)
        try c.encodeIfPresent(bestStep, forKey: .bestStep)
        try c.encode(evalsWithoutImprovement, forKey: .evalsWithoutImprovement)
        try c.encode(elapsed, forKey: .elapsed)
        if evalPending { try c.encode(true, forKey: .evalPending) }
    }
}
