import Foundation
import Testing

@testable import Engine

/// The trainer on a toy model whose gradients are known in closed form: linear regression
/// `ŷ = w·x` with squared error, one "token" per window, and dropout on the features drawn from
/// the trainer's random stream (so resuming must restore that stream too).
struct ToyRegression {
    static let features = 6
    let xs: [[Float]]
    let ys: [Float]

    init(count: Int, seed: UInt64 = 11) {
        var rng = SplitMix64(seed: seed)
        let truth: [Float] = (0..<Self.features).map { Float($0) - 2.5 }
        var xs: [[Float]] = [], ys: [Float] = []
        for _ in 0..<count {
            let x = (0..<Self.features).map { _ in rng.nextFloat() * 2 - 1 }
            xs.append(x)
            ys.append(zip(truth, x).map(*).reduce(0, +))
        }
        self.xs = xs
        self.ys = ys
    }

    /// d/dw Σ (w·x − y)² = Σ 2 (w·x − y) x, with each feature kept with probability 0.9.
    func step(_ windows: [Int], _ w: [Float], _ g: inout [Float], _ rng: inout SplitMix64) -> LossSum {
        var loss = 0.0
        for i in windows {
            let keep = (0..<Self.features).map { _ in rng.nextFloat() < 0.9 ? Float(1) : 0 }
            let x = zip(xs[i], keep).map(*)
            let err = zip(w, x).map(*).reduce(0, +) - ys[i]
            loss += Double(err * err)
            for f in 0..<Self.features { g[f] += 2 * err * x[f] }
        }
        return LossSum(lossSum: loss, tokens: windows.count)
    }

    func eval(_ w: [Float]) -> LossSum {
        var loss = 0.0
        for (x, y) in zip(xs, ys) {
            let err = zip(w, x).map(*).reduce(0, +) - y
            loss += Double(err * err)
        }
        return LossSum(lossSum: loss, tokens: xs.count)
    }
}

func temporaryRunDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tb-run-\(UUID().uuidString)").path
}

/// metrics.jsonl rows without the wall-clock fields, which differ between any two runs.
func deterministicRows(_ path: String) throws -> [[String: Double]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map { line in
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        var row: [String: Double] = [:]
        for (k, v) in object where k != "elapsed" && k != "tokens_per_s" { row[k] = (v as? NSNumber)?.doubleValue }
        return row
    }
}

@Suite struct TrainerTests {
    static func settings() -> TrainingSettings {
        var s = TrainingSettings()
        s.learningRate = 0.05
        s.schedule = .cosine
        s.warmupSteps = 2
        s.weightDecay = 0.01
        s.batchSize = 3
        s.gradientAccumulation = 2
        s.maxGradNorm = 5
        s.maxSteps = 10  // 20 windows: 4 steps an epoch, so the run crosses two epoch boundaries
        s.evalEvery = 2
        s.seed = 7
        return s
    }

    @Test func learnsTheToyRegression() throws {
        let toy = ToyRegression(count: 64)
        var s = Self.settings()
        s.maxSteps = 300
        s.evalEvery = 0
        s.learningRate = 0.1
        s.weightDecay = 0
        let trainer = try Trainer(settings: s, trainCount: toy.xs.count)
        var w = [Float](repeating: 0, count: ToyRegression.features)
        let before = toy.eval(w).lossSum
        try trainer.train(parameters: &w, step: toy.step)
        let after = toy.eval(w).lossSum
        #expect(after < before * 0.05, "loss \(before) → \(after)")
    }

    @Test func windowOrderIsASeededPermutationPerEpoch() throws {
        let trainer = try Trainer(settings: Self.settings(), trainCount: 50)
        let e0 = trainer.order(epoch: 0), e1 = trainer.order(epoch: 1)
        #expect(e0.sorted() == Array(0..<50) && e1.sorted() == Array(0..<50))
        #expect(e0 != e1 && e0 != Array(0..<50))
        #expect(e0 == (try Trainer(settings: Self.settings(), trainCount: 50)).order(epoch: 0))
        var other = Self.settings()
        other.seed = 8
        #expect(e0 != (try Trainer(settings: other, trainCount: 50)).order(epoch: 0))
    }

    /// The exported order (`--export-order`) is what the step function is given: each optimizer
    /// step's micro-batches joined, short at an epoch's end, reshuffled after it.
    @Test func plannedStepsAreTheWindowsTheStepFunctionSees() throws {
        let toy = ToyRegression(count: 20)
        let trainer = try Trainer(settings: Self.settings(), trainCount: 20)
        var seen: [[Int]] = [], stepOf: [Int] = [], steps = 0
        var w = [Float](repeating: 0, count: ToyRegression.features)
        try trainer.train(parameters: &w, step: { windows, w, g, rng in
            if stepOf.last != steps { seen.append([]); stepOf.append(steps) }
            seen[seen.count - 1] += windows
            return toy.step(windows, w, &g, &rng)
        }, progress: { if case .train = $0 { steps += 1 }; return .more })
        let planned = trainer.plannedSteps()
        #expect(planned == seen)
        // 20 windows in micro-batches of 3, two a step: 6, 6, 6, 2, then the next epoch's order.
        #expect(planned.map(\.count) == [6, 6, 6, 2, 6, 6, 6, 2, 6, 6])
        #expect(Array(planned[0..<4].joined()) == trainer.order(epoch: 0))
        #expect(Array(planned[4..<8].joined()) == trainer.order(epoch: 1))
    }

    @Test func firstStepAveragesGradientsOverAccumulatedTokens() throws {
        let toy = ToyRegression(count: 20)
        var s = Self.settings()
        s.maxGradNorm = nil
        let trainer = try Trainer(settings: s, trainCount: 20)
        // The first step sees the first 2 micro-batches of 3 windows of epoch 0's order; its
        // reported norm must be that of the mean gradient over those 6 windows, computed here
        // directly with the same dropout stream.
        var rng = TrainerState(seed: s.seed).rng
        var g = [Float](repeating: 0, count: ToyRegression.features)
        let w0 = [Float](repeating: 0.5, count: ToyRegression.features)
        let order = trainer.order(epoch: 0)
        var loss = 0.0
        for window in order.prefix(6) { loss += toy.step([window], w0, &g, &rng).lossSum }
        let expectedNorm = (g.map { Double($0 / 6) * Double($0 / 6) }.reduce(0, +)).squareRoot()
        var w = w0
        var first: StepMetrics?
        try trainer.train(parameters: &w, step: toy.step, progress: { event in
            if case .train(let m) = event, first == nil { first = m }
            return .more
        })
        let m = try #require(first)
        #expect(m.tokens == 6)
        #expect(abs(m.loss - loss / 6) < 1e-9 * loss)
        #expect(abs(m.gradNorm - expectedNorm) < 1e-5 * expectedNorm)
        #expect(m.learningRate == 0)  // HF warmup starts at 0
        #expect(abs(m.epoch - 0.25) < 1e-12)
    }

    /// Runs 10 steps uninterrupted, returning the rows and the final parameters.
    func uninterrupted(_ toy: ToyRegression, _ s: TrainingSettings) throws -> ([[String: Double]], [Float]) {
        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var w = [Float](repeating: 0, count: ToyRegression.features)
        try Trainer(settings: s, trainCount: toy.xs.count).train(
            parameters: &w, run: try TrainingRun(directory: dir), step: toy.step, eval: toy.eval)
        return (try deterministicRows(dir + "/metrics.jsonl"), w)
    }

    @Test func stopThenResumeGivesTheUninterruptedCurve() throws {
        let toy = ToyRegression(count: 20)
        let s = Self.settings()
        let (rows, final) = try uninterrupted(toy, s)
        #expect(rows.count == 10 + 5)  // 10 train rows, eval at 2, 4, 6, 8, 10

        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try Trainer(settings: s, trainCount: 20)
        var w = [Float](repeating: 0, count: ToyRegression.features)
        let first = try trainer.train(parameters: &w, run: try TrainingRun(directory: dir), step: toy.step, eval: toy.eval,
                                      progress: { event in
                                          if case .train(let m) = event, m.step == 5 { return .stop }
                                          return .more
                                      })
        #expect(first.reason == .stopped && first.step == 5)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/last") == "checkpoint-5")
        var resumed = [Float](repeating: 123, count: ToyRegression.features)  // overwritten from the checkpoint
        let second = try trainer.train(parameters: &resumed, run: try TrainingRun(directory: dir), resume: true,
                                       step: toy.step, eval: toy.eval)
        #expect(second.reason == .completed && second.step == 10)
        #expect(try deterministicRows(dir + "/metrics.jsonl") == rows)
        #expect(resumed == final)
    }

    @Test func crashAfterACheckpointResumesWithIdenticalRows() throws {
        let toy = ToyRegression(count: 20)
        var s = Self.settings()
        s.saveEvery = 3
        let (rows, final) = try uninterrupted(toy, s)

        struct Crash: Error {}
        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try Trainer(settings: s, trainCount: 20)
        var calls = 0
        var w = [Float](repeating: 0, count: ToyRegression.features)
        #expect(throws: Crash.self) {
            try trainer.train(parameters: &w, run: try TrainingRun(directory: dir), step: { a, b, c, d in
                calls += 1
                if calls == 2 * 7 + 1 { throw Crash() }  // dies inside step 8, after rows 1…7 were logged
                return toy.step(a, b, &c, &d)
            }, eval: toy.eval)
        }
        #expect(try deterministicRows(dir + "/metrics.jsonl").count > 9)  // rows past the checkpoint exist…
        var resumed = [Float](repeating: 0, count: ToyRegression.features)
        try trainer.train(parameters: &resumed, run: try TrainingRun(directory: dir), resume: true, step: toy.step, eval: toy.eval)
        #expect(try deterministicRows(dir + "/metrics.jsonl") == rows)  // …and are replaced, not duplicated
        #expect(resumed == final)
    }

    @Test func nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let toy = ToyRegression(count: 20)
        var s = Self.settings()
        s.saveEvery = 3
        s.evalEvery = 0
        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var step = 0
        var parametersAtStep3: [Float] = []
        var w = [Float](repeating: 0, count: ToyRegression.features)
        let trainer = try Trainer(settings: s, trainCount: 20)
        do {
            try trainer.train(parameters: &w, run: try TrainingRun(directory: dir), step: { windows, p, g, rng in
                step += 1
                if step == 2 * 4 - 1 {  // first micro-batch of step 4
                    parametersAtStep3 = p
                    return LossSum(lossSum: .nan, tokens: windows.count)
                }
                return toy.step(windows, p, &g, &rng)
            })
            Issue.record("a NaN loss must stop training")
        } catch let error as TrainingError {
            guard case .nonFiniteLoss(let at, _, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(at == 4)
            #expect(error.description.contains("last good checkpoint"))
        }
        let last = try #require(try TrainingRun(directory: dir).loadLast())
        #expect(last.state.step == 3)
        #expect(last.parameters == parametersAtStep3)
        #expect(last.optimizer.step == 3)
    }

    /// Issue 13: at lr 1e6 the loss sat at ln(vocab) with a zero gradient and the run "completed";
    /// at lr 1e30 the weights blew up and a NaN eval became best. Each is now divergence, thrown
    /// before anything is saved from it.
    @Test func collapseInfiniteWeightsAndANaNEvalAreDivergence() throws {
        let toy = ToyRegression(count: 20)
        var s = Self.settings()
        s.saveEvery = 2
        s.evalEvery = 0
        s.maxSteps = 20
        // A collapsed model: the loss does not move and nothing flows back.
        let collapsed = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: collapsed) }
        var w = [Float](repeating: 0, count: ToyRegression.features)
        do {
            try Trainer(settings: s, trainCount: 20).train(parameters: &w, run: try TrainingRun(directory: collapsed), step: { windows, _, g, _ in
                for i in g.indices { g[i] = 0 }
                return LossSum(lossSum: 10.8 * Double(windows.count), tokens: windows.count)
            })
            Issue.record("a collapsed run completed")
        } catch let error as TrainingError {
            guard case .diverged(let at, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(at == 1 + Trainer.collapseSteps && reason.contains("collapsed"), "\(error)")
        }
        // Weights driven to infinity: refused before the update is saved.
        var huge = s
        huge.learningRate = 1e38
        huge.maxGradNorm = nil
        let blown = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: blown) }
        w = [Float](repeating: 0, count: ToyRegression.features)
        do {
            try Trainer(settings: huge, trainCount: 20).train(parameters: &w, run: try TrainingRun(directory: blown), step: toy.step)
            Issue.record("infinite weights were trained on")
        } catch let error as TrainingError {
            // The first huge update leaves infinite weights (refused), or a later step's loss is already not finite.
            switch error {
            case .diverged(_, let reason): #expect(reason.contains("infinite or NaN"))
            case .nonFiniteLoss: break
            default: Issue.record("wrong error \(error)")
            }
        }
        if let last = try TrainingRun(directory: blown).loadLast() { #expect(!last.parameters.contains { !$0.isFinite }) }
        // A NaN eval is never a best.
        var evaluated = s
        evaluated.evalEvery = 2
        let nanEval = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: nanEval) }
        w = [Float](repeating: 0, count: ToyRegression.features)
        #expect(throws: TrainingError.self) {
            try Trainer(settings: evaluated, trainCount: 20).train(parameters: &w, run: try TrainingRun(directory: nanEval), step: toy.step,
                                                                   eval: { _ in LossSum(lossSum: .nan, tokens: 4) })
        }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: nanEval + "/best")) == nil)
    }

    @Test func earlyStoppingKeepsTheBestCheckpoint() throws {
        let toy = ToyRegression(count: 20)
        var s = Self.settings()
        s.maxSteps = 40
        s.evalEvery = 1
        s.earlyStoppingPatience = 2
        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Eval loss falls until step 3, then rises: best is step 3, and the run stops at step 5.
        let losses: [Double] = [5, 4, 3, 3.5, 3.6, 3.7, 3.8]
        var evals = 0
        var w = [Float](repeating: 0, count: ToyRegression.features)
        var events: [TrainingEvent] = []
        let summary = try Trainer(settings: s, trainCount: 20).train(
            parameters: &w, run: try TrainingRun(directory: dir), step: toy.step,
            eval: { _ in evals += 1; return LossSum(lossSum: losses[evals - 1] * 10, tokens: 10) },
            progress: { events.append($0); return .more })
        #expect(summary.reason == .earlyStopped && summary.step == 5)
        #expect(summary.bestStep == 3 && summary.bestEvalLoss == 3)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/best") == "checkpoint-3")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/last") == "checkpoint-5")
        #expect(try Checkpoint(directory: dir + "/best").state.step == 3)
        #expect(events.last == .finished(step: 5, reason: .earlyStopped))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("checkpoint-") }.sorted()
        #expect(names == ["checkpoint-3", "checkpoint-5"])  // older best checkpoints were removed
    }

    @Test func samplesAndConfigAreWritten() throws {
        let toy = ToyRegression(count: 20)
        var s = Self.settings()
        s.sampleEvery = 4
        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var samples: [Int] = []
        var w = [Float](repeating: 0, count: ToyRegression.features)
        try Trainer(settings: s, trainCount: 20).train(
            parameters: &w, run: try TrainingRun(directory: dir), step: toy.step, sample: { _ in "text" },
            progress: { if case .sample(let step, "text") = $0 { samples.append(step) }; return .more })
        #expect(samples == [4, 8])
        let config = try JSONDecoder().decode(TrainingSettings.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json")))
        #expect(config == s)
    }

    @Test func tornLastMetricsLineIsDroppedOnResume() throws {
        let dir = temporaryRunDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/metrics.jsonl"
        try "{\"step\":1,\"loss\":2}\n{\"step\":2,\"eval_loss\":1}\n{\"step\":3,\"loss\":1}\n{\"step\":4,\"lo".write(toFile: path, atomically: false, encoding: .utf8)
        try MetricsLog.truncate(path: path, afterStep: 2)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"step\":1,\"loss\":2}\n{\"step\":2,\"eval_loss\":1}\n")
    }

    @Test func badSettingsAreRejectedWithAMessage() {
        var s = TrainingSettings()
        s.learningRate = -1
        #expect(throws: TrainingError.self) { try Trainer(settings: s, trainCount: 10) }
        #expect(throws: TrainingError.self) { try Trainer(settings: TrainingSettings(), trainCount: 0) }
    }
}

@Suite struct TrainingRunTests {
    @Test func checkpointsCarryTheExportedAdapterAndAFreshRunRefusesAnOldFolder() throws {
        let toy = ToyRegression(count: 20)
        var s = TrainerTests.settings()
        s.maxSteps = 4
        s.evalEvery = 0
        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = try TrainingRun(directory: dir)
        run.exportAdapter = { (parameters: [Float], folder: String) throws -> Void in
            let text: String = parameters.map { "\($0)" }.joined(separator: ",")
            try text.write(toFile: folder + "/weights.txt", atomically: false, encoding: .utf8)
        }
        var w = [Float](repeating: 0, count: ToyRegression.features)
        let trainer = try Trainer(settings: s, trainCount: 20)
        try trainer.train(parameters: &w, run: run, step: toy.step)
        let exported = try String(contentsOfFile: dir + "/last/adapter/weights.txt", encoding: .utf8)
        let expectedText: String = w.map { "\($0)" }.joined(separator: ",")
        #expect(exported == expectedText)
        #expect(try run.loadLast()?.parameters == w)
        // Starting afresh in the same folder would mix two runs.
        var again = [Float](repeating: 0, count: ToyRegression.features)
        #expect(throws: TrainingError.self) { try trainer.train(parameters: &again, run: run, step: toy.step) }
        // Half-written checkpoint folders left by a kill are cleaned up on resume.
        try FileManager.default.createDirectory(atPath: dir + "/.checkpoint-9.partial-1", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: dir + "/checkpoint-7", withIntermediateDirectories: false)
        // So are the temporaries of a link swing or log rewrite cut between write and rename.
        try FileManager.default.createSymbolicLink(atPath: dir + "/last.partial-1", withDestinationPath: "checkpoint-9")
        for name in ["metrics.jsonl.partial-1", "config.json.partial-1"] { #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("{".utf8))) }
        try trainer.train(parameters: &again, run: run, resume: true, step: toy.step)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("checkpoint-") }
        #expect(names == ["checkpoint-4"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["checkpoint-4", "config.json", "last", "metrics.jsonl"])
        #expect(again == w)
    }
}

/// Issue 13: corrupt checkpoint values loaded silently (NaN parameters, `adamw.step` NaN or 1e300,
/// `beta2` 1.5, `step = -1` training at a negative rate, `position = -5`, `step = 1e18`). Each is
/// now refused with the reason; the untouched checkpoint still loads.
@Suite struct CheckpointValidationTests {
    private func write(_ checkpoint: Checkpoint, metadata edit: (inout [String: String]) -> Void = { _ in },
                       trainer: (inout [String: Any]) -> Void = { _ in }, folder: String = "checkpoint-3") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-ckpt-\(UUID().uuidString)/\(folder)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try checkpoint.writeFiles(into: dir)
        let file = try SafetensorsFile(path: dir + "/" + Checkpoint.stateFile)
        var w = SafetensorsWriter()
        w.metadata = file.metadata
        edit(&w.metadata)
        for name in ["parameters", "adamw.m", "adamw.v"] {
            let values = try file.floats(name)
            try w.add(name, shape: [values.count], values: values)
        }
        try w.write(to: dir + "/" + Checkpoint.stateFile)
        let url = URL(fileURLWithPath: dir + "/" + Checkpoint.trainerFile)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        trainer(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return dir
    }

    private var good: Checkpoint {
        var optimizer = AdamW(parameterCount: 4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)
        optimizer.step = 3
        var state = TrainerState(seed: 1)
        state.step = 3
        return Checkpoint(parameters: [0.5, -1, 2, 0], optimizer: optimizer, state: state)
    }

    @Test func anIntactCheckpointLoads() throws {
        #expect(try Checkpoint(directory: try write(good)) == good)
    }

    @Test(arguments: ["adamw.step=nan", "adamw.step=1e300", "adamw.step=-2", "adamw.beta2=1.5", "adamw.epsilon=0", "adamw.weight_decay=-1"])
    func badOptimizerMetadataIsRefused(_ change: String) throws {
        let parts = change.split(separator: "=").map(String.init)
        let dir = try write(good, metadata: { $0[parts[0]] = parts[1] })
        #expect(throws: TrainingError.self) { _ = try Checkpoint(directory: dir) }
    }

    @Test(arguments: [("step", -1.0), ("position", -5), ("epoch", -1), ("step", 1e18), ("best_step", 9), ("elapsed", -3)])
    func badTrainerStateIsRefused(key: String, value: Double) throws {
        let dir = try write(good, trainer: { $0[key] = value == value.rounded() && abs(value) < 1e15 ? Int(value) as Any : value as Any })
        #expect(throws: TrainingError.self) { _ = try Checkpoint(directory: dir) }
    }

    /// Every checkpoint carries a checksum of its tensors: a damaged value is refused (and a
    /// checkpoint from before the checksum, with none, still loads).
    @Test func tensorsThatDoNotMatchTheirChecksumAreRefused() throws {
        // One parameter changed after the save: the file still says the original's checksum.
        var changed = good
        changed.parameters[3] = 0.25
        let original = Checkpoint.checksum(good.parameters, good.optimizer.m, good.optimizer.v)
        let damaged = try write(changed, metadata: { $0["checksum"] = original })
        do { _ = try Checkpoint(directory: damaged); Issue.record("accepted") } catch {
            #expect(error.description.contains("do not match their checksum"))
        }
        #expect(try Checkpoint(directory: try write(good, metadata: { $0["checksum"] = nil })) == good)
    }

    @Test func nonFiniteParametersAndAFolderOfAnotherStepAreRefused() throws {
        var nan = good
        nan.parameters[1] = .nan
        #expect(throws: TrainingError.self) { _ = try Checkpoint(directory: try write(nan)) }
        let elsewhere = try write(good, folder: "checkpoint-7")
        do { _ = try Checkpoint(directory: elsewhere); Issue.record("accepted") } catch {
            #expect(error.description.contains("its folder says step 7 but trainer.json says step 3"))
        }
    }
}
