import Foundation
import Synchronization
import Testing
@testable import Engine

@Suite struct WorkerPoolTests {
    /// A job published before a worker thread has even started must still be run and acknowledged
    /// by it (a worker that read the generation only once running missed it, and the caller waited
    /// forever: a chat under load hung that way). Fresh pools get a job at once, many times; the
    /// watchdog turns a hang into a failure.
    @Test func aJobPublishedBeforeTheWorkersStartIsRun() {
        let finished = DispatchSemaphore(value: 0)
        let ranParts = Atomic<Int>(0)
        let rounds = 40
        Thread.detachNewThread {
            for _ in 0..<rounds {
                let pool = WorkerPool(workers: 2)
                pool.run(parts: 3) { _ in ranParts.add(1, ordering: .relaxed) }
            }
            finished.signal()
        }
        let done = finished.wait(timeout: .now() + 30) == .success
        #expect(done, "a pool's first job never finished")
        if done { #expect(ranParts.load(ordering: .relaxed) == rounds * 3) }
    }

    /// A worker that is not running yet does not hold the caller up: the caller takes the parts
    /// nobody has started. After the worker has gone to sleep, waking it takes longer than the
    /// caller's empty part 0, so the caller should run part 1 itself (a pool that gave each part to
    /// a fixed worker never did, and under load waited a whole time slice for it).
    @Test func theCallerTakesThePartsNoWorkerStarted() {
        let pool = WorkerPool(workers: 1)
        var onCaller = 0
        for _ in 0..<20 {
            Thread.sleep(forTimeInterval: 0.005)  // the worker spins 0.1 ms, then sleeps
            let caller = pthread_self()
            let ranOnCaller = Mutex([Bool](repeating: false, count: 2))
            pool.run(parts: 2) { part in ranOnCaller.withLock { $0[part] = pthread_equal(pthread_self(), caller) != 0 } }
            #expect(ranOnCaller.withLock { $0[0] })
            if ranOnCaller.withLock({ $0[1] }) { onCaller += 1 }
        }
        #expect(onCaller > 0, "part 1 always waited for the worker")
    }

    @Test func everyPartRunsOnceAndRangesCoverTheCount() {
        let pool = WorkerPool(workers: 1)
        for count in [0, 1, 2, 7, 1000] {
            let hits = Mutex([Int](repeating: 0, count: count))
            pool.forRanges(count: count, parts: 2) { range in
                hits.withLock { h in for i in range { h[i] += 1 } }
            }
            #expect(hits.withLock { $0.allSatisfy { $0 == 1 } }, "count \(count)")
        }
    }
}
