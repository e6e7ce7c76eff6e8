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

    /// Issue 13: two trainers on one run folder mixed their metrics and deleted each other's
    /// temporaries. The second is now refused, naming the first's process; the first goes on.
    @Test func aSecondTrainerOnTheSameRunFolderIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-lock-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try TrainingKillTests.prepareDataset(in: folder)
        let run = folder.appendingPathComponent("run")
        var arguments = TrainingKillTests.trainArguments(dataset: dataset, run: run, resume: false)
        arguments[arguments.firstIndex(of: "--max-steps")! + 1] = "100000"
        let log = folder.appendingPathComponent("first.log")
        let first = try TrainingKillTests.launch(arguments, log: log, in: folder)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, first.isRunning, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("step 1/") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(first.isRunning, "the first run ended: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        for second in [arguments, TrainingKillTests.trainArguments(dataset: dataset, run: run, resume: true)] {
            let result = try Binary.run(second)
            #expect(result.status == 1)
            #expect(result.stderr == "tunebench train: error: \(run.path) is in use by another training run (process \(first.processIdentifier)); wait for it to finish or stop it first\n", "\(result.stderr)")
        }
        #expect(first.isRunning)
    }

    @Test func anUnknownBaseQuantIsOneError() throws {
        let result = try Binary.run(["train", "--dataset", "/nonexistent", "--base-quant", "nf5"])
        #expect(result.status == 64, "a bad value is a bad command line")
        #expect(result.stderr.split(separator: "\n").first == "tunebench train: error: unknown --base-quant 'nf5' (use nf4, q8_0 or q4_0)",
                "\(result.stderr)")
    }
}
