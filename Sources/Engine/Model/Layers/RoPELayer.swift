// Rotary position embedding over a batch of tokens, each at its own position (positions restart at
// every packed example).
//   forward:  x (n, heads·hd) in place, positions (n), tables cos/sin (maxPosition, ropeDim/2)
//   backward: dX (n, heads·hd) in place — the rotation is orthogonal, so its transpose is the
//             rotation by −θ.
// Tokens are independent; `threads` > 1 splits them over that many threads.

enum RoPELayer {
    static func forward(_ x: UnsafeMutablePointer<Float>, n: Int, heads: Int, positions: UnsafePointer<Int32>, rope: RoPE,
                        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, threads: Int = 1) {
        let half = rope.ropeDimension / 2, width = heads * rope.headDimension
        Parallel.forRanges(count: n, parts: n * width >= 1 << 15 ? threads : 1) { range in
            for t in range {
                let p = Int(positions[t])
                rope.apply(x + t * width, heads: heads, cos: cos + p * half, sin: sin + p * half)
            }
        }
    }

    static func backward(_ dX: UnsafeMutablePointer<Float>, n: Int, heads: Int, positions: UnsafePointer<Int32>, rope: RoPE,
                         cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, threads: Int = 1) {
        let half = rope.ropeDimension / 2, width = heads * rope.headDimension
        Parallel.forRanges(count: n, parts: n * width >= 1 << 15 ? threads : 1) { range in
            for t in range {
                let p = Int(positions[t])
                rope.applyInverse(dX + t * width, heads: heads, cos: cos + p * half, sin: sin + p * half)
            }
        }
    }
}
