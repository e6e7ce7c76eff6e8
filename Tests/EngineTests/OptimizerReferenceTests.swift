import Foundation
import Testing

@testable import Engine

/// AdamW, the LR schedules and gradient clipping against numbers from PyTorch
/// (Fixtures/training/optimizer-reference.json, made by bench/optimizer_reference.py).
@Suite struct OptimizerReferenceTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = TestPaths.fixtures.appendingPathComponent("training/optimizer-reference.json")
        return (try? TestPaths.json(url)) as? [String: Any] ?? [:]
    }()

    static func floats(_ any: Any?) -> [Float] { (any as? [NSNumber] ?? []).map { $0.floatValue } }

    @Test func adamWMatchesTorchStepByStep() throws {
        let cases = try #require(Self.reference["adamw"] as? [[String: Any]])
        #expect(cases.count == 3)
        for c in cases {
            var parameters = Self.floats(c["initial"])
            var optimizer = AdamW(parameterCount: parameters.count,
                                  beta1: (c["beta1"] as! NSNumber).doubleValue, beta2: (c["beta2"] as! NSNumber).doubleValue,
                                  epsilon: (c["eps"] as! NSNumber).doubleValue,
                                  weightDecay: (c["weight_decay"] as! NSNumber).doubleValue)
            let lr = (c["lr"] as! NSNumber).doubleValue
            let gradients = (c["gradients"] as! [Any]).map(Self.floats)
            let expected = (c["parameters_after_each_step"] as! [Any]).map(Self.floats)
            for (step, g) in gradients.enumerated() {
                optimizer.update(&parameters, gradients: g, lr: lr)
                let worst = zip(parameters, expected[step]).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
                // Within a few float ulps: torch's vectorised kernels may fuse the final update differently.
                #expect(worst < 5e-7, "\(c["name"]!) step \(step + 1): relative error \(worst)")
            }
            #expect(optimizer.step == gradients.count)
            let m = Self.floats(c["final_m"]), v = Self.floats(c["final_v"])
            // torch's moments are reproduced bit for bit (its lerp is fused: m + w·(g − m) in one rounding).
            #expect(optimizer.m == m, "\(c["name"]!): first moment")
            #expect(optimizer.v == v, "\(c["name"]!): second moment")
        }
    }

    @Test func schedulesMatchHuggingFaceLambdas() throws {
        let cases = try #require(Self.reference["schedules"] as? [[String: Any]])
        for c in cases {
            let kind = try #require(LRSchedule(rawValue: c["kind"] as! String))
            let base = (c["base"] as! NSNumber).doubleValue
            let warmup = (c["warmup"] as! NSNumber).intValue, total = (c["total"] as! NSNumber).intValue
            let rates = (c["rates"] as! [NSNumber]).map(\.doubleValue)
            for (step, expected) in rates.enumerated() {
                let got = kind.rate(base: base, step: step, warmupSteps: warmup, totalSteps: total)
                #expect(abs(got - expected) <= 1e-15 + 1e-12 * expected, "\(kind) warmup \(warmup) step \(step): \(got) vs \(expected)")
            }
        }
    }

    @Test func clippingMatchesClipGradNorm() throws {
        let cases = try #require(Self.reference["clipping"] as? [[String: Any]])
        for c in cases {
            var g = Self.floats(c["gradients"])
            let norm = GradientClipping.clip(&g, maxNorm: (c["max_norm"] as! NSNumber).floatValue)
            let expectedNorm = (c["norm"] as! NSNumber).doubleValue
            #expect(abs(norm - expectedNorm) <= 1e-6 * expectedNorm)
            let clipped = Self.floats(c["clipped"])
            #expect(zip(g, clipped).allSatisfy { abs($0 - $1) <= 1e-6 * max(abs($1), 1e-4) }, "\(c["name"]!)")
        }
    }
}
