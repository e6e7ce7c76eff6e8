/// Every knob of a training run; stored as the run's `config.json`.
public struct TrainingSettings: Sendable, Codable, Equatable {
    /// Peak learning rate.
    public var learningRate: Double = 2e-4
    public var schedule: LRSchedule = .linear
    public var warmupSteps: Int = 0
    public var weightDecay: Double = 0.0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var epsilon: Double = 1e-8
    /// Training windows per micro-batch (one call of the step function).
    public var batchSize: Int = 4
    /// Micro-batches whose gradients are summed into one optimizer step.
    public var gradientAccumulation: Int = 1
    /// Clip the global gradient norm to this; nil: no clipping (the norm is still reported).
    public var maxGradNorm: Double? = 1.0
    public var epochs: Int = 1
    /// Stop after this many optimizer steps (overrides `epochs`; may run past one epoch).
    public var maxSteps: Int? = nil
    /// Seeds the data order and the step function's random numbers (dropout).
    public var seed: UInt64 = 42
    /// Evaluate on the test split every N steps (0: only at the end).
    public var evalEvery: Int = 0
    /// Generate a sample every N steps (0: never).
    public var sampleEvery: Int = 0
    /// Write a checkpoint every N steps (0: only at the end, on stop, and when eval improves).
    public var saveEvery: Int = 0
    /// Stop when the eval loss has not improved for this many evaluations (nil: never).
    public var earlyStoppingPatience: Int? = nil

    public init() {}

    public func validate() throws(TrainingError) {
        guard learningRate.isFinite, learningRate > 0 else { throw .badSetting("the learning rate must be a positive number, not \(learningRate)") }
        guard warmupSteps >= 0 else { throw .badSetting("warmup steps must be 0 or more, not \(warmupSteps)") }
        guard weightDecay >= 0, weightDecay.isFinite else { throw .badSetting("weight decay must be 0 or more, not \(weightDecay)") }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else { throw .badSetting("Adam betas must be in [0, 1), not \(beta1), \(beta2)") }
        guard epsilon > 0 else { throw .badSetting("Adam epsilon must be positive, not \(epsilon)") }
        guard batchSize >= 1 else { throw .badSetting("batch size must be at least 1, not \(batchSize)") }
        guard gradientAccumulation >= 1 else { throw .badSetting("gradient accumulation must be at least 1, not \(gradientAccumulation)") }
        if let m = maxGradNorm { guard m > 0 else { throw .badSetting("max gradient norm must be positive, not \(m)") } }
        guard epochs >= 1 || (maxSteps ?? 0) >= 1 else { throw .badSetting("train for at least one epoch or one step") }
        if let s = maxSteps { guard s >= 1 else { throw .badSetting("max steps must be at least 1, not \(s)") } }
        guard evalEvery >= 0, sampleEvery >= 0, saveEvery >= 0 else { throw .badSetting("eval, sample and save intervals must be 0 or more") }
        if let p = earlyStoppingPatience { guard p >= 1 else { throw .badSetting("early-stopping patience must be at least 1, not \(p)") } }
    }

    /// Optimizer steps in one pass over `trainCount` windows.
    public func stepsPerEpoch(trainCount: Int) -> Int {
        let microBatches = (trainCount + batchSize - 1) / batchSize
        return (microBatches + gradientAccumulation - 1) / gradientAccumulation
    }

    /// Optimizer steps the run will take.
    public func totalSteps(trainCount: Int) -> Int {
        maxSteps ?? epochs * stepsPerEpoch(trainCount: trainCount)
    }
}
