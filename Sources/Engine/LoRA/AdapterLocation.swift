import Foundation

/// Which adapter a path a user gives means. `--adapter` (generate, chat, perplexity, merge) and
/// the Chat pane take a GGUF LoRA file, a PEFT folder (`adapter_config.json` +
/// `adapter_model.safetensors`), a checkpoint folder holding `adapter/`, or a run folder, which
/// means its best checkpoint (lowest eval loss, the `best` link) when it has one, else its last.
/// Deciding it here, once, makes every command load the same checkpoint for the same words.
public struct AdapterLocation: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A GGUF LoRA file.
        case gguf
        /// A PEFT folder.
        case peft
        /// A checkpoint folder, given as such.
        case checkpoint
        /// A run folder's best checkpoint, with the eval loss that made it best.
        case best(evalLoss: Double?)
        /// A run folder's last checkpoint: the run has no best one (no evaluation yet).
        case last
    }

    /// The file or PEFT folder to load.
    public let path: String
    /// What to show the user: the checkpoint folder a run folder led to, else the path given.
    public let shown: String
    public let kind: Kind

    /// `runs/X/checkpoint-40 (best, eval loss 3.30)`.
    public var description: String {
        switch kind {
        case .gguf: "\(shown) (GGUF LoRA file)"
        case .peft: "\(shown) (PEFT folder)"
        case .checkpoint: "\(shown) (checkpoint)"
        case .best(let loss?): "\(shown) (best, eval loss \(String(format: "%.2f", loss)))"
        case .best(nil): "\(shown) (best)"
        case .last: "\(shown) (last; the run has no eval loss yet)"
        }
    }

    /// Where `given` (`~` expanded) leads.
    public static func resolve(_ given: String) throws(LoRAError) -> AdapterLocation {
        let fm = FileManager.default
        var given = (given as NSString).expandingTildeInPath
        while given.count > 1 && given.hasSuffix("/") { given.removeLast() }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: given, isDirectory: &isDirectory) else { throw .badFile("no adapter at \(given)") }
        func isPEFT(_ folder: String) -> Bool { fm.fileExists(atPath: folder + "/" + PEFTAdapter.configFile) }

        if !isDirectory.boolValue { return AdapterLocation(path: given, shown: given, kind: .gguf) }
        if isPEFT(given) { return AdapterLocation(path: given, shown: given, kind: .peft) }
        if isPEFT(given + "/adapter") { return AdapterLocation(path: given + "/adapter", shown: given, kind: .checkpoint) }
        // A run folder: follow its `best` link, else `last`, to the checkpoint it names now.
        for link in ["best", "last"] {
            guard let target = try? fm.destinationOfSymbolicLink(atPath: given + "/" + link) else { continue }
            let checkpoint = target.hasPrefix("/") ? target : given + "/" + target
            guard isPEFT(checkpoint + "/adapter") else { continue }
            let kind: Kind = link == "best" ? .best(evalLoss: bestEvalLoss(checkpoint: checkpoint)) : .last
            return AdapterLocation(path: checkpoint + "/adapter", shown: checkpoint, kind: kind)
        }
        throw .badFile("\(given) holds no adapter: expected a .gguf LoRA file, a PEFT folder with \(PEFTAdapter.configFile), "
            + "a checkpoint folder or a run folder with checkpoints")
    }

    /// The eval loss a best checkpoint was saved for, from its `trainer.json`.
    private static func bestEvalLoss(checkpoint: String) -> Double? {
        guard let json = FileManager.default.contents(atPath: checkpoint + "/" + Checkpoint.trainerFile) else { return nil }
        return (try? JSONDecoder().decode(TrainerState.self, from: json))?.bestEvalLoss
    }
}

extension LoRAAdapter {
    /// Loads the adapter `location` resolved to, for a base model of shape `model`.
    public static func load(_ location: AdapterLocation, model: LlamaConfig) throws -> LoRAAdapter {
        switch location.kind {
        case .gguf: try GGUFAdapter.load(try GGUFFile(path: location.path), model: model)
        default: try PEFTAdapter.load(from: location.path, model: model)
        }
    }

    /// Loads the adapter at any place a user may point at (see `AdapterLocation`).
    public static func load(path: String, model: LlamaConfig) throws -> LoRAAdapter {
        try load(try AdapterLocation.resolve(path), model: model)
    }
}
