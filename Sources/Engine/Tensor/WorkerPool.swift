import CKernels
import Foundation
import Synchronization

/// A persistent pool of worker threads for work items of tens of microseconds (decode's matvecs),
/// where waking threads through Dispatch costs as much as the work itself.
///
/// `run(parts:)` runs part 0 on the calling thread and parts 1… on the workers, and returns when all
/// are done. Idle workers spin briefly (the next matvec is usually microseconds away), then sleep on
/// a condition variable so an idle process uses no CPU. One `run` at a time: callers serialise.
public final class WorkerPool: @unchecked Sendable {
    /// One worker per core beyond the calling thread.
    public static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    public let workerCount: Int
    private let generation = Atomic<Int>(0)  // bumped once per job
    private let remaining = Atomic<Int>(0)  // workers that have not yet finished the current job
    private let sleepers = Atomic<Int>(0)
    private let wake = NSCondition()
    private let serial = NSLock()
    // Written by the caller before `generation` is bumped, read by workers after they see the bump.
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var jobParts = 0

    /// How long an idle worker spins before it sleeps. Decode's matvecs come microseconds apart;
    /// longer gaps (an sgemm, the user typing) should not keep a core busy.
    private static let spinNanoseconds: UInt64 = 100_000

    public init(workers: Int) {
        workerCount = workers
        for index in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop(index: index + 1) }
            thread.name = "tunebench-worker-\(index + 1)"
            thread.stackSize = 1 << 20
            thread.start()
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
            jobParts = parts
            // Every worker acknowledges every job, even one with fewer parts than workers, so no
            // worker can still be looking at this job when the next one is published.
            remaining.store(workerCount, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            body(0)
            while remaining.load(ordering: .acquiring) > 0 { spinPause() }
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

    private func workerLoop(index: Int) {
        // Not the value at the time this thread gets going: a thread that starts late (a loaded
        // machine) would take a job published before it ran as already seen, and never acknowledge
        // it — the caller would wait forever. Every job bumps the generation from 0 on.
        var seen = 0
        while true {
            var spins = 0
            var spinStart = DispatchTime.now().uptimeNanoseconds
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins & 255 != 0 || DispatchTime.now().uptimeNanoseconds - spinStart < Self.spinNanoseconds {
                    spinPause()
                } else {
                    wake.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    wake.unlock()
                    spins = 0
                    spinStart = DispatchTime.now().uptimeNanoseconds
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if index < jobParts, let job { job(index) }
            remaining.subtract(1, ordering: .releasing)
        }
    }
}

@inline(__always)
private func spinPause() {
    tb_spin_pause()
}
