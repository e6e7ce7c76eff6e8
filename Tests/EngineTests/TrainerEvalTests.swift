import Foundation
import Testing

@testable import Engine

/// The trainer's eval: reported batch by batch, stoppable between batches without changing what a
/// resumed run logs, and not run at all when `evalEvery` is 0.
@Suite struct TrainerEvalTests {
    /// The toy's eval in `batches` pieces; `batchDone` is asked before each and after the last.
    static func batched(_ toy: ToyRegression, batches: Int = 4) -> Trainer.EvalFunction {
        { w, batchDone in
            for done in 0..<batches where batchDone(done, batches) == .stop { return nil }
            _ = batchDone(batches, batches)
            return toy.eval(w)
        }
    }

    @Test func evalEveryZeroNeverEvaluatesNotEvenAtTheEnd() throws {
        let toy = ToyRegression(count: 20)
        var s = TrainerTests.settings()
        s.evalEvery = 0
        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var evals = 0
        var w = [Float](repeating: 0, count: ToyRegression.features)
        let summary = try Trainer(settings: s, trainCount: 20).train(
            parameters: &w, run: try TrainingRun(directory: dir), step: toy.step,
            eval: { p in evals += 1; return toy.eval(p) })
        #expect(evals == 0 && summary.reason == .completed && summary.step == 10 && summary.bestEvalLoss == nil)
        #expect(try deterministicRows(dir + "/metrics.jsonl").count == 10)
        // The run still ends on a checkpoint, with no `best` link since nothing was evaluated.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/last") == "checkpoint-10")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/best")) == nil)
    }

    @Test func evalReportsEachBatch() throws {
        let toy = ToyRegression(count: 20)
        var s = TrainerTests.settings()
        s.maxSteps = 2
        var progress: [[Int]] = []
        var w = [Float](repeating: 0, count: ToyRegression.features)
        try Trainer(settings: s, trainCount: 20).train(
            parameters: &w, step: toy.step, eval: Self.batched(toy),
            progress: { if case .evalProgress(let step, let done, let total, let elapsed) = $0, elapsed >= 0 { progress.append([step, done, total]) }; return .more })
        #expect(progress == [[2, 0, 4], [2, 1, 4], [2, 2, 4], [2, 3, 4], [2, 4, 4]])
    }

    /// A stop during the eval at step 4 ends the run there, with no eval row and no best from it;
    /// the resumed run evaluates step 4 first and logs exactly what an uninterrupted run logs.
    @Test func stopDuringAnEvalEndsAtOnceAndTheResumeRunsThatEval() throws {
        let toy = ToyRegression(count: 20)
        let s = TrainerTests.settings()
        let (rows, final) = try TrainerTests().uninterrupted(toy, s)

        let dir = temporaryRunDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try Trainer(settings: s, trainCount: 20)
        var w = [Float](repeating: 0, count: ToyRegression.features)
        var batchesAfterStop = 0, stopAsked = false
        let first = try trainer.train(
            parameters: &w, run: try TrainingRun(directory: dir), step: toy.step, eval: Self.batched(toy),
            progress: { event in
                guard case .evalProgress(let step, let done, _, _) = event else { return stopAsked ? .stop : .more }
                if stopAsked { batchesAfterStop += 1 }
                if step == 4 && done == 1 { stopAsked = true }
                return stopAsked ? .stop : .more
            })
        #expect(first.reason == .stopped && first.step == 4 && batchesAfterStop == 0)
        let stoppedRows = try deterministicRows(dir + "/metrics.jsonl")
        #expect(stoppedRows.filter { $0["eval_loss"] != nil }.map { $0["step"] } == [2])
        let checkpoint = try #require(try TrainingRun(directory: dir).loadLast())
        #expect(checkpoint.state.step == 4 && checkpoint.state.evalPending)

        var resumed = [Float](repeating: 0, count: ToyRegression.features)
        let second = try trainer.train(parameters: &resumed, run: try TrainingRun(directory: dir), resume: true,
                                       step: toy.step, eval: Self.batched(toy))
        #expect(second.reason == .completed && second.step == 10)
        #expect(try deterministicRows(dir + "/metrics.jsonl") == rows)
        #expect(resumed == final)
    }
}
