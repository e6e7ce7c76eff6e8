import Engine
import Foundation
import Testing
import Workspace

/// `tunebench train` options, on the real binary with a one-step run.
@Suite(.serialized) struct TrainCommandTests {
    /// `--base-quant` requantizes the base (the run says so) and the run's config.json records it,
    /// next to the trainer's settings; a fresh run without the flag records null.
    @Test func baseQuantIsAnnouncedAndRecordedInTheRunConfig() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-train-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try TrainingKillTests.prepareDataset(in: folder)
        for quant in ["q8_0", nil] {
            let run = folder.appendingPathComponent("run-\(quant ?? "stored")")
            let result = try Binary.run(["train", "--model", TrainingKillTests.model.path, "--dataset", dataset.path, "--out", run.path,
                                         "--max-steps", "1", "--batch-size", "1", "--eval-every", "0", "--lora-r", "2", "--threads", "2"]
                                        + (quant.map { ["--base-quant", $0] } ?? []))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("base projections requantized to q8_0") == (quant != nil), "\(result.stdout)")
            let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
            if let quant { #expect(config["baseQuant"] as? String == quant) } else { #expect(config["baseQuant"] is NSNull) }
            #expect(config["maxSteps"] as? Int == 1 && config["batchSize"] as? Int == 1)
            #expect((config["lora"] as? [String: Any])?["rank"] as? Int == 2)
            #expect(config["model"] as? String == TrainingKillTests.model.path)
            // No workspace here: the settings not given are a fresh workspace's, as the Train pane would start with.
            let fresh = TrainingSettings.fineTuneDefaults
            #expect(config["schedule"] as? String == fresh.schedule.rawValue && config["warmupSteps"] as? Int == fresh.warmupSteps)
            #expect(config["saveEvery"] as? Int == fresh.saveEvery && config["learningRate"] as? Double == fresh.learningRate)
        }
    }

    @Test func anUnknownBaseQuantIsOneError() throws {
        let result = try Binary.run(["train", "--dataset", "/nonexistent", "--base-quant", "nf5"])
        #expect(result.status == 64, "a bad value is a bad command line")
        #expect(result.stderr.split(separator: "\n").first == "tunebench train: error: unknown --base-quant 'nf5' (use nf4, q8_0 or q4_0)",
                "\(result.stderr)")
    }
}
