/// Every knob of a training run; stored as the run's `config.json` and as a workspace's
/// `[training]` section. `init()` is the bare trainer (no warm-up, no periodic eval or saves);
/// `fineTuneDefaults` is what a new workspace and `tunebench train` start from.
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
    /// The text each sample continues (greedy); empty: the opening of the first test window.
    public var samplePrompt: String = ""
    /// New tokens per sample.
    public var sampleTokens: Int = 48
    /// Requantize the frozen base's layer projections into this format at load (QLoRA); nil: train
    /// on the model file's own format.
    public var baseQuant: BaseQuantization? = nil

    public init() {}

    /// A fresh workspace's settings: cosine decay after 10 warm-up steps, an eval every 50 steps,
    /// a checkpoint every 100 and a sample every 100.
    public static let fineTuneDefaults: TrainingSettings = {
        var s = TrainingSettings()
        s.schedule = .cosine
        s.warmupSteps = 10
        s.evalEvery = 50
        s.saveEvery = 100
        s.sampleEvery = 100
        return s
    }()

    // Written out so that a config.json from before a field existed still decodes (as its default).
    enum CodingKeys: String, CodingKey {
        case learningRate, schedule, warmupSteps, weightDecay, beta1, beta2, epsilon, batchSize, gradientAccumulation
        case maxGradNorm, epochs, maxSteps, seed, evalEvery, sampleEvery, saveEvery, earlyStoppingPatience
        case samplePrompt, sampleTokens, baseQuant
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingSettings()
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate
        schedule = try c.decodeIfPresent(LRSchedule.self, forKey: .schedule) ?? d.schedule
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? d.warmupSteps
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? d.weightDecay
        beta1 = try c.decodeIfPresent(Double.self, forKey: .beta1) ?? d.beta1
        beta2 = try c.decodeIfPresent(Double.self, forKey: .beta2) ?? d.beta2
        epsilon = try c.decodeIfPresent(Double.self, forKey: .epsilon) ?? d.epsilon
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        gradientAccumulation = try c.decodeIfPresent(Int.self, forKey: .gradientAccumulation) ?? d.gradientAccumulation
        maxGradNorm = try c.decodeIfPresent(Double.self, forKey: .maxGradNorm)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        evalEvery = try c.decodeIfPresent(Int.self, forKey: .evalEvery) ?? d.evalEvery
        sampleEvery = try c.decodeIfPresent(Int.self, forKey: .sampleEvery) ?? d.sampleEvery
        saveEvery = try c.decodeIfPresent(Int.self, forKey: .saveEvery) ?? d.saveEvery
        earlyStoppingPatience = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingPatience)
        samplePrompt = try c.decodeIfPresent(String.self, forKey: .samplePrompt) ?? d.samplePrompt
        sampleTokens = try c.decodeIfPresent(Int.self, forKey: .sampleTokens) ?? d.sampleTokens
        baseQuant = try c.decodeIfPresent(BaseQuantization.self, forKey: .baseQuant)
    }

    /// Every key is written, `null` for an unset optional, so config.json shows every choice.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(warmupSteps, forKey: .warmupSteps)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(beta1, forKey: .beta1)
        try c.encode(beta2, forKey: .beta2)
        try c.encode(epsilon, forKey: .epsilon)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(gradientAccumulation, forKey: .gradientAccumulation)
        try c.encode(maxGradNorm, forKey: .maxGradNorm)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(maxSteps, forKey: .maxSteps)
        try c.encode(seed, forKey: .seed)
        try c.encode(evalEvery, forKey: .evalEvery)
        try c.encode(sampleEvery, forKey: .sampleEvery)
        try c.encode(saveEvery, forKey: .saveEvery)
        try c.encode(earlyStoppingPatience, forKey: .earlyStoppingPatience)
        try c.encode(samplePrompt, forKey: .samplePrompt)
        try c.encode(sampleTokens, forKey: .sampleTokens)
        try c.encode(baseQuant, forKey: .baseQuant)
    }

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
        guard sampleTokens >= 1, sampleTokens <= 4096 else { throw .badSetting("sample tokens must be between 1 and 4096, not \(sampleTokens)") }
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
