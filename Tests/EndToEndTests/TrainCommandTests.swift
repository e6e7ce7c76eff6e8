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

    /// Issue 13: `--resume` with other settings was accepted whenever the parameter count matched.
    /// Now each difference is named and the resume refused, unless `--force-settings`, which
    /// records the change in config.json's history.
    @Test func resumingWithOtherSettingsIsRefusedUnlessForced() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-resume-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try TrainingKillTests.prepareDataset(in: folder)
        let run = folder.appendingPathComponent("run")
        let base = ["train", "--model", TrainingKillTests.model.path, "--dataset", dataset.path, "--out", run.path,
                    "--batch-size", "1", "--eval-every", "0", "--lora-r", "2", "--threads", "2"]
        #expect(try Binary.run(base + ["--max-steps", "1"]).status == 0)
        let refused = try Binary.run(base + ["--max-steps", "2", "--learning-rate", "0.001", "--resume"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--resume with other settings than the run was started with: learningRate 0.0002 → 0.001, maxSteps 1 → 2;"), "\(refused.stderr)")
        let other = try Binary.run(base.map { $0 == "2" ? "3" : $0 } + ["--max-steps", "1", "--resume"])
        #expect(other.status == 1 && other.stderr.contains("lora.rank 2 → 3"), "\(other.stderr)")
        // The same settings resume quietly; forced new ones are recorded.
        let forced = try Binary.run(base + ["--max-steps", "2", "--learning-rate", "0.001", "--resume", "--force-settings"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("finished at step 2: completed"))
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["learningRate"] as? Double == 0.001)
        let history = try #require(config["history"] as? [[String: Any]])
        #expect(history.count == 1 && history[0]["atStep"] as? Int == 1)
        #expect(history[0]["changed"] as? [String] == ["learningRate 0.0002 → 0.001", "maxSteps 1 → 2"])
    }

    @Test func anUnknownBaseQuantIsOneError() throws {
        let result = try Binary.run(["train", "--dataset", "/nonexistent", "--base-quant", "nf5"])
        #expect(result.status == 64, "a bad value is a bad command line")
        #expect(result.stderr.split(separator: "\n").first == "tunebench train: error: unknown --base-quant 'nf5' (use nf4, q8_0 or q4_0)",
                "\(result.stderr)")
    }
}
