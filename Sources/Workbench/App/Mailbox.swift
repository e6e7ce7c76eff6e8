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

/// Messages from background work to a pane. Any thread posts; the UI thread drains them in the
/// pane's `update()`, so pane state is only ever touched on the UI thread.
public final class Mailbox<Message: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Message] = []
    private let waker: Waker

    public init(waker: Waker) { self.waker = waker }

    public func post(_ message: Message) {
        lock.lock()
        messages.append(message)
        lock.unlock()
        waker.wake()
    }

    /// Everything posted since the last drain, in order.
    public func drain() -> [Message] {
        lock.lock()
        defer { lock.unlock() }
        let out = messages
        messages.removeAll()
        return out
    }
}

/// Runs `work` on a background thread (never the UI thread).
func runInBackground(_ work: @escaping @Sendable () -> Void) {
    let thread = Thread(block: work)
    thread.stackSize = 8 << 20
    thread.start()
}
