import Engine
import Foundation
import Testing

/// `kill -9` during `tunebench train`, several times at seeded random moments (one of them while a
/// checkpoint is being written): after every kill the run folder must hold only complete
/// checkpoints behind its links and a log that parses, `--resume` must carry on from the last
/// checkpoint, and the finished run must equal one that was never interrupted, bit for bit.
@Suite(.serialized) struct TrainingKillTests {
    /// The default model, where the test command put it: `TUNEBENCH_TEST_MODEL`, else the cache
    /// (`TUNEBENCH_HOME`, default ~/.cache/tunebench).
    static let model: URL = {
        if let path = ProcessInfo.processInfo.environment["TUNEBENCH_TEST_MODEL"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return ModelCache.defaultModel
    }()
    static let maxSteps = 12

    /// The sample book, extracted and prepared into 64-token windows (a few test windows, for runs
    /// that evaluate) in `folder/dataset`.
    static func prepareDataset(in folder: URL, testSize: Double = 0.01) throws -> URL {
        let pdf = Binary.packageRoot.appendingPathComponent("samples/pride-and-prejudice-a5.pdf").path
        let pages = folder.appendingPathComponent("pages.jsonl").path
        let dataset = folder.appendingPathComponent("dataset")
        let extract = try Binary.run(["extract", pdf, "--auto", "--out", pages])
        try #require(extract.status == 0, "extract failed: \(extract.stderr)")
        let prepare = try Binary.run(["prepare", pages, "--ctx", "64", "--test-size", "\(testSize)", "--out", dataset.path])
        try #require(prepare.status == 0, "prepare failed: \(prepare.stderr)")
        return dataset
    }

    static func trainArguments(dataset: URL, run: URL, resume: Bool) -> [String] {
        ["train", "--model", model.path, "--dataset", dataset.path, "--out", run.path, "--max-steps", "\(maxSteps)",
         "--batch-size", "1", "--save-every", "1", "--eval-every", "0", "--lora-r", "4", "--lora-alpha", "8",
         "--threads", "2", "--seed", "7"] + (resume ? ["--resume"] : [])
    }

    /// Starts `tunebench` with no pipes at all: stdin from /dev/null, stdout and stderr into `log`
    /// (a killed child can then never block on, or hold open, a descriptor of ours).
    static func launch(_ arguments: [String], log: URL, in folder: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }  // the child has its own copy
        let process = Process()
        process.executableURL = Binary.tunebench
        process.arguments = arguments
        process.currentDirectoryURL = folder  // no tunebench.toml here, so flags and defaults alone
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    /// When to kill a run.
    enum Moment: CustomStringConvertible {
        /// This long after the launch (loading, or somewhere in the first steps).
        case afterLaunch(seconds: Double)
        /// `seconds` after the process has reported `steps` training steps.
        case afterSteps(Int, seconds: Double)
        /// `seconds` after the `skip + 1`-th checkpoint write of this process starts (a temporary
        /// `.checkpoint-N.partial-…` folder appears); a save takes ~0.1 s, so this lands inside it.
        case duringCheckpointWrite(skip: Int, seconds: Double)

        var description: String {
            switch self {
            case .afterLaunch(let s): String(format: "%.2f s after launch", s)
            case .afterSteps(let n, let s): String(format: "%.2f s after %d step(s)", s, n)
            case .duringCheckpointWrite(let skip, let s): String(format: "%.3f s into checkpoint write %d", s, skip + 1)
            }
        }
    }

    @Test(.timeLimit(.minutes(3))) func killedRunResumesToTheUninterruptedRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-kill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try Self.prepareDataset(in: folder)
        let config = try LlamaModel(path: Self.model.path).config
        let started = Date()

        // The reference: the same settings, never interrupted.
        let reference = folder.appendingPathComponent("reference")
        let whole = try Self.launch(Self.trainArguments(dataset: dataset, run: reference, resume: false),
                                    log: folder.appendingPathComponent("reference.log"), in: folder)
        whole.waitUntilExit()
        try #require(whole.terminationReason == .exit && whole.terminationStatus == 0,
                     "the uninterrupted run failed: \((try? String(contentsOf: folder.appendingPathComponent("reference.log"), encoding: .utf8)) ?? "")")
        let expected = try MetricsFile(reference.appendingPathComponent("metrics.jsonl"))
        #expect(!expected.torn && expected.trainRows.count == Self.maxSteps)

        // Four kills at seeded random moments, tied to the run's progress rather than to the clock
        // (a fast CPU trains a step in tens of milliseconds, a slow one in hundreds): during loading
        // or the first steps, inside a save, just after a step, inside a save. Each leaves at most
        // a few more steps saved, so the run never finishes before its last kill.
        var rng = SplitMix64(seed: 2026)
        func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
        let moments: [Moment] = [
            .afterLaunch(seconds: uniform(0.05...0.3)),
            .duringCheckpointWrite(skip: 0, seconds: 0),
            .afterSteps(1, seconds: uniform(0...0.02)),
            .duringCheckpointWrite(skip: Int.random(in: 0...1, using: &rng), seconds: uniform(0...0.05)),
        ]
        let run = folder.appendingPathComponent("run")
        var lastSaved = 0, killsInsideASave = 0
        for (index, moment) in moments.enumerated() {
            let log = folder.appendingPathComponent("kill-\(index).log")
            let process = try Self.launch(Self.trainArguments(dataset: dataset, run: run, resume: index > 0), log: log, in: folder)
            try Self.wait(for: moment, process: process, run: run, output: log)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            try #require(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
                         "kill \(index + 1) (\(moment)) came too late: the run ended by itself (\(process.terminationStatus)):\n\(text)")
            // A temporary folder left behind shows that the kill cut a checkpoint write short.
            let names = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
            let cutSave = names.contains { $0.hasPrefix(".checkpoint-") }
            if cutSave { killsInsideASave += 1 }
            let saved = try Self.checkRunFolder(run, config: config, after: "kill \(index + 1) (\(moment))")
            // A resumed run starts from `last`: it never goes back before the checkpoint it was given.
            #expect(saved >= lastSaved, "kill \(index + 1): last went back from checkpoint-\(lastSaved) to checkpoint-\(saved)")
            if index > 0 {
                let firstStep = text.split(separator: "\n").first { $0.hasPrefix("step ") }
                if let firstStep { #expect(firstStep.hasPrefix("step \(lastSaved + 1)/"), "run \(index + 1) began with '\(firstStep)' after checkpoint-\(lastSaved)") }
            }
            let torn = (try? MetricsFile(run.appendingPathComponent("metrics.jsonl")))?.torn ?? false
            print("kill \(index + 1) at \(moment): last = checkpoint-\(saved)\(cutSave ? ", a checkpoint write cut short" : "")\(torn ? ", torn log line" : "")")
            lastSaved = saved
        }

        #expect(killsInsideASave >= 1, "no kill landed inside a checkpoint write")

        // The last resume runs to the end.
        let log = folder.appendingPathComponent("final.log")
        let final = try Self.launch(Self.trainArguments(dataset: dataset, run: run, resume: true), log: log, in: folder)
        final.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try #require(final.terminationReason == .exit && final.terminationStatus == 0, "the final resume failed:\n\(text)")
        #expect(text.split(separator: "\n").first { $0.hasPrefix("step ") }?.hasPrefix("step \(lastSaved + 1)/") ?? (lastSaved == Self.maxSteps))
        #expect(text.contains("finished at step \(Self.maxSteps): completed"))
        #expect(try Self.checkRunFolder(run, config: config, after: "the final resume") == Self.maxSteps)

        // Nothing of the interrupted saves is left: the links, their checkpoint, the log, the config.
        let names = try FileManager.default.contentsOfDirectory(atPath: run.path).sorted()
        // --eval-every 0: no eval at all, so no `best` link; `.lock` is the run folder's lock file.
        #expect(names == [".lock", "checkpoint-\(Self.maxSteps)", "config.json", "last", "metrics.jsonl"], "\(names)")

        // Every logged number but the timings equals the uninterrupted run's, bit for bit.
        let resumed = try MetricsFile(run.appendingPathComponent("metrics.jsonl"))
        #expect(!resumed.torn)
        #expect(resumed.trainRows.map(\.step) == Array(1...Self.maxSteps))
        for (a, b) in zip(resumed.trainRows, expected.trainRows) {
            for key in ["loss", "grad_norm", "lr", "epoch", "tokens"] {
                #expect(a.values[key] == b.values[key], "step \(a.step) \(key): \(a.values[key] ?? .nan) resumed, \(b.values[key] ?? .nan) uninterrupted")
            }
        }
        #expect(resumed.evalRows.map(\.values) == expected.evalRows.map(\.values))
        let mine = try Checkpoint(directory: run.appendingPathComponent("last").path)
        let theirs = try Checkpoint(directory: reference.appendingPathComponent("last").path)
        #expect(mine.parameters == theirs.parameters && mine.optimizer.m == theirs.optimizer.m && mine.optimizer.v == theirs.optimizer.v)
        #expect(mine.state.step == theirs.state.step && mine.state.rng == theirs.state.rng && mine.state.position == theirs.state.position)
        print(String(format: "kill -9 test took %.1f s", Date().timeIntervalSince(started)))
    }

    /// Blocks until `moment` has come, or the process has exited by itself.
    static func wait(for moment: Moment, process: Process, run: URL, output: URL) throws {
        let launched = Date()
        let deadline = launched.addingTimeInterval(60)
        func sleep(_ seconds: Double) { if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } }
        switch moment {
        case .afterLaunch(let seconds):
            sleep(seconds)
        case .afterSteps(let steps, let seconds):
            // Its own output, not metrics.jsonl: that still holds the killed run's rows until the
            // resumed one cuts it back to the checkpoint.
            while process.isRunning, Date() < deadline {
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                if text.split(separator: "\n").filter({ $0.hasPrefix("step ") }).count >= steps { break }
                sleep(0.005)
            }
            sleep(seconds)
        case .duringCheckpointWrite(let skip, let seconds):
            // Polls fast: a save is ~0.1 s. `seen` counts distinct temporary folders.
            var seen = Set<String>()
            while process.isRunning, Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
                for name in names where name.hasPrefix(".checkpoint-") && name.contains(".partial-\(process.processIdentifier)") {
                    seen.insert(name)
                }
                if seen.count > skip { break }
                usleep(200)
            }
            sleep(seconds)
        }
    }

    /// What a kill may leave, checked: `last` (and `best`) point at complete checkpoint folders
    /// whose state, trainer position and both adapter exports load and agree; every visible
    /// `checkpoint-N` folder is complete (temporary ones are hidden, never linked); the log parses
    /// up to a possibly torn last line, its steps count up from 1. Returns `last`'s step (0: none).
    static func checkRunFolder(_ run: URL, config: LlamaConfig, after what: String) throws -> Int {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: run.path)) ?? []
        var linked: [String: String] = [:]
        for link in ["last", "best"] {
            guard let target = try? fm.destinationOfSymbolicLink(atPath: run.appendingPathComponent(link).path) else { continue }
            #expect(target.hasPrefix("checkpoint-") && !target.contains("partial") && !target.contains("/"),
                    "after \(what): \(link) points at \(target)")
            linked[link] = target
        }
        for name in names where name.hasPrefix("checkpoint-") {
            let directory = run.appendingPathComponent(name).path
            let step = Int(name.dropFirst("checkpoint-".count))
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint(directory: directory) } catch {
                Issue.record("after \(what): \(name) does not load: \(error)")
                continue
            }
            #expect(checkpoint.state.step == step && checkpoint.optimizer.step == step, "after \(what): \(name) holds step \(checkpoint.state.step)")
            // One window a step, all in the first epoch.
            #expect(checkpoint.state.epoch == 0 && checkpoint.state.position == step, "after \(what): \(name) is at window \(checkpoint.state.position)")
            do {
                let peft = try PEFTAdapter.load(from: directory + "/adapter", model: config)
                #expect(peft.parameters == checkpoint.parameters, "after \(what): \(name)'s PEFT adapter differs from its state")
                let gguf = try GGUFAdapter.load(GGUFFile(path: directory + "/adapter/adapter.gguf"), model: config)
                #expect(gguf.parameters == checkpoint.parameters, "after \(what): \(name)'s GGUF adapter differs from its state")
            } catch { Issue.record("after \(what): \(name)'s adapter does not load: \(error)") }
        }
        let last = linked["last"].flatMap { Int($0.dropFirst("checkpoint-".count)) } ?? 0
        if let metrics = try? MetricsFile(run.appendingPathComponent("metrics.jsonl")) {
            let steps = metrics.trainRows.map(\.step)
            #expect(steps == Array(1..<(steps.count + 1)), "after \(what): the log's steps are \(steps)")
            // The log runs ahead of the checkpoint by at most the step being saved.
            #expect(steps.count >= last, "after \(what): the log ends at step \(steps.count), before checkpoint-\(last)")
        } else if fm.fileExists(atPath: run.appendingPathComponent("metrics.jsonl").path) {
            Issue.record("after \(what): metrics.jsonl does not parse")
        }
        return last
    }
}

/// A run's `metrics.jsonl`: every complete line must be a JSON object with a step; a last line
/// without its newline (a write cut by the kill) is reported as `torn` and otherwise ignored.
struct MetricsFile {
    struct Row { var step: Int; var values: [String: Double] }
    var trainRows: [Row] = []
    var evalRows: [Row] = []
    var torn = false

    init(_ url: URL) throws {
        let data = try Data(contentsOf: url)
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if let last = lines.popLast(), !last.isEmpty { torn = true }
        for (number, line) in lines.enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue
            else { throw MetricsError(description: "\(url.path):\(number + 1) is not a JSON row: \(String(decoding: line, as: UTF8.self))") }
            var values: [String: Double] = [:]
            for (key, value) in object { if let n = value as? NSNumber { values[key] = n.doubleValue } }
            if values["eval_loss"] != nil { evalRows.append(Row(step: step, values: values)) } else { trainRows.append(Row(step: step, values: values)) }
        }
    }

    struct MetricsError: Error, CustomStringConvertible { var description: String }
}
