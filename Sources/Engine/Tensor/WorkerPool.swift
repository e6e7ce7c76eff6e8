import CKernels
import Foundation
import Synchronization

/// A persistent pool of worker threads for work items of tens of microseconds (decode's matvecs),
/// where waking threads through Dispatch costs as much as the work itself.
///
/// `run(parts:)` runs part 0 on the calling thread and offers parts 1… to the workers, and returns
/// when all are done. Each part goes to whoever claims it first: the caller, once its own part is
/// done, takes the parts no worker has started, so a worker the scheduler has not run yet (a busy
/// machine, a training run beside a chat) never keeps the caller waiting; the caller only waits for
/// parts a worker is running. Idle workers spin briefly (the next matvec is usually microseconds
/// away), then sleep on a condition variable so an idle process uses no CPU. One `run` at a time:
/// callers serialise.
public final class WorkerPool: @unchecked Sendable {
    /// One worker per core beyond the calling thread.
    public static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    public let workerCount: Int
    /// The current job: its generation (bits 32…63, bumped once per job), the next unclaimed part
    /// (bits 16…31) and its part count (bits 0…15). A part is claimed by moving "next" on with a
    /// compare-and-exchange that also checks the generation, so a claim never lands on another job.
    private let state = Atomic<UInt64>(0)
    private let pending = Atomic<Int>(0)  // parts 1… of the current job not yet finished
    private let sleepers = Atomic<Int>(0)
    private let wake = NSCondition()
    private let serial = NSLock()
    // Written by the caller before `state` publishes the job; read by a thread only after it claimed
    // one of the job's parts, and the caller keeps it until every claimed part has finished.
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var lastGeneration: UInt64 = 0

    /// How long an idle worker spins before it sleeps. Decode's matvecs come microseconds apart;
    /// longer gaps (an sgemm, the user typing) should not keep a core busy.
    private static let spinNanoseconds: UInt64 = 100_000

    public init(workers: Int) {
        workerCount = workers
        for index in 0..<workers {
            // The workers keep the pool alive (they loop for good): with parts taken by whoever comes
            // first, a pool's first job may finish before a worker thread has even started.
            let thread = Thread { [self] in self.workerLoop() }
            thread.name = "tunebench-worker-\(index + 1)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    @inline(__always)
    private static func generation(_ s: UInt64) -> UInt64 { s >> 32 }

    /// Claims the next part of job `generation`, or nil when it has none left (or is over).
    @inline(__always)
    private func claim(generation: UInt64) -> Int? {
        var s = state.load(ordering: .acquiring)
        while true {
            let next = (s >> 16) & 0xFFFF, parts = s & 0xFFFF
            guard Self.generation(s) == generation, next < parts else { return nil }
            let (exchanged, original) = state.compareExchange(expected: s, desired: s + (1 << 16), ordering: .acquiringAndReleasing)
            if exchanged { return Int(next) }
            s = original
        }
    }

    /// Runs `body(part)` for every part in 0..<parts (at most workerCount + 1), part 0 on this thread.
    public func run(parts requested: Int, _ body: (Int) -> Void) {
        let parts = min(max(1, requested), workerCount + 1)
        if parts == 1 {
            body(0)
            return
        }
        serial.lock()
        defer { serial.unlock() }
        withoutActuallyEscaping(body) { body in
            job = body
            lastGeneration = (lastGeneration + 1) & 0xFFFF_FFFF
            let generation = lastGeneration
            pending.store(parts - 1, ordering: .relaxed)
            state.store(generation << 32 | 1 << 16 | UInt64(parts), ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            body(0)
            while let part = claim(generation: generation) {
                body(part)
                pending.subtract(1, ordering: .relaxed)
            }
            while pending.load(ordering: .acquiring) > 0 { spinPause() }
            job = nil
        }
    }

    /// Splits 0..<count into `parts` contiguous ranges (multiples of `granularity` except the last)
    /// and runs them on the pool.
    public func forRanges(count: Int, parts: Int, granularity: Int = 1, _ body: (Range<Int>) -> Void) {
        let units = (count + granularity - 1) / granularity
        let parts = max(1, min(parts, units, workerCount + 1))
        run(parts: parts) { p in
            let start = min(count, units * p / parts * granularity)
            let end = min(count, units * (p + 1) / parts * granularity)
            if start < end { body(start..<end) }
        }
    }

    private func workerLoop() {
        // Generation 0 is never a job's, so a thread that starts late still takes the first job
        // (a thread that took the generation it found at start as seen once missed it).
        var seen: UInt64 = 0
        while true {
            var spins = 0
            var spinStart = DispatchTime.now().uptimeNanoseconds
            var current = Self.generation(state.load(ordering: .acquiring))
            while current == seen {
                spins += 1
                if spins & 255 != 0 || DispatchTime.now().uptimeNanoseconds - spinStart < Self.spinNanoseconds {
                    spinPause()
                } else {
                    wake.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while Self.generation(state.load(ordering: .sequentiallyConsistent)) == seen { wake.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    wake.unlock()
                    spins = 0
                    spinStart = DispatchTime.now().uptimeNanoseconds
                }
                current = Self.generation(state.load(ordering: .acquiring))
            }
            seen = current
            while let part = claim(generation: current) {
                job!(part)  // set: the caller keeps it until every claimed part has finished
                pending.subtract(1, ordering: .releasing)
            }
        }
    }
}

@inline(__always)
private func spinPause() {
    tb_spin_pause()
}
