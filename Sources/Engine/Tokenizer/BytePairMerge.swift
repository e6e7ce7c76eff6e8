/// BPE on one word, in place: starting from one token per byte, repeatedly merge the adjacent pair
/// with the lowest merge rank (leftmost first among equals) until no pair merges.
///
/// Short words (almost all) use a plain scan per merge round; long ones (a run of letters with no
/// space, base64 blobs) use a priority queue so a 100 kB word costs O(n log n), not O(n²) — the
/// same order of merges HF `tokenizers` (`Word::merge_all`) and llama.cpp use.
enum BytePairMerge {
    /// Words with more symbols than this go through the priority queue.
    static let scanLimit = 64

    /// Merges `symbols` (token ids) in place; returns the new count.
    static func merge(_ symbols: UnsafeMutableBufferPointer<Int32>, _ lookup: MergeLookup, _ scratch: inout HeapScratch) -> Int {
        symbols.count > scanLimit ? mergeWithHeap(symbols, lookup, &scratch) : mergeByScan(symbols, lookup)
    }

    /// Each round: find the best pair, then merge every non-overlapping occurrence left to right.
    @inline(__always)
    static func mergeByScan(_ symbols: UnsafeMutableBufferPointer<Int32>, _ lookup: MergeLookup) -> Int {
        var n = symbols.count
        while n > 1 {
            var best = UInt64.max
            for i in 0..<(n - 1) {
                let found = lookup.find(symbols[i], symbols[i + 1])
                if found < best { best = found }  // rank is the high half: smaller = earlier merge
            }
            if best == UInt64.max { break }
            let merged = Int32(bitPattern: UInt32(truncatingIfNeeded: best))
            var read = 0, write = 0
            while read < n {
                if read + 1 < n && lookup.find(symbols[read], symbols[read + 1]) == best {
                    symbols[write] = merged
                    read += 2
                } else {
                    symbols[write] = symbols[read]
                    read += 1
                }
                write += 1
            }
            n = write
        }
        return n
    }

    /// Reusable buffers for `mergeWithHeap`.
    struct HeapScratch {
        /// Min-heap of `rank << 32 | position` (a pair is named by its left symbol's position).
        var heap: [UInt64] = []
        /// Doubly linked list over positions; -1 = none. A merged-away symbol gets `alive = false`.
        var next: [Int32] = []
        var previous: [Int32] = []
        var alive: [Bool] = []
    }

    static func mergeWithHeap(
        _ symbols: UnsafeMutableBufferPointer<Int32>, _ lookup: MergeLookup, _ scratch: inout HeapScratch
    ) -> Int {
        let n = symbols.count
        scratch.heap.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.alive.removeAll(keepingCapacity: true)
        for i in 0..<n {
            scratch.next.append(i + 1 < n ? Int32(i + 1) : -1)
            scratch.previous.append(Int32(i - 1))
            scratch.alive.append(true)
        }
        func push(_ left: Int, _ heap: inout [UInt64]) {
            let right = Int(scratch.next[left])
            guard right >= 0 else { return }
            let found = lookup.find(symbols[left], symbols[right])
            guard found != UInt64.max else { return }
            heap.append((found >> 32) << 32 | UInt64(left))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                if heap[parent] <= heap[child] { break }
                heap.swapAt(parent, child)
                child = parent
            }
        }
        var heap = scratch.heap  // moved out (and back below) so appends do not copy
        scratch.heap = []
        for i in 0..<(n - 1) { push(i, &heap) }
        while let top = heap.first {
            // Pop the minimum.
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var smallest = parent
                    if left < heap.count && heap[left] < heap[smallest] { smallest = left }
                    if right < heap.count && heap[right] < heap[smallest] { smallest = right }
                    if smallest == parent { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
            // Skip entries made stale by earlier merges: the pair must still exist with this rank.
            let position = Int(top & 0xFFFF_FFFF)
            let rank = top >> 32
            guard scratch.alive[position] else { continue }
            let right = Int(scratch.next[position])
            guard right >= 0 else { continue }
            let found = lookup.find(symbols[position], symbols[right])
            guard found != UInt64.max && found >> 32 == rank else { continue }
            // Merge `right` into `position`.
            symbols[position] = Int32(bitPattern: UInt32(truncatingIfNeeded: found))
            scratch.alive[right] = false
            let after = scratch.next[right]
            scratch.next[position] = after
            if after >= 0 { scratch.previous[Int(after)] = Int32(position) }
            let before = Int(scratch.previous[position])
            if before >= 0 { push(before, &heap) }
            push(position, &heap)
        }
        scratch.heap = heap
        // Compact the surviving symbols, in order.
        var write = 0
        var i = 0
        while i >= 0 {
            symbols[write] = symbols[i]
            write += 1
            i = Int(scratch.next[i])
        }
        return write
    }
}
