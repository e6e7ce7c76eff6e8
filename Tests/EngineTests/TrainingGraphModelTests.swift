import Foundation
import Testing
@testable import Engine

// The training graph on the real default model, checked against the inference engine (an
// independent forward pass, itself checked against llama.cpp in PerplexityTests) and against
// finite differences through all 30 layers.

private enum TrainingModel {
    /// nll[j] = −log p(tokens[j] | tokens[..<j]) from the inference engine, for j ≥ 1 (nll[0] = 0).
    static func inferenceNLL(_ model: LlamaModel, _ tokens: [Int32]) throws -> [Double] {
        let session = InferenceSession(model: model, contextLength: tokens.count, threads: 2)
        var nll = [Double](repeating: 0, count: tokens.count)
        try session.evaluate(tokens) { i, logits in
            guard i + 1 < tokens.count else { return }
            nll[i + 1] = Ops.logSumExp(logits.baseAddress!, n: logits.count) - Double(logits[Int(tokens[i + 1])])
        }
        return nll
    }
}

/// With B = 0 the adapter is the identity, so the graph's loss is the base model's NLL. Row 0 has a
/// prompt (mask 0), trained tokens and padding (mask 2); row 1 packs two examples, whose second one
/// must be scored as if it stood alone (positions restart, no attention across).
@Test func freshAdapterLossEqualsInferenceNLL() throws {
    let model = try #require(DefaultModel.model, "default model missing")
    // Windows of >= 64 tokens, so the inference engine multiplies with sgemm (its per-token
    // quantized-dot path is too slow in a debug build).
    let tokens = try DefaultModel.tokens(256)
    let lora = LoRAConfig(rank: 4, alpha: 8, dropout: 0, targets: [.query, .key, .value, .output])
    let adapter = LoRAAdapter(config: lora, model: model.config, seed: 7)
    let graph = try TrainingGraph(model: model, lora: lora, batch: 2, sequence: 128)

    var mask = [UInt8](repeating: 1, count: 256)
    for t in 0..<10 { mask[t] = 0 }
    for t in 120..<128 { mask[t] = 2 }
    let positions = TrainingGraph.positions(sequence: 128, segmentStarts: [0]) + TrainingGraph.positions(sequence: 128, segmentStarts: [0, 64])
    #expect(positions[191] == 63 && positions[192] == 0 && positions[255] == 63)

    let whole = try TrainingModel.inferenceNLL(model, Array(tokens[0..<128]))
    let first = try TrainingModel.inferenceNLL(model, Array(tokens[128..<192]))
    let second = try TrainingModel.inferenceNLL(model, Array(tokens[192..<256]))
    let expected = whole[10..<120].reduce(0, +) + first[1...].reduce(0, +) + second[1...].reduce(0, +)

    var gradients = [Float](repeating: 0, count: adapter.layout.parameterCount)
    let (lossSum, predicted) = try adapter.parameters.withUnsafeBufferPointer { p in
        try gradients.withUnsafeMutableBufferPointer { g in
            try graph.lossAndGradients(tokens: tokens, lossMask: mask, positions: positions, parameters: p, gradients: g, dropoutSeed: 1)
        }
    }
    print("graph loss \(lossSum / Double(predicted)), inference \(expected / 236)")
    #expect(predicted == 110 + 63 + 63)
    #expect(abs(lossSum - expected) / expected < 1e-2)
    // B = 0: ∂L/∂A = (scale · dYᵀ B)… = 0 exactly, while every B gets a gradient.
    for slot in adapter.layout.slots {
        #expect(gradients[slot.aOffset..<slot.bOffset].allSatisfy { $0 == 0 })
        #expect(gradients[slot.bOffset..<(slot.bOffset + slot.outFeatures * lora.rank)].contains { $0 != 0 })
    }
}

/// Central differences of the mean loss with respect to a few LoRA parameters, through all 30
/// layers in f32 (`dequantizeBase`), with every projection adapted and B nonzero so that A's
/// gradients are live. ε = 1e-2 on parameters of size ~0.05; f32 rounding through 30 layers puts
/// ~1e-3 noise on these differences, so the check asks for 5% on the largest gradients.
@Test func graphGradientsMatchFiniteDifferencesThroughTheModel() throws {
    let model = try #require(DefaultModel.model, "default model missing")
    let tokens = try DefaultModel.tokens(12)
    let lora = LoRAConfig(rank: 2, alpha: 4, dropout: 0, targets: LoRATarget.allCases)
    var adapter = LoRAAdapter(config: lora, model: model.config, seed: 3)
    var rng = SplitMix64(seed: 11)
    for slot in adapter.layout.slots {
        for i in 0..<(slot.outFeatures * lora.rank) { adapter.parameters[slot.bOffset + i] = (rng.nextFloat() * 2 - 1) * 0.05 }
    }
    let graph = try TrainingGraph(model: model, lora: lora, batch: 1, sequence: 12, dequantizeBase: true)
    let mask = [UInt8](repeating: 1, count: 12)
    let positions = TrainingGraph.positions(sequence: 12, segmentStarts: [0, 7])

    func meanLoss(_ parameters: [Float]) throws -> Double {
        let r = try parameters.withUnsafeBufferPointer { try graph.loss(tokens: tokens, lossMask: mask, positions: positions, parameters: $0) }
        return r.lossSum / Double(r.predictedTokens)
    }
    var gradients = [Float](repeating: 0, count: adapter.layout.parameterCount)
    let trained = try adapter.parameters.withUnsafeBufferPointer { p in
        try gradients.withUnsafeMutableBufferPointer { g in
            try graph.lossAndGradients(tokens: tokens, lossMask: mask, positions: positions, parameters: p, gradients: g, dropoutSeed: 0)
        }
    }
    // Without dropout the evaluation pass is the same forward: the same loss. (Bit for bit at a fixed
    // OpenBLAS thread count; tests running inference concurrently switch OpenBLAS to one thread for
    // a while, which changes sgemm's summation split, hence the 1e-6.)
    #expect(trained.predictedTokens == 10)  // 11 next tokens, less the first token of the second example
    let evaluated = try meanLoss(adapter.parameters)
    #expect(abs(evaluated - trained.lossSum / 10) <= 1e-6 * evaluated)
    // The largest-gradient element of A and of B in three projections spread over the depth (the
    // layer-gradient tests above cover each projection kind; this checks the wiring between layers).
    var checked: [Int] = []
    for (layer, target) in [(0, LoRATarget.query), (14, .down), (29, .value)] {
        let slot = try #require(adapter.layout.slot(layer: layer, target: target))
        for range in [slot.aOffset..<slot.bOffset, slot.bOffset..<(slot.bOffset + slot.outFeatures * lora.rank)] {
            checked.append(range.max { abs(gradients[$0]) < abs(gradients[$1]) }!)
        }
    }
    let epsilon: Float = 1e-2
    for index in checked {
        var plus = adapter.parameters, minus = adapter.parameters
        plus[index] += epsilon
        minus[index] -= epsilon
        let numeric = (try meanLoss(plus) - meanLoss(minus)) / Double(2 * epsilon)
        let analytic = Double(gradients[index])
        #expect(abs(numeric - analytic) <= 0.05 * abs(numeric) + 1e-4, "parameter \(index): numeric \(numeric), analytic \(analytic)")
    }
}
