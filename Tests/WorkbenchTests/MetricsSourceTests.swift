import Foundation
import Testing
@testable import Workbench

@Suite struct MetricsSourceTests {
    private func append(_ text: String, to url: URL) throws {
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    @Test func metricsLogIsFollowedAsItGrowsIncludingAPartialLastLine() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("metrics.jsonl")
        var follower = MetricsLogFollower(path: url.path)
        #expect(try follower.poll().records.isEmpty)  // not there yet: nothing, no error

        _ = FileManager.default.createFile(atPath: url.path, contents: Data("""
            {"step":1,"epoch":0.01,"loss":3.25,"lr":2e-05,"grad_norm":1.5,"tokens_per_s":410.5,"elapsed":2.5}
            {"step":2,"epoch":0.02,"loss":3.0,"lr":4e-05,"grad_norm":1.25,"tokens_per_s":420,"elapsed":5}
            {"step":3,"epoch":0.03,"lo
            """.utf8))
        var got = try follower.poll().records
        #expect(got == [
            MetricRecord(step: 1, epoch: 0.01, loss: 3.25, learningRate: 2e-5, gradNorm: 1.5, tokensPerSecond: 410.5, elapsed: 2.5),
            MetricRecord(step: 2, epoch: 0.02, loss: 3.0, learningRate: 4e-5, gradNorm: 1.25, tokensPerSecond: 420, elapsed: 5),
        ])
        #expect(try follower.poll().records.isEmpty)  // the partial line waits

        try append("ss\":2.75,\"lr\":6e-05,\"elapsed\":7.5}\n{\"step\":3,\"eval_loss\":2.9}\nnot json\n\n", to: url)
        got = try follower.poll().records
        #expect(got == [MetricRecord(step: 3, epoch: 0.03, loss: 2.75, learningRate: 6e-5, elapsed: 7.5), MetricRecord(step: 3, evalLoss: 2.9)])
        #expect(follower.skippedLines == 1)

        // A new run at the same path (the file shrank) is read from the start.
        try Data("{\"step\":1,\"loss\":9.5}\n".utf8).write(to: url)
        let (rows, restarted) = try follower.poll()
        #expect(restarted && rows == [MetricRecord(step: 1, loss: 9.5)])
    }

    @Test func trainerStateLogHistoryIsReadAndTheSummaryEntrySkipped() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("trainer_state.json")
        try FileManager.default.copyItem(at: fixturesDirectory.appendingPathComponent("trainer_state.json"), to: url)
        var reader = TrainerStateReader(path: url.path)
        #expect(try reader.poll())
        #expect(reader.maxSteps == 8)
        #expect(reader.records.count == 6)
        #expect(reader.records[0] == MetricRecord(step: 2, epoch: 0.25, loss: 3.1234, learningRate: 0.0002, gradNorm: 1.9321))
        #expect(reader.records[2] == MetricRecord(step: 4, epoch: 0.5, evalLoss: 2.9532))
        #expect(reader.records.filter { $0.evalLoss != nil }.map(\.step) == [4, 8])
        #expect(try reader.poll() == false)  // unchanged file: not re-read

        // Caught half-written: the previous rows stay.
        let whole = try Data(contentsOf: url)
        try whole.prefix(whole.count / 2).write(to: url)
        #expect(try reader.poll() == false)
        #expect(reader.records.count == 6)

        // The wrong kind of JSON is reported with a message naming the file.
        try Data("{\"train_batch_size\": 4}".utf8).write(to: url)
        #expect(throws: MetricsSourceError.notTrainerState(path: url.path, reason: "no log_history array")) { try reader.poll() }
    }
}
