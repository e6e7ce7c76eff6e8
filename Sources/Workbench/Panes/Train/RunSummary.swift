import Engine
import Foundation
import Pipeline

/// One folder of a workspace's `runs/`, as the Train pane's runs list shows it: read from its
/// `config.json` (settings, length), `metrics.jsonl` (steps done, best eval loss) and its `last`
/// checkpoint link (what a resume continues from).
public struct RunSummary: Sendable, Equatable {
    public enum Status: String, Sendable {
        case finished, stopped, running = "running elsewhere", failed
    }

    /// One recorded setting, e.g. ("lora.rank", "4").
    public struct Setting: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public var name: String
    public var directory: URL
    public var status: Status
    /// The newest training row's step (0 when none).
    public var stepsDone: Int
    /// The step of the `last` checkpoint, nil when the run saved none.
    public var checkpointStep: Int?
    public var totalSteps: Int?
    public var bestEvalLoss: Double?
    /// Every setting of `config.json`, the LoRA ones as `lora.NAME`, sorted by name.
    public var settings: [Setting]

    public func setting(_ name: String) -> String? { settings.first { $0.name == name }?.value }

    /// "r 4  lr 0.0005  linear": the settings that tell runs apart at a glance.
    public var keySettings: String {
        [setting("lora.rank").map { "r \($0)" }, setting("learningRate").map { "lr \($0)" }, setting("schedule")]
            .compactMap { $0 }.joined(separator: "  ")
    }

    /// "12/30", "12/?".
    public var progressText: String { "\(stepsDone)/\(totalSteps.map(String.init) ?? "?")" }

    /// Reads `directory`. A run that has not finished counts as running when a live process holds
    /// its training marker (FineTuneJob's), or, for a trainer that writes none, when its log changed
    /// in the last `runningWithin` seconds and has rows past its last checkpoint.
    public static func read(_ directory: URL, now: Date = Date(), runningWithin: TimeInterval = 30) -> RunSummary {
        let fm = FileManager.default
        let config = (try? Data(contentsOf: directory.appendingPathComponent("config.json")))
            .flatMap { try? JSONDecoder().decode([String: JSONValue].self, from: $0) }
        var settings: [Setting] = []
        for (key, value) in config ?? [:] {
            if case .object(let nested) = value {
                for (k, v) in nested { settings.append(Setting(name: "\(key).\(k)", value: v.text)) }
            } else {
                settings.append(Setting(name: key, value: value.text))
            }
        }
        settings.sort { $0.name < $1.name }
        func integer(_ key: String) -> Int? { if case .number(let n) = config?[key] { Int(exactly: n) } else { nil } }

        var stepsDone = 0
        var best: Double?
        let metrics = directory.appendingPathComponent("metrics.jsonl")
        if let data = try? Data(contentsOf: metrics) {
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let row = try? JSONDecoder().decode(MetricRecord.self, from: line) else { continue }
                if row.loss != nil { stepsDone = max(stepsDone, row.step) }
                if let e = row.evalLoss, e.isFinite { best = min(best ?? e, e) }
            }
        }
        let last = (try? fm.destinationOfSymbolicLink(atPath: directory.appendingPathComponent("last").path))
        let checkpointStep = last.flatMap { Int($0.replacingOccurrences(of: "checkpoint-", with: "")) }
        var total = integer("totalSteps") ?? integer("maxSteps")

        // Early stopping ends a run before its last step: its checkpoint's patience is used up.
        var stoppedEarly = false
        if let last, let patience = integer("earlyStoppingPatience"),
           let json = fm.contents(atPath: directory.appendingPathComponent(last).appendingPathComponent("trainer.json").path),
           let state = try? JSONDecoder().decode(TrainerState.self, from: json) {
            stoppedEarly = state.evalsWithoutImprovement >= patience
        }
        if stoppedEarly, let step = checkpointStep { total = total ?? step }

        let modified = (try? fm.attributesOfItem(atPath: metrics.path)[.modificationDate]) as? Date
        let finished = stoppedEarly || (checkpointStep != nil && checkpointStep == total)
        let status: Status =
            if config == nil { .failed }
            else if finished { .finished }
            else if FineTuneJob.trainingProcess(in: directory) != nil { .running }
            // Without a marker (another trainer): rows past the checkpoint, freshly written, are a live run's.
            else if let modified, now.timeIntervalSince(modified) < runningWithin, stepsDone > (checkpointStep ?? 0) { .running }
            else if checkpointStep != nil { .stopped }
            else { .failed }
        return RunSummary(name: directory.lastPathComponent, directory: directory, status: status, stepsDone: stepsDone,
                          checkpointStep: checkpointStep, totalSteps: total, bestEvalLoss: best, settings: settings)
    }

    /// The run folders in `runs` (those holding a config.json or metrics.jsonl), newest name first.
    public static func list(in runs: URL, now: Date = Date()) -> [RunSummary] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: runs.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted(by: >).compactMap { name in
            let folder = runs.appendingPathComponent(name)
            guard ["config.json", "metrics.jsonl"].contains(where: { fm.fileExists(atPath: folder.appendingPathComponent($0).path) })
            else { return nil }
            return read(folder, now: now)
        }
    }
}

/// A JSON value as config.json holds it (JSONDecoder keeps `true` and `1` apart).
enum JSONValue: Decodable, Sendable {
    case string(String), number(Double), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// As a settings line shows it: `4`, `0.0005`, `true`, `q,v`, `none`.
    var text: String {
        switch self {
        case .string(let s): s
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : "\(n)"
        case .bool(let b): b ? "true" : "false"
        case .array(let a): a.map(\.text).joined(separator: ",")
        case .object(let o): o.keys.sorted().map { "\($0)=\(o[$0]!.text)" }.joined(separator: " ")
        case .null: "none"
        }
    }
}
