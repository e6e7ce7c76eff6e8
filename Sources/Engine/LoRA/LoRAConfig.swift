/// Which projections of each LLaMA layer get a LoRA adapter, and how it is scaled.
///
/// `y = W x + scale · B (A x)` with `A` of shape (rank, in) and `B` of shape (out, rank), as in PEFT,
/// where `scale` is `alpha / rank`, or `alpha / √rank` with rsLoRA.
public struct LoRAConfig: Sendable, Equatable, Codable {
    public var rank: Int
    public var alpha: Float
    public var dropout: Float
    public var targets: [LoRATarget]  // kept in `LoRATarget.allCases` order
    public var useRSLoRA: Bool

    public init(rank: Int = 8, alpha: Float = 16, dropout: Float = 0.05,
                targets: [LoRATarget] = [.query, .key, .value, .output], useRSLoRA: Bool = false) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = LoRATarget.allCases.filter(targets.contains)
        self.useRSLoRA = useRSLoRA
    }

    /// The factor applied to `B (A x)`.
    public var scale: Float { useRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank) }

    /// Checks the values a user can type.
    public func validate() throws(LoRAError) {
        guard rank >= 1, rank <= 4096 else { throw .badSetting("LoRA rank must be between 1 and 4096, not \(rank)") }
        guard alpha.isFinite, alpha > 0 else { throw .badSetting("LoRA alpha must be a positive number, not \(alpha)") }
        guard dropout >= 0, dropout < 1 else { throw .badSetting("LoRA dropout must be in [0, 1), not \(dropout)") }
        guard !targets.isEmpty else { throw .badSetting("LoRA needs at least one target projection") }
    }
}

/// A projection of a LLaMA layer that can carry an adapter.
public enum LoRATarget: String, CaseIterable, Sendable, Codable, Hashable {
    case query = "q", key = "k", value = "v", output = "o", gate, up, down

    /// PEFT / Hugging Face module name (`model.layers.N.<module>`).
    public var peftModule: String {
        switch self {
        case .query: "self_attn.q_proj"
        case .key: "self_attn.k_proj"
        case .value: "self_attn.v_proj"
        case .output: "self_attn.o_proj"
        case .gate: "mlp.gate_proj"
        case .up: "mlp.up_proj"
        case .down: "mlp.down_proj"
        }
    }

    /// GGUF tensor stem (`blk.N.<stem>.weight`).
    public var ggufStem: String {
        switch self {
        case .query: "attn_q"
        case .key: "attn_k"
        case .value: "attn_v"
        case .output: "attn_output"
        case .gate: "ffn_gate"
        case .up: "ffn_up"
        case .down: "ffn_down"
        }
    }

    /// Parses `q`, `q_proj`, `attn_q`, `query`… as users of the different tools would write it.
    public init?(name: String) {
        let n = name.lowercased()
        if let t = LoRATarget(rawValue: n) { self = t; return }
        for t in LoRATarget.allCases where n == t.peftModule || n == t.peftModule.split(separator: ".").last.map(String.init)
            || n == t.ggufStem || n == "\(t)" {
            self = t
            return
        }
        return nil
    }

    /// (in, out) features of this projection in a model of the given shape.
    public func shape(in c: LlamaConfig) -> (inFeatures: Int, outFeatures: Int) {
        switch self {
        case .query: (c.embeddingLength, c.queryDimension)
        case .key, .value: (c.embeddingLength, c.kvDimension)
        case .output: (c.queryDimension, c.embeddingLength)
        case .gate, .up: (c.embeddingLength, c.feedForwardLength)
        case .down: (c.feedForwardLength, c.embeddingLength)
        }
    }
}

public enum LoRAError: Error, CustomStringConvertible, Equatable {
    case badSetting(String)
    case mismatch(String)
    case badFile(String)

    public var description: String {
        switch self {
        case .badSetting(let m), .mismatch(let m), .badFile(let m): m
        }
    }
}
