import Foundation

/// Wakes the event loop from any thread (engine work finished, progress made). The loop installs
/// its wake function; before that (and in tests) waking does nothing.
public final class Waker: @unchecked Sendable {
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?

    public init() {}

    public func install(_ action: @escaping @Sendable () -> Void) {
        lock.lock()
        self.action = action
        lock.unlock()
    }

    public func wake() {
        lock.lock()
        let action = self.action
        lock.unlock()
        action?()
    }
}

/// Runs `work` on a background thread (never the UI thread).
func runInBackground(_ work: @escaping @Sendable () -> Void) {
    let thread = Thread(block: work)
    thread.stackSize = 8 << 20
    thread.start()
}
