/// Where each adapter matrix lives in one flat parameter vector.
///
/// All trainable numbers of a run sit in a single `[Float]`, so the optimizer, gradient clipping and
/// checkpoints are loops over one array. Order: layer by layer, targets in `LoRAConfig.targets`
/// order, `A` (rank × in, row-major) then `B` (out × rank, row-major).
public struct LoRALayout: Sendable, Equatable {
    public struct Slot: Sendable, Equatable {
        public let layer: Int
        public let target: LoRATarget
        public let inFeatures: Int
        public let outFeatures: Int
        public let aOffset: Int  // rank × inFeatures floats
        public let bOffset: Int  // outFeatures × rank floats
    }

    public let rank: Int
    public let targets: [LoRATarget]
    public let slots: [Slot]
    public let parameterCount: Int

    public init(config: LoRAConfig, model: LlamaConfig) {
        var slots: [Slot] = []
        var offset = 0
        for layer in 0..<model.layerCount {
            for target in config.targets {
                let (i, o) = target.shape(in: model)
                slots.append(Slot(layer: layer, target: target, inFeatures: i, outFeatures: o,
                                  aOffset: offset, bOffset: offset + config.rank * i))
                offset += config.rank * (i + o)
            }
        }
        self.rank = config.rank
        self.targets = config.targets
        self.slots = slots
        self.parameterCount = offset
    }

    /// The slot of one layer's projection, or nil when it has no adapter.
    public func slot(layer: Int, target: LoRATarget) -> Slot? {
        guard let t = targets.firstIndex(of: target) else { return nil }
        let index = layer * targets.count + t
        return slots.indices.contains(index) ? slots[index] : nil
    }
}

/// The trainable weights of a LoRA adapter for one base model.
public struct LoRAAdapter: Sendable, Equatable {
    public var config: LoRAConfig
    public let layout: LoRALayout
    /// Every A and B matrix, laid out as `layout` says.
    public var parameters: [Float]

    /// A fresh adapter initialised as PEFT does: `A` Kaiming-uniform with a = √5 (so uniform in
    /// ±1/√in), `B` zero — the adapter starts as the identity on the base model.
    public init(config: LoRAConfig, model: LlamaConfig, seed: UInt64) {
        self.config = config
        self.layout = LoRALayout(config: config, model: model)
        var parameters = [Float](repeating: 0, count: layout.parameterCount)
        var rng = SplitMix64(seed: seed)
        for slot in layout.slots {
            let bound = 1 / Float(slot.inFeatures).squareRoot()
            for i in 0..<(config.rank * slot.inFeatures) {
                parameters[slot.aOffset + i] = Float.random(in: -bound..<bound, using: &rng)
            }
        }
        self.parameters = parameters
    }

    /// An adapter with the given parameters (from a file), checked against the layout.
    public init(config: LoRAConfig, model: LlamaConfig, parameters: [Float]) throws(LoRAError) {
        let layout = LoRALayout(config: config, model: model)
        guard parameters.count == layout.parameterCount else {
            throw .mismatch("adapter has \(parameters.count) parameters, the model needs \(layout.parameterCount)")
        }
        self.config = config
        self.layout = layout
        self.parameters = parameters
    }
}
