/// Numbers reported after each optimizer step (one `metrics.jsonl` row).
public struct StepMetrics: Sendable, Equatable {
    public var step: Int  // 1-based optimizer step
    public var epoch: Double  // fractional: step / steps per epoch
    public var loss: Double  // mean over the step's tokens
    public var learningRate: Double
    public var gradNorm: Double  // before clipping
    public var tokens: Int
    public var tokensPerSecond: Double
    public var elapsed: Double  // seconds since the run began, across resumes
}

/// Progress of a training run, reported to the caller's closure, which answers `.more` or `.stop`.
public enum TrainingEvent: Sendable, Equatable {
    case train(StepMetrics)
    case eval(step: Int, epoch: Double, loss: Double, isBest: Bool)
    /// The eval at `step` has run `done` of its `total` test batches in `elapsed` seconds (reported
    /// before the first batch and after each; a `.stop` answer ends the eval there).
    case evalProgress(step: Int, done: Int, total: Int, elapsed: Double)
    case sample(step: Int, text: String)
    /// A checkpoint was written (`directory` is its folder; `isBest` when `best` now points to it).
    case save(step: Int, directory: String, isBest: Bool)
    case finished(step: Int, reason: TrainingFinish)
}

public enum TrainingFinish: String, Sendable, Equatable {
    case completed, stopped, earlyStopped
}

/// The caller's answer to each event.
public enum TrainingProgress: Sendable {
    case more, stop
}

/// What one call of the step function returns: the loss summed over the batch's predicted tokens
/// and how many tokens that was.
public struct LossSum: Sendable, Equatable {
    public var lossSum: Double
    public var tokens: Int
    public init(lossSum: Double, tokens: Int) {
        self.lossSum = lossSum
        self.tokens = tokens
    }
}
