import Foundation

/// Learning-rate schedules as Hugging Face `transformers` defines them
/// (`get_linear_schedule_with_warmup`, `get_cosine_schedule_with_warmup`,
/// `get_constant_schedule_with_warmup`): the rate for optimizer step `k` (0-based) is
/// `base · factor(k)`, where the factor rises linearly from 0 over the warmup steps.
public enum LRSchedule: String, Sendable, Codable, CaseIterable {
    case linear, cosine, constant

    /// The multiplier of the base rate at 0-based optimizer step `step`.
    public func factor(step: Int, warmupSteps: Int, totalSteps: Int) -> Double {
        if step < warmupSteps {
            return Double(step) / Double(max(1, warmupSteps))
        }
        switch self {
        case .constant:
            return 1
        case .linear:
            return max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
        case .cosine:  // num_cycles = 0.5: half a cosine from 1 to 0
            let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
            return max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
        }
    }

    /// The learning rate at 0-based optimizer step `step`.
    public func rate(base: Double, step: Int, warmupSteps: Int, totalSteps: Int) -> Double {
        base * factor(step: step, warmupSteps: warmupSteps, totalSteps: totalSteps)
    }
}
