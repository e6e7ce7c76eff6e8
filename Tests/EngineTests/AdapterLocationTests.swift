import Foundation
import Testing

@testable import Engine

/// What `--adapter PATH` means, for each kind of place a user may point at.
@Suite struct AdapterLocationTests {
    /// A run folder laid out as `TrainingRun` writes one: checkpoint-10 (eval loss 3.3, best) and
    /// checkpoint-20 (last), each with a PEFT `adapter/` (only its config file: resolving reads no tensor).
    static func runFolder(best: Bool) throws -> String {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("tb-run-\(UUID().uuidString)").path
        for step in [10, 20] {
            let checkpoint = run + "/checkpoint-\(step)"
            try FileManager.default.createDirectory(atPath: checkpoint + "/adapter", withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: checkpoint + "/adapter/" + PEFTAdapter.configFile, contents: Data("{}".utf8))
            var state = TrainerState(seed: 1)
            state.step = step
            if best { (state.bestEvalLoss, state.bestStep) = (3.3, 10) }
            try JSONEncoder().encode(state).write(to: URL(fileURLWithPath: checkpoint + "/" + Checkpoint.trainerFile))
        }
        try FileManager.default.createSymbolicLink(atPath: run + "/last", withDestinationPath: "checkpoint-20")
        if best { try FileManager.default.createSymbolicLink(atPath: run + "/best", withDestinationPath: "checkpoint-10") }
        return run
    }

    @Test func aRunFolderMeansItsBestCheckpoint() throws {
        let run = try Self.runFolder(best: true)
        defer { try? FileManager.default.removeItem(atPath: run) }
        let location = try AdapterLocation.resolve(run + "/")
        #expect(location.path == run + "/checkpoint-10/adapter")
        #expect(location.kind == .best(evalLoss: 3.3))
        #expect(location.description == run + "/checkpoint-10 (best, eval loss 3.30)")
    }

    @Test func aRunWithoutAnEvaluationMeansItsLastCheckpoint() throws {
        let run = try Self.runFolder(best: false)
        defer { try? FileManager.default.removeItem(atPath: run) }
        let location = try AdapterLocation.resolve(run)
        #expect(location.path == run + "/checkpoint-20/adapter")
        #expect(location.kind == .last)
        #expect(location.description.hasPrefix(run + "/checkpoint-20 (last"))
    }

    @Test func aCheckpointOrAPEFTFolderIsTakenAsGiven() throws {
        let run = try Self.runFolder(best: true)
        defer { try? FileManager.default.removeItem(atPath: run) }
        let checkpoint = try AdapterLocation.resolve(run + "/checkpoint-20")
        #expect(checkpoint.path == run + "/checkpoint-20/adapter" && checkpoint.kind == .checkpoint)
        let peft = try AdapterLocation.resolve(run + "/checkpoint-20/adapter")
        #expect(peft.path == run + "/checkpoint-20/adapter" && peft.kind == .peft)
        #expect(throws: LoRAError.self) { try AdapterLocation.resolve(run + "/nothing-here") }
    }
}
