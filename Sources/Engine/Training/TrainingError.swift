/// What can go wrong while training or reading and writing a run; each message says what to do.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    case badSetting(String)
    /// A batch that does not fit the training graph (wrong sizes, token ids out of range).
    case badBatch(String)
    case nonFiniteLoss(step: Int, loss: Double, gradNorm: Double)
    /// Training went off the rails in another way (non-finite parameters or eval, a collapse).
    case diverged(step: Int, reason: String)
    case io(path: String, reason: String)
    case badCheckpoint(path: String, reason: String)
    case mismatch(String)
    /// The run folder is held by another process (`RunLock`).
    case busy(String)

    public var description: String {
        switch self {
        case .badSetting(let m), .badBatch(let m), .mismatch(let m), .busy(let m): m
        case .nonFiniteLoss(let step, let loss, let norm):
            "training diverged at step \(step) (loss \(loss), gradient norm \(norm)); the last good checkpoint is kept — lower the learning rate or set a max gradient norm and resume"
        case .diverged(let step, let reason):
            "training diverged at step \(step): \(reason); the last good checkpoint is kept — lower the learning rate or set a max gradient norm and resume"
        case .io(let path, let reason): "cannot write \(path): \(reason)"
        case .badCheckpoint(let path, let reason): "checkpoint \(path) is unreadable: \(reason)"
        }
    }
}
