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
