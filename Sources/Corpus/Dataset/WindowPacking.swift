/// Cutting token streams and examples into windows of exactly `contextLength` tokens.
public enum WindowPacking {
    /// Consecutive, non-overlapping windows of `stream`. The short tail is padded with `padID`
    /// (mask `padding`) when `padLast`, else dropped. Returns the windows and the tokens dropped.
    public static func pack(_ stream: TokenStream, contextLength: Int, padLast: Bool, padID: Int32)
        -> (windows: [TokenWindow], droppedTokens: Int)
    {
        precondition(contextLength > 0)
        var windows: [TokenWindow] = []
        windows.reserveCapacity(stream.count / contextLength + 1)
        var start = 0
        while start + contextLength <= stream.count {
            windows.append(TokenWindow(tokens: Array(stream.tokens[start..<start + contextLength]),
                                       mask: Array(stream.mask[start..<start + contextLength])))
            start += contextLength
        }
        let tail = stream.count - start
        guard tail > 0 else { return (windows, 0) }
        if padLast {
            windows.append(padded(tokens: stream.tokens[start...], mask: stream.mask[start...],
                                  contextLength: contextLength, padID: padID))
            return (windows, 0)
        }
        return (windows, tail)
    }

    /// One window per example: longer ones are truncated to `contextLength`, shorter ones padded.
    /// An example with no trained token left after truncation is dropped. Returns the windows and
    /// the tokens cut off (truncated tails and dropped examples).
    public static func onePerWindow(_ examples: [TokenStream], contextLength: Int, padID: Int32)
        -> (windows: [TokenWindow], droppedTokens: Int)
    {
        var windows: [TokenWindow] = []
        var dropped = 0
        for example in examples {
            let kept = min(example.count, contextLength)
            guard example.mask[..<kept].contains(TokenWindow.trained) else {
                dropped += example.count
                continue
            }
            dropped += example.count - kept
            windows.append(padded(tokens: example.tokens[..<kept], mask: example.mask[..<kept],
                                  contextLength: contextLength, padID: padID))
        }
        return (windows, dropped)
    }

    private static func padded(tokens: ArraySlice<Int32>, mask: ArraySlice<UInt8>, contextLength: Int, padID: Int32) -> TokenWindow {
        let fill = contextLength - tokens.count
        return TokenWindow(tokens: Array(tokens) + repeatElement(padID, count: fill),
                           mask: Array(mask) + repeatElement(TokenWindow.padding, count: fill))
    }
}
