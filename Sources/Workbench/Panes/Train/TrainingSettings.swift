import Engine
import Foundation

/// The hyperparameters the Train pane edits and hands to a `TrainingController`.
public struct TrainingSettings: Sendable, Equatable {
    public enum Schedule: String, Sendable, CaseIterable { case constant, linear, cosine }

    public var lora = LoRAConfig()
    public var learningRate = 2e-4
    public var schedule = Schedule.cosine
    public var warmupSteps = 10
    public var epochs = 1
    /// 0: run for `epochs` instead.
    public var maxSteps = 0
    public var batchSize = 4
    public var gradientAccumulation = 1
    /// Steps between eval-loss measurements (0: never).
    public var evalEvery = 50
    /// Steps between sample generations (0: never).
    public var sampleEvery = 100
    public var seed: UInt64 = 42
    /// The workspace's `training.base_quant`: requantize the frozen base (nil: the model file's format).
    public var baseQuant: BaseQuantization?

    public init() {}

    /// The form that edits these settings, filled with the current values.
    public var form: Form {
        func int(_ lo: Int, _ hi: Int) -> @Sendable (String) -> String? {
            { s in
                guard let v = Int(s) else { return "enter a whole number" }
                return (lo...hi).contains(v) ? nil : "must be between \(lo) and \(hi)"
            }
        }
        let targetNames = LoRATarget.allCases.map(\.rawValue).joined(separator: ",")
        return Form(fields: [
            FormField(key: "rank", label: "LoRA rank", value: "\(lora.rank)", validate: int(1, 4096)),
            FormField(key: "alpha", label: "LoRA alpha", value: Self.number(Double(lora.alpha))) { s in
                guard let v = Double(s), v > 0, v.isFinite else { return "enter a positive number" }
                return nil
            },
            FormField(key: "dropout", label: "dropout", value: Self.number(Double(lora.dropout))) { s in
                guard let v = Double(s), v >= 0, v < 1 else { return "enter a number in [0, 1)" }
                return nil
            },
            FormField(key: "targets", label: "targets", value: lora.targets.map(\.rawValue).joined(separator: ",")) { s in
                let names = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                if names.isEmpty { return "name at least one of \(targetNames)" }
                for n in names where LoRATarget(name: n) == nil { return "unknown projection \(n); use \(targetNames)" }
                return nil
            },
            FormField(key: "lr", label: "learning rate", value: Self.number(learningRate)) { s in
                guard let v = Double(s), v > 0, v < 1 else { return "enter a number in (0, 1), e.g. 2e-4" }
                return nil
            },
            FormField(key: "schedule", label: "schedule", value: schedule.rawValue, choices: Schedule.allCases.map(\.rawValue)),
            FormField(key: "warmup", label: "warmup steps", value: "\(warmupSteps)", validate: int(0, 1_000_000)),
            FormField(key: "epochs", label: "epochs", value: "\(epochs)", validate: int(1, 10_000)),
            FormField(key: "maxSteps", label: "max steps (0: epochs)", value: "\(maxSteps)", validate: int(0, 100_000_000)),
            FormField(key: "batch", label: "batch size", value: "\(batchSize)", validate: int(1, 4096)),
            FormField(key: "accum", label: "grad accumulation", value: "\(gradientAccumulation)", validate: int(1, 4096)),
            FormField(key: "evalEvery", label: "eval every", value: "\(evalEvery)", validate: int(0, 100_000_000)),
            FormField(key: "sampleEvery", label: "sample every", value: "\(sampleEvery)", validate: int(0, 100_000_000)),
            FormField(key: "seed", label: "seed", value: "\(seed)") { s in UInt64(s) == nil ? "enter a whole number ≥ 0" : nil },
            FormField(key: "baseQuant", label: "base quant", value: baseQuant?.rawValue ?? Self.fileFormat,
                      choices: [Self.fileFormat] + BaseQuantization.allCases.map(\.rawValue)),
        ])
    }

    /// Reads settings back from a form made by `form`. Fields are validated as they are edited,
    /// but a form built elsewhere may still hold bad text: that is reported, not trapped.
    public init(form: Form) throws(TrainingSettingsError) {
        func value(_ key: String) throws(TrainingSettingsError) -> String {
            guard let v = form[key] else { throw .missing(key) }
            return v
        }
        func int(_ key: String) throws(TrainingSettingsError) -> Int {
            guard let v = Int(try value(key)) else { throw .invalid(key, try value(key)) }
            return v
        }
        func double(_ key: String) throws(TrainingSettingsError) -> Double {
            guard let v = Double(try value(key)) else { throw .invalid(key, try value(key)) }
            return v
        }
        let targets = try value("targets").split(separator: ",").compactMap { LoRATarget(name: $0.trimmingCharacters(in: .whitespaces)) }
        lora = LoRAConfig(rank: try int("rank"), alpha: Float(try double("alpha")), dropout: Float(try double("dropout")), targets: targets)
        do { try lora.validate() } catch { throw .invalid("LoRA", error.description) }
        learningRate = try double("lr")
        guard let s = Schedule(rawValue: try value("schedule")) else { throw .invalid("schedule", try value("schedule")) }
        schedule = s
        warmupSteps = try int("warmup")
        epochs = try int("epochs")
        maxSteps = try int("maxSteps")
        batchSize = try int("batch")
        gradientAccumulation = try int("accum")
        evalEvery = try int("evalEvery")
        sampleEvery = try int("sampleEvery")
        guard let seed = UInt64(try value("seed")) else { throw .invalid("seed", try value("seed")) }
        self.seed = seed
        // Forms made before the field existed leave the base as the file has it.
        if let quant = form["baseQuant"], quant != Self.fileFormat {
            guard let q = BaseQuantization(rawValue: quant) else { throw .invalid("baseQuant", quant) }
            baseQuant = q
        }
    }

    /// The base-quant choice that keeps the model file's own format.
    static let fileFormat = "as stored"

    /// A compact decimal or exponent form: 0.05, 16, 0.0002, 1e-05.
    static func number(_ v: Double) -> String { String(format: "%g", v) }
}

/// A setting the Train pane could not use.
public enum TrainingSettingsError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case invalid(String, String)
    public var description: String {
        switch self {
        case .missing(let key): "the training form has no \(key) field"
        case .invalid(let key, let value): "\(key): \(value) is not a valid value"
        }
    }
}
