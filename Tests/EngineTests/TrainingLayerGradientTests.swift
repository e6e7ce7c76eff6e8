import Foundation
import Testing
@testable import Engine

// Finite-difference checks of every layer's backward pass. Each test takes a random objective
// J = Σ_i w_i · out_i (summed in Double), gets ∂J/∂input from the layer's backward with dOut = w, and
// compares it with central differences (J(x + ε) − J(x − ε)) / 2ε of the f32 forward, ε = 1e-3.
// Tolerance: the largest difference must stay below 1% of the largest gradient (f32 rounding in J
// is about 1e-6, so the differences carry ~1e-3 absolute noise on O(1) gradients).
// Forward passes are also checked against plain Double loops written here from the formulas.

struct GradientCheck {
    var rng = SplitMix64(seed: 0x6AD)

    mutating func random(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in (rng.nextFloat() * 2 - 1) * scale }
    }

    /// Central differences of `objective` with respect to every element of `x`.
    static func numeric(_ x: [Float], epsilon: Float = 1e-3, _ objective: ([Float]) -> Double) -> [Double] {
        var x = x
        return (0..<x.count).map { i in
            let saved = x[i]
            x[i] = saved + epsilon
            let plus = objective(x)
            x[i] = saved - epsilon
            let minus = objective(x)
            x[i] = saved
            return (plus - minus) / Double(2 * epsilon)
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

    /// max |numeric − analytic| / max |numeric|.
    static func relativeError(_ numeric: [Double], _ analytic: [Float]) -> Double {
        let scale = numeric.map(abs).max() ?? 0
        let worst = zip(numeric, analytic).map { abs($0 - Double($1)) }.max() ?? 0
        return worst / max(scale, 1e-12)
    }
}

@Test func rmsNormBackwardMatchesFiniteDifferences() {
    var g = GradientCheck()
    let n = 3, d = 8, eps: Float = 1e-5
    let x = g.random(n * d), weight = g.random(d), w = g.random(n * d)
    func forward(_ x: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: n * d), rstd = [Float](repeating: 0, count: n)
        RMSNormLayer.forward(x: x, weight: weight, eps: eps, n: n, d: d, out: &out, rstd: &rstd)
        return out
    }
    // Forward against the formula in Double.
    let out = forward(x)
    for t in 0..<n {
        let row = x[(t * d)..<(t * d + d)].map(Double.init)
        let r = 1 / (row.reduce(0) { $0 + $1 * $1 } / Double(d) + Double(eps)).squareRoot()
        for i in 0..<d { #expect(abs(Double(out[t * d + i]) - row[i] * r * Double(weight[i])) < 1e-5) }
    }
    var rstd = [Float](repeating: 0, count: n), scratch = [Float](repeating: 0, count: n * d)
    RMSNormLayer.forward(x: x, weight: weight, eps: eps, n: n, d: d, out: &scratch, rstd: &rstd)
    var dX = [Float](repeating: 0.5, count: n * d)  // backward adds to what is there
    RMSNormLayer.backward(dOut: w, x: x, weight: weight, rstd: rstd, n: n, d: d, dX: &dX)
    let numeric = GradientCheck.numeric(x) { GradientCheck.dot(forward($0), w) }
    #expect(GradientCheck.relativeError(numeric, dX.map { $0 - 0.5 }) < 1e-2)
}

@Test func ropeBackwardMatchesFiniteDifferences() {
    var g = GradientCheck()
    let heads = 2, hd = 8, n = 4
    let rope = RoPE(headDimension: hd, ropeDimension: 6, base: 10000)  // partial rotary: last pair untouched
    let positions: [Int32] = [0, 1, 2, 0]
    var cos = [Float](repeating: 0, count: 3 * 3), sin = cos
    rope.tables(start: 0, count: 3, cos: &cos, sin: &sin)
    let x = g.random(n * heads * hd), w = g.random(n * heads * hd)
    func forward(_ x: [Float]) -> [Float] {
        var y = x
        RoPELayer.forward(&y, n: n, heads: heads, positions: positions, rope: rope, cos: cos, sin: sin)
        return y
    }
    // Forward against the rotation written out: pair (2i, 2i+1) by angle p · 10000^(−2i/6).
    let y = forward(x)
    for t in 0..<n {
        for h in 0..<heads {
            for i in 0..<4 {
                let a = Double(x[t * 16 + h * 8 + 2 * i]), b = Double(x[t * 16 + h * 8 + 2 * i + 1])
                let theta = i < 3 ? Double(positions[t]) * pow(10000, -2 * Double(i) / 6) : 0
                #expect(abs(Double(y[t * 16 + h * 8 + 2 * i]) - (a * Foundation.cos(theta) - b * Foundation.sin(theta))) < 1e-5)
                #expect(abs(Double(y[t * 16 + h * 8 + 2 * i + 1]) - (a * Foundation.sin(theta) + b * Foundation.cos(theta))) < 1e-5)
            }
        }
    }
    var dX = w
    RoPELayer.backward(&dX, n: n, heads: heads, positions: positions, rope: rope, cos: cos, sin: sin)
    let numeric = GradientCheck.numeric(x) { GradientCheck.dot(forward($0), w) }
    #expect(GradientCheck.relativeError(numeric, dX) < 1e-2)
}

/// Attention written naively in Double: softmax over j in [i − positions[i], i] of q·k/√hd.
private func referenceAttention(_ s: CausalAttention.Shape, q: [Float], k: [Float], v: [Float], positions: [Int32]) -> [Double] {
    let hd = s.headDimension
    var out = [Double](repeating: 0, count: s.tokens * s.queryWidth)
    for h in 0..<s.heads {
        let g = h / (s.heads / s.kvHeads)
        for i in 0..<s.tokens {
            let visible = (i - Int(positions[i]))...i
            let scores = visible.map { j in
                (0..<hd).reduce(0.0) { $0 + Double(q[i * s.queryWidth + h * hd + $1]) * Double(k[j * s.kvWidth + g * hd + $1]) } / Double(hd).squareRoot()
            }
            let m = scores.max()!
            let e = scores.map { exp($0 - m) }
            let z = e.reduce(0, +)
            for (jj, j) in visible.enumerated() {
                for c in 0..<hd { out[i * s.queryWidth + h * hd + c] += e[jj] / z * Double(v[j * s.kvWidth + g * hd + c]) }
            }
        }
    }
    return out
}

/// Query blocks of 2, 3 and 64 rows over 7 tokens: several blocks, a block that starts inside an
/// example, and one block for the whole row.
@Test(arguments: [2, 3, 64])
func attentionForwardMatchesReferenceAndBackwardMatchesFiniteDifferences(block: Int) {
    var g = GradientCheck()
    // Two examples packed in one row of 7 tokens: positions restart at token 3.
    let s = CausalAttention.Shape(tokens: 7, heads: 4, kvHeads: 2, headDimension: 4, block: block)
    let positions: [Int32] = [0, 1, 2, 0, 1, 2, 3]
    let q = g.random(7 * s.queryWidth), k = g.random(7 * s.kvWidth), v = g.random(7 * s.kvWidth)
    let w = g.random(7 * s.queryWidth)
    var scratch = [Float](repeating: .nan, count: s.scratchCount), lse = [Float](repeating: .nan, count: s.heads * 7)
    func forward(_ q: [Float], _ k: [Float], _ v: [Float]) -> [Float] {
        var out = [Float](repeating: .nan, count: 7 * s.queryWidth)
        CausalAttention.forward(s, q: q, k: k, v: v, positions: positions, out: &out, logSumExp: &lse, scratch: &scratch)
        return out
    }
    let out = forward(q, k, v)
    let reference = referenceAttention(s, q: q, k: k, v: v, positions: positions)
    #expect(zip(out, reference).allSatisfy { abs(Double($0) - $1) < 1e-5 })

    var dQ = [Float](repeating: .nan, count: q.count), dK = [Float](repeating: 9, count: k.count), dV = dK  // overwritten
    CausalAttention.backward(s, dOut: w, q: q, k: k, v: v, positions: positions, logSumExp: lse, dQ: &dQ, dK: &dK, dV: &dV,
                             scratch: &scratch)
    let nq = GradientCheck.numeric(q) { GradientCheck.dot(forward($0, k, v), w) }
    let nk = GradientCheck.numeric(k) { GradientCheck.dot(forward(q, $0, v), w) }
    let nv = GradientCheck.numeric(v) { GradientCheck.dot(forward(q, k, $0), w) }
    #expect(GradientCheck.relativeError(nq, dQ) < 1e-2)
    #expect(GradientCheck.relativeError(nk, dK) < 1e-2)
    #expect(GradientCheck.relativeError(nv, dV) < 1e-2)
    // The second example never sees the first: its keys get no gradient from its queries and
    // changing the first example's values leaves the second example's outputs unchanged.
    var v2 = v
    for i in 0..<(3 * s.kvWidth) { v2[i] += 1 }
    let out2 = forward(q, k, v2)
    #expect(out2[(3 * s.queryWidth)...] == out[(3 * s.queryWidth)...])
}

/// A longer row (80 tokens, four examples, blocks of 16) against the Double reference, and each key/value
/// group computed by its own call (as the training graph's threads do) against one call for all groups.
@Test func attentionInBlocksAndByGroupMatchesTheWholeRow() {
    var g = GradientCheck()
    let T = 80
    let s = CausalAttention.Shape(tokens: T, heads: 6, kvHeads: 3, headDimension: 8, block: 16)
    let positions = TrainingGraph.positions(sequence: T, segmentStarts: [0, 5, 37, 38])
    let q = g.random(T * s.queryWidth, scale: 2), k = g.random(T * s.kvWidth, scale: 2), v = g.random(T * s.kvWidth)
    let dOut = g.random(T * s.queryWidth)
    var scratch = [Float](repeating: 0, count: s.scratchCount)
    var out = [Float](repeating: .nan, count: T * s.queryWidth), lse = [Float](repeating: .nan, count: s.heads * T)
    CausalAttention.forward(s, q: q, k: k, v: v, positions: positions, out: &out, logSumExp: &lse, scratch: &scratch)
    let reference = referenceAttention(s, q: q, k: k, v: v, positions: positions)
    #expect(zip(out, reference).map { abs(Double($0) - $1) }.max()! < 1e-5)
    var dQ = [Float](repeating: .nan, count: q.count), dK = [Float](repeating: .nan, count: k.count), dV = dK
    CausalAttention.backward(s, dOut: dOut, q: q, k: k, v: v, positions: positions, logSumExp: lse, dQ: &dQ, dK: &dK, dV: &dV,
                             scratch: &scratch)

    var outByGroup = [Float](repeating: .nan, count: out.count), lseByGroup = lse.map { _ in Float.nan }
    var dQByGroup = dQ.map { _ in Float.nan }, dKByGroup = dK.map { _ in Float.nan }, dVByGroup = dKByGroup
    for group in 0..<s.kvHeads {
        CausalAttention.forward(s, groups: group..<(group + 1), q: q, k: k, v: v, positions: positions, out: &outByGroup,
                                logSumExp: &lseByGroup, scratch: &scratch)
        CausalAttention.backward(s, groups: group..<(group + 1), dOut: dOut, q: q, k: k, v: v, positions: positions,
                                 logSumExp: lseByGroup, dQ: &dQByGroup, dK: &dKByGroup, dV: &dVByGroup, scratch: &scratch)
    }
    #expect(outByGroup == out && lseByGroup == lse)
    #expect(dQByGroup == dQ && dKByGroup == dK && dVByGroup == dV)
    // The gradients themselves: J = Σ dOut · out, differentiated in Double through the reference.
    func objective(_ q: [Float], _ k: [Float], _ v: [Float]) -> Double {
        zip(referenceAttention(s, q: q, k: k, v: v, positions: positions), dOut).reduce(0) { $0 + $1.0 * Double($1.1) }
    }
    let probe = stride(from: 0, to: q.count, by: 37).map { $0 }
    for i in probe {
        var plus = q, minus = q
        plus[i] += 1e-3; minus[i] -= 1e-3
        let numeric = (objective(plus, k, v) - objective(minus, k, v)) / 2e-3
        #expect(abs(numeric - Double(dQ[i])) < 1e-3)
    }
    for i in stride(from: 0, to: k.count, by: 13) {
        var plus = k, minus = k
        plus[i] += 1e-3; minus[i] -= 1e-3
        #expect(abs((objective(q, plus, v) - objective(q, minus, v)) / 2e-3 - Double(dK[i])) < 1e-3)
        var vp = v, vm = v
        vp[i] += 1e-3; vm[i] -= 1e-3
        #expect(abs((objective(q, k, vp) - objective(q, k, vm)) / 2e-3 - Double(dV[i])) < 1e-3)
    }
}

@Test func swigluBackwardMatchesFiniteDifferences() {
    var g = GradientCheck()
    let n = 12
    let gate = g.random(n, scale: 3), up = g.random(n, scale: 2), w = g.random(n)
    func forward(_ gate: [Float], _ up: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: n)
        SwiGLU.forward(gate: gate, up: up, count: n, out: &out)
        return out
    }
    let out = forward(gate, up)
    for i in 0..<n {
        let x = Double(gate[i])
        #expect(abs(Double(out[i]) - x / (1 + exp(-x)) * Double(up[i])) < 1e-5)
    }
    var dGate = [Float](repeating: 0, count: n), dUp = dGate
    SwiGLU.backward(dOut: w, gate: gate, up: up, count: n, dGate: &dGate, dUp: &dUp)
    #expect(GradientCheck.relativeError(GradientCheck.numeric(gate) { GradientCheck.dot(forward($0, up), w) }, dGate) < 1e-2)
    #expect(GradientCheck.relativeError(GradientCheck.numeric(up) { GradientCheck.dot(forward(gate, $0), w) }, dUp) < 1e-2)
}

@Test(arguments: [Float(0), 0.3])
func loraLinearBackwardMatchesFiniteDifferences(dropout: Float) {
    var g = GradientCheck()
    let n = 3, inF = 5, outF = 4, r = 2, scale: Float = 1.5
    let x = g.random(n * inF), weight = g.random(outF * inF), a = g.random(r * inF), b = g.random(outF * r)
    let w = g.random(n * outF)
    let drop: LoRADropout? = dropout > 0 ? LoRADropout(probability: dropout, key: 42) : nil
    func forward(_ x: [Float], _ a: [Float], _ b: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: n * outF), xa = [Float](repeating: 0, count: n * r), scratch = [Float](repeating: 0, count: n * inF)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let branch = LoRABranch(a: a.baseAddress!, b: b.baseAddress!, rank: r, scale: scale, dropout: drop)
                LoRALinear.forward(x: x, n: n, inFeatures: inF, outFeatures: outF, weight: weight, lora: branch, xa: &xa,
                                   dropScratch: &scratch, y: &y)
            }
        }
        return y
    }
    // Forward against W x + scale · B A drop(x), in Double, with the mask read from LoRADropout.keeps.
    let y = forward(x, a, b)
    var dropped = 0
    for t in 0..<n {
        let xd = (0..<inF).map { i -> Double in
            guard let drop else { return Double(x[t * inF + i]) }
            if !drop.keeps(t * inF + i) { dropped += 1; return 0 }
            return Double(x[t * inF + i]) / Double(1 - dropout)
        }
        let ax = (0..<r).map { j in (0..<inF).reduce(0.0) { $0 + Double(a[j * inF + $1]) * xd[$1] } }
        for o in 0..<outF {
            let base = (0..<inF).reduce(0.0) { $0 + Double(weight[o * inF + $1]) * Double(x[t * inF + $1]) }
            let adapted = (0..<r).reduce(0.0) { $0 + Double(b[o * r + $1]) * ax[$1] }
            #expect(abs(Double(y[t * outF + o]) - (base + Double(scale) * adapted)) < 1e-5)
        }
    }
    if dropout > 0 { #expect(dropped > 0 && dropped < n * inF) }

    var xa = [Float](repeating: 0, count: n * r), scratch = [Float](repeating: 0, count: n * inF), y2 = [Float](repeating: 0, count: n * outF)
    var dA = [Float](repeating: 0, count: a.count), dB = [Float](repeating: 0, count: b.count), dX = [Float](repeating: 0, count: x.count)
    var dxa = [Float](repeating: 0, count: n * r)
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            let branch = LoRABranch(a: ap.baseAddress!, b: bp.baseAddress!, rank: r, scale: scale, dropout: drop)
            LoRALinear.forward(x: x, n: n, inFeatures: inF, outFeatures: outF, weight: weight, lora: branch, xa: &xa, dropScratch: &scratch, y: &y2)
            LoRALinear.backward(dY: w, x: x, n: n, inFeatures: inF, outFeatures: outF, weight: weight, lora: branch, xa: xa,
                                dA: &dA, dB: &dB, dX: &dX, accumulate: false, dxa: &dxa, dropScratch: &scratch)
        }
    }
    #expect(GradientCheck.relativeError(GradientCheck.numeric(x) { GradientCheck.dot(forward($0, a, b), w) }, dX) < 1e-2)
    #expect(GradientCheck.relativeError(GradientCheck.numeric(a) { GradientCheck.dot(forward(x, $0, b), w) }, dA) < 1e-2)
    #expect(GradientCheck.relativeError(GradientCheck.numeric(b) { GradientCheck.dot(forward(x, a, $0), w) }, dB) < 1e-2)
}

@Test func crossEntropyHeadMatchesReferenceAndFiniteDifferences() {
    var g = GradientCheck()
    // 5 rows in blocks of 2, a vocabulary of 11 read in chunks of 4: every blocking path runs.
    let m = 5, d = 6, V = 11
    let hidden = g.random(m * d), head = g.random(V * d, scale: 2)
    let targets: [Int32] = [0, 10, 3, 3, 7]
    var logits = [Float](repeating: 0, count: 2 * V), chunk = [Float](repeating: 0, count: 4 * d)
    func run(_ hidden: [Float], gradient: UnsafeMutablePointer<Float>?) -> Double {
        head.withUnsafeBufferPointer { h in
            let matrix = WeightMatrix(name: "head", type: .f32, rows: V, columns: d, data: UnsafeRawPointer(h.baseAddress!))
            let frozen = FrozenMatrix(matrix: matrix, f32: nil)  // the "dequantize into scratch" path (f32 → copy)
            let scratch = CrossEntropyHead.Scratch(logits: &logits, head: &chunk, rowBlock: 2, vocabularyChunk: 4)
            return CrossEntropyHead.forward(hidden: hidden, m: m, targets: targets, head: frozen, scratch: scratch, threads: 1,
                                            dHidden: gradient, lossScale: 0.25)
        }
    }
    // Loss against log-softmax in Double.
    var expected = 0.0
    for i in 0..<m {
        let z = (0..<V).map { v in (0..<d).reduce(0.0) { $0 + Double(hidden[i * d + $1]) * Double(head[v * d + $1]) } }
        let top = z.max()!
        expected += top + log(z.reduce(0) { $0 + exp($1 - top) }) - z[Int(targets[i])]
    }
    var dHidden = [Float](repeating: 0, count: m * d)
    let loss = run(hidden, gradient: &dHidden)
    #expect(abs(loss - expected) < 1e-4 * expected)
    let numeric = GradientCheck.numeric(hidden) { 0.25 * run($0, gradient: nil) }
    #expect(GradientCheck.relativeError(numeric, dHidden) < 1e-2)
}

/// A real vocabulary's tail: with 49,152 words, one logit 17 above the rest leaves each other word
/// a probability of ≈ 4e-8, below half an f32 ulp of the running sum, yet together ≈ 0.2 % of the
/// mass. The loss must still be log-softmax in Double (an f32 sum dropped the tail: 2e-3 nats off),
/// and the probabilities the gradient uses must sum to 1.
@Test func crossEntropyHeadKeepsTheVocabularysTinyTail() {
    let V = 49_152, d = 1
    var head = [Float](repeating: 0, count: V)
    head[7] = 17  // hidden = 1: logits are the head column itself
    let targets: [Int32] = [7, 100]
    var logits = [Float](repeating: 0, count: 2 * V), chunk = [Float](repeating: 0, count: 4096 * d)
    let hidden: [Float] = [1, 1]
    var dHidden = [Float](repeating: 0, count: 2)
    let loss = head.withUnsafeBufferPointer { h in
        let matrix = WeightMatrix(name: "head", type: .f32, rows: V, columns: d, data: UnsafeRawPointer(h.baseAddress!))
        let scratch = CrossEntropyHead.Scratch(logits: &logits, head: &chunk, rowBlock: 2, vocabularyChunk: 4096)
        return CrossEntropyHead.forward(hidden: hidden, m: 2, targets: targets, head: FrozenMatrix(matrix: matrix, f32: nil),
                                        scratch: scratch, threads: 1, dHidden: &dHidden, lossScale: 1)
    }
    let logSumExp = 17 + log(1 + Double(V - 1) * exp(-17.0))
    let expected = (logSumExp - 17) + logSumExp
    #expect(abs(loss - expected) < 1e-6 * expected, "loss \(loss), expected \(expected)")
    // dHidden = Σ_v p_v·head_v − head_target = 17·p_7 − 17 (row 0) and 17·p_7 (row 1).
    let p7 = exp(17 - logSumExp)
    #expect(abs(Double(dHidden[0]) - 17 * (p7 - 1)) < 1e-4 * 17 * (1 - p7))
    #expect(abs(Double(dHidden[1]) - 17 * p7) < 1e-5 * 17)
}
