import CKernels
import Foundation
import Testing

@testable import Engine

/// The C decode kernels (Sources/CKernels): 8-bit activation quantization, integer matvecs for
/// Q4_0 / Q4_1 / Q8_0, and single-token attention over an fp16 cache, each checked on every
/// instruction set this CPU has against references written here in plain Swift / Double.
@Suite struct IntegerKernelTests {
    static let instructionSets = ["scalar", "avx2", "avx512vnni"]

    /// llama.cpp's quantize_row_q8_1 rule, written out independently.
    private func referenceQuantize(_ x: [Float]) -> (q: [Int8], scales: [Float], sums: [Float]) {
        var q = [Int8](), scales = [Float](), sums = [Float]()
        for b in 0..<(x.count / 32) {
            let block = x[(b * 32)..<(b * 32 + 32)]
            let amax = block.map(abs).max()!
            let d = amax / 127, inverse: Float = amax != 0 ? 127 / amax : 0
            let values = block.map { Int8(($0 * inverse).rounded(.toNearestOrEven)) }
            q += values
            scales.append(Float(Float16(d)))
            sums.append(Float(Float16(d * Float(values.reduce(0) { $0 + Int($1) }))))
        }
        return (q, scales, sums)
    }

    private func activations(_ n: Int, seed: UInt64) -> [Float] {
        var x = testActivations(n, seed: seed)
        for i in 0..<32 { x[i] = 0 }  // an all-zero block (scale 0)
        x[40] = 0.5 * x[33] / x[33]  // a value whose scaled form can land on .5: ties round to even
        return x
    }

    @Test(arguments: instructionSets)
    func activationQuantizationFollowsLlamaCppsRule(_ isa: String) throws {
        let n = 256
        let x = activations(n, seed: 3)
        var q = [Int8](repeating: 0, count: n), scales = [Float](repeating: 0, count: n / 32), sums = scales
        let ran = tb_quantize_q8_with(isa, x, Int32(n), &q, &scales, &sums)
        try #require(ran == 1 || isa != "scalar", "the scalar path always exists")
        guard ran == 1 else { return }  // this CPU lacks the instruction set
        let ref = referenceQuantize(x)
        #expect(q == ref.q)
        #expect(scales == ref.scales)
        #expect(sums == ref.sums)
    }

    /// Integer matvec against Σ (gguf-py's dequantized weights) · (dequantized activations) in Double.
    @Test(arguments: QuantCase.all.filter { [.q4_0, .q4_1, .q8_0].contains($0.type) && $0.expected.allSatisfy(\.isFinite) })
    func integerMatvecEqualsTheDequantizedProduct(_ c: QuantCase) {
        let cols = 64, rows = c.expected.count / cols
        let x = activations(cols, seed: 5)
        let ref = referenceQuantize(x)
        let xHat = (0..<cols).map { Double(ref.q[$0]) * Double(ref.scales[$0 / 32]) }
        let rowBytes = cols / 32 * c.type.typeSize
        var results: [String: [Float]] = [:]
        for isa in Self.instructionSets {
            var y = [Float](repeating: .nan, count: rows)
            let ran = c.blocks.withUnsafeBytes { w in
                tb_matvec_with(isa, Int32(c.type.rawValue), w.baseAddress!, rowBytes, Int32(rows), Int32(cols / 32),
                               ref.q, ref.scales, ref.sums, &y)
            }
            if ran == 1 { results[isa] = y }
        }
        #expect(results["scalar"] != nil && results["avx2"] != nil)
        for (isa, y) in results {
            for r in 0..<rows {
                var sum = 0.0, scale = 0.0
                for i in 0..<cols {
                    let p = Double(c.expected[r * cols + i]) * xHat[i]
                    sum += p
                    scale += abs(p)
                }
                // Q4_1's offset term uses fp16(d·Σq) like llama.cpp: allow that rounding (2⁻¹¹).
                let tolerance = 1e-5 * scale + (c.type == .q4_1 ? 1e-3 * scale + 1e-6 : 0)
                #expect(abs(Double(y[r]) - sum) <= tolerance, "\(isa) row \(r): \(y[r]) vs \(sum)")
            }
        }
        // AVX2 and VNNI compute the same integer sums and the same float steps.
        if let a = results["avx2"], let v = results["avx512vnni"] { #expect(a == v) }
    }

    @Test func singleTokenAttentionEqualsADoubleReference() {
        let hd = 64, stride = 192, count = 37
        let q = testActivations(hd, seed: 9).map { $0 * 2 }
        let keys = testActivations(count * stride, seed: 10).map { Float16($0 * 3) }
        let values = testActivations(count * stride, seed: 11).map { Float16($0) }
        var scores = [Float](repeating: 0, count: count), out = [Float](repeating: 0, count: hd)
        let scale = 1 / Float(hd).squareRoot()
        let offset = 64  // the second key/value head of three
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                let kp = UnsafeRawPointer(k.baseAddress! + offset).assumingMemoryBound(to: UInt16.self)
                let vp = UnsafeRawPointer(v.baseAddress! + offset).assumingMemoryBound(to: UInt16.self)
                tb_attend_one(q, 1, Int32(hd), kp, vp, stride, Int32(count), scale, &scores, &out)
            }
        }
        var logits = (0..<count).map { j in
            (0..<hd).reduce(0.0) { $0 + Double(q[$1]) * Double(keys[j * stride + offset + $1]) } * Double(scale)
        }
        let m = logits.max()!
        logits = logits.map { exp($0 - m) }
        let total = logits.reduce(0, +)
        let p = logits.map { $0 / total }
        for j in 0..<count { #expect(abs(Double(scores[j]) - p[j]) <= 1e-3 * p[j] + 1e-7, "p[\(j)]") }
        for i in 0..<hd {
            var sum = 0.0, scale = 0.0
            for j in 0..<count {
                sum += p[j] * Double(values[j * stride + offset + i])
                scale += abs(p[j] * Double(values[j * stride + offset + i]))
            }
            #expect(abs(Double(out[i]) - sum) <= 1e-3 * scale, "out[\(i)]")
        }
    }
}
