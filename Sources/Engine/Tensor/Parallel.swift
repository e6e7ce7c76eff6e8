import Dispatch

/// Splits `count` items into `parts` contiguous ranges and runs them concurrently.
public enum Parallel {
    @inline(__always)
    public static func forRanges(count: Int, parts: Int, _ body: (Range<Int>) -> Void) {
        forParts(count: count, parts: parts) { _, range in body(range) }
    }

    /// As `forRanges`, also telling each part its index (0 ..< parts), e.g. to pick its scratch.
    @inline(__always)
    public static func forParts(count: Int, parts: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        let parts = max(1, min(parts, count))
        if parts == 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            // Each part touches a disjoint range; the closure is not retained past this call.
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let start = count * p / parts, end = count * (p + 1) / parts
                work(p, start..<end)
            }
        }
    }
}
