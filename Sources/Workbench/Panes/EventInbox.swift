import Synchronization

/// A thread-safe queue from background work (training, generation, extraction, preparation) to a
/// pane on the UI thread; the one such queue of the workbench.
/// Workers `post` from any thread; the pane `drain`s on the UI thread when the app calls its
/// `update()`. `onPost` lets the app wake its event loop so the pane redraws promptly.
public final class EventInbox<Event: Sendable>: Sendable {
    private let queue = Mutex<[Event]>([])
    private let wake = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// An inbox whose posts wake the event loop through `waker`.
    public convenience init(waker: Waker) {
        self.init()
        setWake { [waker] in waker.wake() }
    }

    /// Called (on the posting thread) after each post; the app sets it to wake its loop.
    public func setWake(_ body: (@Sendable () -> Void)?) { wake.withLock { $0 = body } }

    public func post(_ event: Event) {
        queue.withLock { $0.append(event) }
        wake.withLock { $0 }?()
    }

    /// Everything posted since the last drain, in order.
    public func drain() -> [Event] { queue.withLock { q in defer { q.removeAll() }; return q } }
}
