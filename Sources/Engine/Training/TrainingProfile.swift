import Dispatch

/// Wall-clock seconds a training graph spends in each phase of its steps (`bench-train --profile`).
/// Off unless a graph is given one; each phase costs two clock reads when on.
public final class TrainingProfile {
    public enum Phase: String, CaseIterable, Sendable {
        case dequantize = "dequantize base"
        case projection = "base projections (sgemm)"
        case lora = "LoRA branches"
        case attention = "attention"
        case head = "head sgemm"
        case headSoftmax = "head softmax"
        case elementwise = "norms, RoPE, SwiGLU, residuals"
    }

    public private(set) var seconds: [Phase: Double] = [:]

    public init() {}

    @inline(__always)
    func measure<T>(_ phase: Phase, _ body: () -> T) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        seconds[phase, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

    public func reset() { seconds = [:] }
}

extension Optional where Wrapped == TrainingProfile {
    @inline(__always)
    func measure<T>(_ phase: TrainingProfile.Phase, _ body: () -> T) -> T {
        switch self {
        case .some(let profile): profile.measure(phase, body)
        case .none: body()
        }
    }
}
