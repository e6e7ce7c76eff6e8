/// One training example: exactly `contextLength` tokens and, per token, whether it counts in the loss.
/// Inputs and labels are the same sequence (as Hugging Face's `labels`); the trainer shifts by one.
public struct TokenWindow: Equatable, Sendable {
    /// Mask values.
    public static let ignored: UInt8 = 0  // a real token that is context only (a prompt token)
    public static let trained: UInt8 = 1  // a token the model learns to predict
    public static let padding: UInt8 = 2  // filler after the end; attention and loss skip it

    /// Token ids, `contextLength` of them.
    public var tokens: [Int32]
    /// `ignored`, `trained` or `padding` for each token.
    public var mask: [UInt8]

    public init(tokens: [Int32], mask: [UInt8]) {
        precondition(tokens.count == mask.count, "a window needs one mask value per token")
        self.tokens = tokens
        self.mask = mask
    }

    /// Tokens before the padding.
    public var length: Int { mask.firstIndex(of: Self.padding) ?? mask.count }

    /// Whether token `index` counts in the loss.
    public func isTrained(_ index: Int) -> Bool { mask[index] == Self.trained }
}
