import Foundation

/// One saved moment of a run: parameters, AdamW moments and the trainer's position.
///
/// On disk, `runs/<id>/checkpoint-<step>/` holds `state.safetensors` (tensors `parameters`,
/// `adamw.m`, `adamw.v`, F32) and `trainer.json`, plus `adapter/` when the run exports one. The
/// folder is written under a temporary name, every file fsynced, then renamed; the `last` and
/// `best` links are then swung to it with one `rename` each, so a kill at any moment leaves them
/// pointing at a complete checkpoint.
public struct Checkpoint: Sendable, Equatable {
    public var parameters: [Float]
    public var optimizer: AdamW
    public var state: TrainerState

    public init(parameters: [Float], optimizer: AdamW, state: TrainerState) {
        self.parameters = parameters
        self.optimizer = optimizer
        self.state = state
    }

    static let stateFile = "state.safetensors"
    static let trainerFile = "trainer.json"

    /// Writes the checkpoint's files into an existing, empty directory (fsynced, not yet visible).
    func writeFiles(into directory: String) throws(TrainingError) {
        var st = SafetensorsWriter()
        st.metadata = ["format": "tunebench-checkpoint-1", "step": String(state.step),
                       "checksum": Self.checksum(parameters, optimizer.m, optimizer.v),
                       "adamw.step": String(optimizer.step), "adamw.beta1": String(optimizer.beta1),
                       "adamw.beta2": String(optimizer.beta2), "adamw.epsilon": String(optimizer.epsilon),
                       "adamw.weight_decay": String(optimizer.weightDecay)]
        do {
            try st.add("parameters", shape: [parameters.count], values: parameters)
            try st.add("adamw.m", shape: [optimizer.m.count], values: optimizer.m)
            try st.add("adamw.v", shape: [optimizer.v.count], values: optimizer.v)
        } catch { throw .mismatch(error.description) }
        try st.write(to: directory + "/" + Self.stateFile)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let json = try? encoder.encode(state) else { throw .io(path: directory, reason: "cannot encode the trainer state") }
        try AtomicFile.write([UInt8](json), to: directory + "/" + Self.trainerFile)
    }

    /// FNV-1a over the parameters' and both moments' bytes, in that order.
    static func checksum(_ tensors: [Float]...) -> String {
        var hasher = FNV1a64()
        for t in tensors { t.withUnsafeBytes { hasher.update($0) } }
        return hasher.hexDigest
    }

    /// Reads a checkpoint folder.
    public init(directory: String) throws(TrainingError) {
        let st: SafetensorsFile
        let parameters: [Float], m: [Float], v: [Float]
        do {
            st = try SafetensorsFile(path: directory + "/" + Self.stateFile)
            parameters = try st.floats("parameters")
            m = try st.floats("adamw.m")
            v = try st.floats("adamw.v")
        } catch { throw .badCheckpoint(path: directory, reason: error.description) }
        // Written by every checkpoint since it existed: a flipped bit in the tensors is refused.
        if let expected = st.metadata["checksum"], expected != Self.checksum(parameters, m, v) {
            throw .badCheckpoint(path: directory, reason: "its tensors do not match their checksum (the file was changed or damaged)")
        }
        guard m.count == parameters.count, v.count == parameters.count else {
            throw .badCheckpoint(path: directory, reason: "optimizer state has \(m.count)/\(v.count) values for \(parameters.count) parameters")
        }
        func number(_ key: String) throws(TrainingError) -> Double {
            guard let s = st.metadata[key], let d = Double(s) else {
                throw .badCheckpoint(path: directory, reason: "metadata \(key) is missing")
            }
            return d
        }
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: directory, reason: reason) }
        // Every value a resumed run would train with is checked: a corrupt or edited checkpoint is
        // refused, not trained on (NaN weights, a negative step that trains at a negative rate…).
        let beta1 = try number("adamw.beta1"), beta2 = try number("adamw.beta2")
        let epsilon = try number("adamw.epsilon"), weightDecay = try number("adamw.weight_decay")
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else { throw bad("its Adam betas \(beta1), \(beta2) are not in [0, 1)") }
        guard epsilon.isFinite, epsilon > 0 else { throw bad("its Adam epsilon \(epsilon) is not a positive number") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw bad("its weight decay \(weightDecay) is not 0 or more") }
        let adamStep = try number("adamw.step")
        guard adamStep.isFinite, adamStep >= 0, adamStep <= 1e12, adamStep == adamStep.rounded() else {
            throw bad("its optimizer step \(adamStep) is not a whole number of steps")
        }
        guard parameters.allSatisfy(\.isFinite) else { throw bad("its parameters hold NaN or infinite values") }
        guard m.allSatisfy(\.isFinite), v.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw bad("its optimizer moments hold NaN, infinite or negative values")
        }
        var optimizer = AdamW(parameterCount: 0, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        optimizer.m = m
        optimizer.v = v
        optimizer.step = Int(adamStep)
        guard let json = FileManager.default.contents(atPath: directory + "/" + Self.trainerFile),
              let state = try? JSONDecoder().decode(TrainerState.self, from: json)
        else { throw .badCheckpoint(path: directory, reason: "\(Self.trainerFile) is missing or malformed") }
        guard state.step >= 0, state.epoch >= 0, state.position >= 0, state.evalsWithoutImprovement >= 0,
              state.elapsed.isFinite, state.elapsed >= 0 else {
            throw bad("\(Self.trainerFile) has a negative or non-finite step, epoch, position or time")
        }
        if let loss = state.bestEvalLoss { guard loss.isFinite else { throw bad("its best eval loss is \(loss)") } }
        if let best = state.bestStep { guard (0...state.step).contains(best) else { throw bad("its best step \(best) is not in 0…\(state.step)") } }
        // `checkpoint-N` (the folder itself, or what `last`/`best` point at) holds step N.
        let folder = URL(fileURLWithPath: directory).resolvingSymlinksInPath().lastPathComponent
        if folder.hasPrefix("checkpoint-"), let n = Int(folder.dropFirst("checkpoint-".count)), n != state.step {
            throw bad("its folder says step \(n) but \(Self.trainerFile) says step \(state.step)")
        }
        self.init(parameters: parameters, optimizer: optimizer, state: state)
    }
}
