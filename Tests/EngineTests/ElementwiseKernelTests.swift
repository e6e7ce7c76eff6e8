import CKernels
import Foundation
import Testing

@testable import Engine

/// The training pass's C elementwise kernels (Sources/CKernels/training.c), on every instruction set
/// this CPU has, against the formulas evaluated in Double here. Lengths are odd so the vector loops'
/// scalar tails run too.
@Suite struct ElementwiseKernelTests {
    static let instructionSets = ["scalar", "avx2"]

    private func kernels(_ isa: String) -> tb_elementwise_kernels? { tb_elementwise(isa)?.pointee }

    private func values(_ n: Int, from low: Float, to high: Float, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in low + (high - low) * rng.nextFloat() }
    }

    @Test(arguments: instructionSets)
    func expIsWithinTwoUlpsOfTheTrueValueAndItsSumIsExact(isa: String) throws {
        guard let k = kernels(isa) else { return }
        var x = values(10_007, from: -87, to: 20, seed: 1) + [0, -1e-8, 1e-8, -0.5, 0.5, 88, -87.3]
        let reference = x.map { exp(Double($0 - 3)) }  // the kernel subtracts in f32
        let sum = k.exp_shifted(&x, x.count, 3)
        for (got, want) in zip(x, reference) {
            // Below f32's normal range the kernel gives 0 by design (expf a denormal).
            if want < Double(Float.leastNormalMagnitude) {
                #expect(got == 0 || abs(Double(got) - want) <= Double(Float.leastNormalMagnitude))
                continue
            }
            #expect(abs(Double(got) - want) <= 2 * Double(Float(want).ulp), "exp \(want) got \(got)")
        }
        #expect(abs(sum - x.reduce(0.0) { $0 + Double($1) }) <= 1e-12 * sum)
        // Far below the shift the result is 0 (expf's would be a denormal), never NaN or negative.
        var tiny: [Float] = [-200, -90, -1e30, -.infinity, -88]
        _ = k.exp_shifted(&tiny, tiny.count, 0)
        #expect(tiny.allSatisfy { $0 >= 0 && $0 < 1e-37 })
    }

    @Test(arguments: instructionSets)
    func maxScaleAndSoftmaxGradientMatchTheFormulas(isa: String) throws {
        guard let k = kernels(isa) else { return }
        for n in [0, 1, 7, 8, 9, 33, 100] {
            var x = values(n, from: -5, to: 5, seed: UInt64(n))
            #expect(k.max(x, n) == (x.max() ?? -.infinity))
            let saved = x
            k.scale(&x, n, 0.37)
            #expect(x == saved.map { $0 * 0.37 })
            // A probability row (zeros where masked) and an upstream gradient.
            var p = values(n, from: 0, to: 1, seed: UInt64(n) + 50)
            if n > 3 { p[1] = 0; p[n - 1] = 0 }
            let total = p.reduce(0, +)
            if total > 0 { p = p.map { $0 / total } }
            var dp = values(n, from: -3, to: 3, seed: UInt64(n) + 99)
            let dot = zip(p, dp).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let want = zip(p, dp).map { Double($0) * (Double($1) - dot) }
            k.softmax_grad(p, &dp, n)
            for (got, w) in zip(dp, want) { #expect(abs(Double(got) - w) < 1e-6) }
            if n > 3 { #expect(dp[1] == 0 && dp[n - 1] == 0) }
        }
    }

    @Test(arguments: instructionSets)
    func swigluForwardAndBackwardMatchTheFormulas(isa: String) throws {
        guard let k = kernels(isa) else { return }
        let n = 1001
        let gate = values(n, from: -12, to: 12, seed: 5) + [-100, 100, 0], up = values(n + 3, from: -3, to: 3, seed: 6)
        let dOut = values(n + 3, from: -2, to: 2, seed: 7)
        var out = [Float](repeating: .nan, count: n + 3), dGate = out, dUp = out
        k.swiglu_forward(gate, up, n + 3, &out)
        k.swiglu_backward(dOut, gate, up, n + 3, &dGate, &dUp)
        for i in 0..<(n + 3) {
            let g = Double(gate[i]), u = Double(up[i]), dy = Double(dOut[i]), s = 1 / (1 + exp(-g))
            let expected = (g * s * u, dy * u * s * (1 + g * (1 - s)), dy * g * s)
            #expect(abs(Double(out[i]) - expected.0) <= 1e-6 * max(1, abs(expected.0)))
            #expect(abs(Double(dGate[i]) - expected.1) <= 1e-6 * max(1, abs(expected.1)))
            #expect(abs(Double(dUp[i]) - expected.2) <= 1e-6 * max(1, abs(expected.2)))
        }
        // In place, as the graph may call it.
        var inPlace = gate
        inPlace.withUnsafeMutableBufferPointer { k.swiglu_forward($0.baseAddress!, up, n + 3, $0.baseAddress!) }
        #expect(inPlace == out)
    }
}
