import Foundation

/// The training loop, generic over what is trained: a step function fills the gradients of the
/// summed loss of a micro-batch of training windows, and the trainer does the rest — data order,
/// gradient accumulation, clipping, AdamW with its schedule, eval, samples, early stopping,
/// checkpoints and the metrics log.
///
/// Gradients of a step are the mean over every predicted token of its micro-batches (the step
/// function returns the loss *sum* and token count; the trainer divides), as Hugging Face's
/// Trainer does when it knows the number of items in the batch.
///
/// Deterministic for a seed: the window order of epoch `e` is a Fisher–Yates shuffle seeded by
/// `(seed, e)`, and the step function's random numbers (dropout) come from one stream whose state
/// is checkpointed, so a resumed run repeats an uninterrupted one exactly.
public struct Trainer {
    /// Fills `gradients` (zeroed before the call, same length as `parameters`) with the gradient of
    /// the loss summed over the windows' predicted tokens. `windows` are indices into the training
    /// split; `rng` is the run's random stream for dropout.
    public typealias StepFunction = (
        _ windows: [Int], _ parameters: [Float], _ gradients: inout [Float], _ rng: inout SplitMix64
    ) throws -> LossSum

    /// The loss summed over the test split, batch by batch. `batchDone(done, total)` is called
    /// before the first batch (done 0) and after each; when it answers `.stop` the function
    /// returns nil at once, and the eval counts as not run.
    public typealias EvalFunction = (
        _ parameters: [Float], _ batchDone: (_ done: Int, _ total: Int) -> TrainingProgress
    ) throws -> LossSum?

    public var settings: TrainingSettings
    /// Windows in the training split.
    public let trainCount: Int

    public init(settings: TrainingSettings, trainCount: Int) throws(TrainingError) {
        try settings.validate()
        guard trainCount >= 1 else { throw .badSetting("the training split is empty; prepare a dataset with more text") }
        self.settings = settings
        self.trainCount = trainCount
    }

    public var stepsPerEpoch: Int { settings.stepsPerEpoch(trainCount: trainCount) }
    public var totalSteps: Int { settings.totalSteps(trainCount: trainCount) }

    /// The window order of one epoch.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<trainCount)
        var rng = SplitMix64(seed: settings.seed &+ UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15)
        var i = trainCount - 1
        while i > 0 {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }

    /// The micro-batches of the next optimizer step from `state` (up to `gradientAccumulation` of up
    /// to `batchSize` windows; an epoch's last step may be short), advancing `state`'s epoch and
    /// position; `epochOrder` is `order(epoch: state.epoch)` and is replaced when an epoch begins.
    func nextStep(_ state: inout TrainerState, epochOrder: inout [Int]) -> [[Int]] {
        if state.position >= trainCount {
            state.epoch += 1
            state.position = 0
            epochOrder = order(epoch: state.epoch)
        }
        var microBatches: [[Int]] = []
        for _ in 0..<settings.gradientAccumulation where state.position < trainCount {
            let end = min(state.position + settings.batchSize, trainCount)
            microBatches.append(Array(epochOrder[state.position..<end]))
            state.position = end
        }
        return microBatches
    }

    /// The training windows of every optimizer step of a run from its start, in the order the
    /// trainer uses them (each step's micro-batches joined): what a peer trainer needs to repeat
    /// the run on the same batches (`tunebench train --export-order`).
    public func plannedSteps() -> [[Int]] {
        var state = TrainerState(seed: settings.seed)
        var epochOrder = order(epoch: state.epoch)
        return (0..<totalSteps).map { _ in nextStep(&state, epochOrder: &epochOrder).flatMap { $0 } }
    }

    /// Trains `parameters` in place until the last step, early stopping, or a `.stop` answer.
    ///
    /// With a `run`, settings go to `config.json` (unless the caller wrote a fuller one first), rows to `metrics.jsonl` and checkpoints beside
    /// them; with `resume`, training continues from the run's `last` checkpoint (parameters
    /// included) and log rows after it are dropped first. `eval` returns the loss sum over the test
    /// split, every `evalEvery` steps and at the last step (never when `evalEvery` is 0); a stop
    /// asked before or during an eval ends the run without it, and a resume runs it first.
    /// `sample` returns a generated text. A non-finite loss or gradient norm throws
    /// `TrainingError.nonFiniteLoss` before the update is applied, leaving the last checkpoint.
    @discardableResult
    public func train(
        parameters: inout [Float],
        run: TrainingRun? = nil,
        resume: Bool = false,
        step stepFunction: StepFunction,
        eval: EvalFunction? = nil,
        sample: (([Float]) throws -> String)? = nil,
        progress: (TrainingEvent) -> TrainingProgress = { _ in .more }
    ) throws -> TrainingSummary {
        var optimizer = AdamW(parameterCount: parameters.count, beta1: settings.beta1, beta2: settings.beta2,
                              epsilon: settings.epsilon, weightDecay: settings.weightDecay)
        var state = TrainerState(seed: settings.seed)
        var log: MetricsLog?
        if let run {
            if resume, let checkpoint = try run.loadLast() {
                guard checkpoint.parameters.count == parameters.count else {
                    throw TrainingError.mismatch("the checkpoint has \(checkpoint.parameters.count) parameters, this model needs \(parameters.count); resume with the same LoRA settings")
                }
                parameters = checkpoint.parameters
                optimizer = checkpoint.optimizer
                state = checkpoint.state
                // A pending eval runs again below; a row of it, should one have been written, is dropped.
                try MetricsLog.truncate(path: run.metricsPath, afterStep: state.step, keepingEvalAtStep: !state.evalPending)
            } else {
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: run.lastPath)) != nil {
                    throw TrainingError.badSetting("\(run.directory) already holds a run with checkpoints; resume it or choose a new folder")
                }
                try? FileManager.default.removeItem(atPath: run.metricsPath)
            }
            if !FileManager.default.fileExists(atPath: run.configPath) { try run.writeConfig(settings) }
            run.removeUnreferencedCheckpoints()
            log = try MetricsLog(path: run.metricsPath)
        }

        let total = totalSteps
        let perEpoch = Double(stepsPerEpoch)
        var gradients = [Float](repeating: 0, count: parameters.count)
        var micro = settings.gradientAccumulation > 1 ? [Float](repeating: 0, count: parameters.count) : []
        var epochOrder = order(epoch: state.epoch)
        let started = Date()
        let elapsedBefore = state.elapsed
        var finish = TrainingFinish.completed

        func save(isBest: Bool) throws {
            guard let run else { return }
            state.elapsed = elapsedBefore + Date().timeIntervalSince(started)
            let path = try run.save(Checkpoint(parameters: parameters, optimizer: optimizer, state: state), isBest: isBest)
            if progress(.save(step: state.step, directory: path, isBest: isBest)) == .stop, finish == .completed { finish = .stopped }
        }

        /// Runs the eval of the step just taken: logs it, updates the best and early stopping.
        /// Returns whether this step is the new best; a stop before or during it leaves the eval
        /// pending (in the checkpoint the stop saves) and sets `finish` to `.stopped`.
        func evaluate(_ eval: EvalFunction, epoch: Double) throws -> Bool {
            state.evalPending = true
            guard finish == .completed else { return false }
            let evalStart = Date()
            let step = state.step
            let result = try withoutActuallyEscaping(progress) { progress in
                try eval(parameters) { done, total in
                    progress(.evalProgress(step: step, done: done, total: total, elapsed: Date().timeIntervalSince(evalStart)))
                }
            }
            guard let result else {
                finish = .stopped
                return false
            }
            state.evalPending = false
            var isBest = false
            let evalLoss = result.lossSum / Double(max(result.tokens, 1))
            // A non-finite eval is divergence, never a best: stop before anything is saved from it.
            guard evalLoss.isFinite else { throw TrainingError.diverged(step: state.step, reason: "the eval loss is \(evalLoss)") }
            if state.bestEvalLoss.map({ evalLoss < $0 }) ?? true {
                state.bestEvalLoss = evalLoss
                state.bestStep = state.step
                state.evalsWithoutImprovement = 0
                isBest = true
            } else {
                state.evalsWithoutImprovement += 1
                if let patience = settings.earlyStoppingPatience, state.evalsWithoutImprovement >= patience {
                    finish = .earlyStopped
                }
            }
            try log?.appendEval(step: state.step, epoch: epoch, loss: evalLoss)
            if progress(.eval(step: state.step, epoch: epoch, loss: evalLoss, isBest: isBest)) == .stop,
               finish == .completed { finish = .stopped }
            return isBest
        }

        // A run stopped during an eval runs that eval first.
        if state.evalPending, let eval {
            let isBest = try evaluate(eval, epoch: Double(state.step) / perEpoch)
            if isBest || finish != .completed { try save(isBest: isBest) }
        }
        state.evalPending = false

        var previousLoss: Double?, flatSteps = 0
        stepLoop: while state.step < total && finish == .completed {
            let stepStart = Date()
            // Accumulate the gradient sum over up to `gradientAccumulation` micro-batches.
            gradients.withUnsafeMutableBufferPointer { g in g.update(repeating: 0) }
            var lossSum = 0.0, tokens = 0
            for windows in nextStep(&state, epochOrder: &epochOrder) {
                if micro.isEmpty {
                    let result = try stepFunction(windows, parameters, &gradients, &state.rng)
                    lossSum += result.lossSum
                    tokens += result.tokens
                } else {
                    micro.withUnsafeMutableBufferPointer { g in g.update(repeating: 0) }
                    let result = try stepFunction(windows, parameters, &micro, &state.rng)
                    lossSum += result.lossSum
                    tokens += result.tokens
                    gradients.withUnsafeMutableBufferPointer { g in
                        micro.withUnsafeBufferPointer { m in for i in 0..<g.count { g[i] += m[i] } }
                    }
                }
            }
            let loss = lossSum / Double(max(tokens, 1))
            if tokens > 0 {
                let inverse = Float(1 / Double(tokens))
                gradients.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= inverse } }
            }
            let gradNorm = settings.maxGradNorm.map { GradientClipping.clip(&gradients, maxNorm: Float($0)) }
                ?? GradientClipping.norm(gradients)
            guard loss.isFinite, gradNorm.isFinite else {
                throw TrainingError.nonFiniteLoss(step: state.step + 1, loss: loss, gradNorm: gradNorm)
            }
            let lr = settings.schedule.rate(base: settings.learningRate, step: state.step,
                                            warmupSteps: settings.warmupSteps, totalSteps: total)
            // Collapse: a model that outputs the same distribution everywhere (an enormous learning
            // rate drives it there) has a loss that stops moving and a gradient of ~0, and is finite.
            if gradNorm < 1e-7, let previous = previousLoss, abs(loss - previous) < 1e-6 { flatSteps += 1 } else { flatSteps = 0 }
            previousLoss = loss
            if flatSteps >= Self.collapseSteps {
                throw TrainingError.diverged(step: state.step + 1, reason: "the loss has stayed at \(String(format: "%.4f", loss)) with a gradient norm of ~0 for \(flatSteps) steps (the model has collapsed)")
            }
            optimizer.update(&parameters, gradients: gradients, lr: lr)
            // Thrown before anything saves them: the last checkpoint stays the last good one.
            guard parameters.allSatisfy(\.isFinite) else {
                throw TrainingError.diverged(step: state.step + 1, reason: "the update made parameters infinite or NaN")
            }
            state.step += 1

            let now = Date()
            let metrics = StepMetrics(
                step: state.step, epoch: Double(state.step) / perEpoch, loss: loss, learningRate: lr,
                gradNorm: gradNorm, tokens: tokens,
                tokensPerSecond: Double(tokens) / max(now.timeIntervalSince(stepStart), 1e-9),
                elapsed: elapsedBefore + now.timeIntervalSince(started))
            try log?.append(metrics)
            if progress(.train(metrics)) == .stop { finish = .stopped }

            var isBest = false
            let atEnd = state.step == total
            if let eval, settings.evalEvery > 0, state.step % settings.evalEvery == 0 || atEnd {
                isBest = try evaluate(eval, epoch: metrics.epoch)
            }
            if let sample, finish == .completed, settings.sampleEvery > 0, state.step % settings.sampleEvery == 0 {
                let text = try sample(parameters)
                if progress(.sample(step: state.step, text: text)) == .stop { finish = .stopped }
            }
            if isBest || atEnd || finish != .completed || (settings.saveEvery > 0 && state.step % settings.saveEvery == 0) {
                try save(isBest: isBest)
            }
            if finish != .completed { break stepLoop }
        }
        _ = progress(.finished(step: state.step, reason: finish))
        return TrainingSummary(step: state.step, reason: finish, bestEvalLoss: state.bestEvalLoss, bestStep: state.bestStep)
    }
}

extension Trainer {
    /// `train` with an eval that runs in one piece (no batch progress, not stoppable midway).
    @discardableResult
    public func train(
        parameters: inout [Float],
        run: TrainingRun? = nil,
        resume: Bool = false,
        step stepFunction: StepFunction,
        eval wholeEval: @escaping ([Float]) throws -> LossSum,
        sample: (([Float]) throws -> String)? = nil,
        progress: (TrainingEvent) -> TrainingProgress = { _ in .more }
    ) throws -> TrainingSummary {
        try train(parameters: &parameters, run: run, resume: resume, step: stepFunction,
                  eval: { parameters, _ in try wholeEval(parameters) }, sample: sample, progress: progress)
    }
}

/// How a call of `Trainer.train` ended.
extension Trainer {
    /// Steps of an unmoving loss with a ~0 gradient that count as a collapsed model.
    static let collapseSteps = 5
}

public struct TrainingSummary: Sendable, Equatable {
    public var step: Int
    public var reason: TrainingFinish
    public var bestEvalLoss: Double?
    public var bestStep: Int?
}
