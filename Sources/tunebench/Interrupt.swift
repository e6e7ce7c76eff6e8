#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Ctrl-C handling for streaming commands: while a reply streams, Ctrl-C stops it (the command goes
/// on); otherwise it ends the program as usual.
enum Interrupt {
    static let requested = Atomic<Bool>(false)
    static let replying = Atomic<Bool>(false)

    static func install() {
        signal(SIGINT) { _ in
            if Interrupt.replying.load(ordering: .relaxed) {
                Interrupt.requested.store(true, ordering: .relaxed)
            } else {
                _exit(130)
            }
        }
    }

    /// For training: the first Ctrl-C asks the trainer to finish its step, save and stop; a second
    /// one ends the program at once.
    static func installForTraining() {
        signal(SIGINT) { _ in
            if Interrupt.requested.load(ordering: .relaxed) { _exit(130) }
            Interrupt.requested.store(true, ordering: .relaxed)
        }
    }

    /// Runs `body` as a reply that Ctrl-C may stop; returns whether it was stopped.
    static func reply(_ body: (_ shouldStop: () -> Bool) throws -> Void) rethrows -> Bool {
        requested.store(false, ordering: .relaxed)
        replying.store(true, ordering: .relaxed)
        defer { replying.store(false, ordering: .relaxed) }
        try body { requested.load(ordering: .relaxed) }
        return requested.load(ordering: .relaxed)
    }
}
