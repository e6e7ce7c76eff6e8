/// One row of a training run's metrics: a training step (loss, lr, …) or an evaluation (eval_loss).
/// Fields a source does not report are nil.
public struct MetricRecord: Sendable, Equatable, Decodable {
    public var step: Int
    public var epoch: Double?
    public var loss: Double?
    public var learningRate: Double?
    public var gradNorm: Double?
    public var tokensPerSecond: Double?
    /// Seconds since the run started.
    public var elapsed: Double?
    public var evalLoss: Double?

    public init(step: Int, epoch: Double? = nil, loss: Double? = nil, learningRate: Double? = nil, gradNorm: Double? = nil,
                tokensPerSecond: Double? = nil, elapsed: Double? = nil, evalLoss: Double? = nil) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.learningRate = learningRate
        self.gradNorm = gradNorm
        self.tokensPerSecond = tokensPerSecond
        self.elapsed = elapsed
        self.evalLoss = evalLoss
    }

    /// Keys of TuneBench's `metrics.jsonl` and of a Hugging Face `log_history` entry, which differ
    /// only in the learning rate's name (`lr` / `learning_rate`).
    enum CodingKeys: String, CodingKey {
        case step, epoch, loss, lr, learningRate = "learning_rate", gradNorm = "grad_norm"
        case tokensPerSecond = "tokens_per_s", elapsed, evalLoss = "eval_loss"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // HF writes `step` as an integer; accept 12.0 too, as some writers do.
        if let s = try? c.decode(Int.self, forKey: .step) { step = s } else { step = Int(try c.decode(Double.self, forKey: .step)) }
        epoch = try c.decodeIfPresent(Double.self, forKey: .epoch)
        loss = try c.decodeIfPresent(Double.self, forKey: .loss)
        learningRate = try c.decodeIfPresent(Double.self, forKey: .lr) ?? c.decodeIfPresent(Double.self, forKey: .learningRate)
        gradNorm = try c.decodeIfPresent(Double.self, forKey: .gradNorm)
        tokensPerSecond = try c.decodeIfPresent(Double.self, forKey: .tokensPerSecond)
        elapsed = try c.decodeIfPresent(Double.self, forKey: .elapsed)
        evalLoss = try c.decodeIfPresent(Double.self, forKey: .evalLoss)
    }
}

/// Why a metrics file could not be followed.
public enum MetricsSourceError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case notTrainerState(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .notTrainerState(let path, let reason):
            "\(path) is not a Hugging Face trainer_state.json (\(reason)); give a metrics.jsonl or a trainer_state.json"
        }
    }
}
