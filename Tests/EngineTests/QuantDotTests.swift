import Testing

@testable import Engine

/// dot and matvec against an f64 sum over gguf-py's dequantization of the same blocks.
@Suite struct QuantDotTests {
    /// Σ w·x in Double, and Σ |w·x| as the scale the f32 rounding error is measured against.
    private func reference(_ w: ArraySlice<Float>, _ x: ArraySlice<Float>) -> (sum: Double, scale: Double) {
        var sum = 0.0, scale = 0.0
        for (a, b) in zip(w, x) {
            sum += Double(a) * Double(b)
            scale += abs(Double(a) * Double(b))
        }
        return (sum, scale)
    }

    /// Cases whose values are all finite (the *_special fixtures hold inf and NaN on purpose).
    static let finiteCases = QuantCase.all.filter { $0.expected.allSatisfy(\.isFinite) }

    @Test("dot equals the f64 sum of dequantized·x", arguments: finiteCases)
    func dotMatchesReference(_ c: QuantCase) {
        let x = testActivations(c.expected.count, seed: 7)
        let got = c.blocks.withUnsafeBytes { row in
            x.withUnsafeBufferPointer { dot(c.type, row: row.baseAddress!, $0.baseAddress!, count: x.count) }
        }
        let ref = reference(c.expected[...], x[...])
        #expect(ref.scale > 0)
        #expect(abs(Double(got) - ref.sum) <= 1e-4 * ref.scale, "got \(got), want \(ref.sum)")
    }

    @Test("matvec rows equal per-row f64 sums", arguments: finiteCases)
    func matvecMatchesReference(_ c: QuantCase) throws {
        // Split the fixture into rows of one or more whole blocks: 32 columns, or 256 for K-quants.
        let cols = max(c.type.blockSize, 32)
        let rows = c.expected.count / cols
        try #require(rows >= 2 && rows * cols == c.expected.count)
        let x = testActivations(cols, seed: 11)
        var y = [Float](repeating: .nan, count: rows)
        c.blocks.withUnsafeBytes { w in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    matvec(
                        c.type, weights: w.baseAddress!, rows: rows, cols: cols, x: xp.baseAddress!, y: yp.baseAddress!)
                }
            }
        }
        for r in 0..<rows {
            let ref = reference(c.expected[(r * cols)..<((r + 1) * cols)], x[...])
            #expect(
                abs(Double(y[r]) - ref.sum) <= 1e-4 * Swift.max(ref.scale, 1e-30), "row \(r): \(y[r]) vs \(ref.sum)")
        }
    }

    @Test func dotHandlesLengthsThatAreNotMultiplesOf16() {
        // F32/F16/BF16 rows of odd length exercise the scalar tails.
        for n in [1, 7, 33, 300] {
            let w = testActivations(n, seed: UInt64(n))
            let x = testActivations(n, seed: UInt64(n) + 100)
            let ref = reference(w[...], x[...])
            let halves = w.map { Float16($0).bitPattern }
            let rounded = halves.map { Float(Float16(bitPattern: $0)) }
            let halfRef = reference(rounded[...], x[...])
            let gotF32 = w.withUnsafeBytes { r in
                x.withUnsafeBufferPointer { dot(.f32, row: r.baseAddress!, $0.baseAddress!, count: n) }
            }
            let gotF16 = halves.withUnsafeBytes { r in
                x.withUnsafeBufferPointer { dot(.f16, row: r.baseAddress!, $0.baseAddress!, count: n) }
            }
            #expect(abs(Double(gotF32) - ref.sum) <= 1e-5 * ref.scale)
            #expect(abs(Double(gotF16) - halfRef.sum) <= 1e-5 * halfRef.scale)
        }
    }
}
