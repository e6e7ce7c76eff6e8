import Foundation
import Testing
@testable import Engine

// `--base-quant`: the training graph requantizes the frozen projections at load. The block
// quantizers themselves are pinned elsewhere to independent references (NF4Tests: NumPy's
// bitsandbytes algorithm; QuantFormatTests: gguf-py), so here a requantized matrix must hold
// exactly those quantizers' bytes for the original rows, decode within each format's worst-case
// rounding of the original, and train to nearly the same loss.

@Suite struct BaseQuantizationTests {
    /// The largest error one weight can get, as a multiple of its block's absmax:
    /// NF4 rounds to the nearest code (half the widest gap, between −1 and −0.696); Q8_0 to the
    /// nearest of ±127 steps of absmax/127 (plus the f16 scale's rounding, ≤ 127 · 2⁻¹¹ steps);
    /// Q4_0 has steps of absmax/8 and clamps the top value from 8 to 7 steps (one full step).
    static func bound(_ format: BaseQuantization) -> Float {
        switch format {
        case .nf4: (0..<15).map { (NF4.codeBook[$0 + 1] - NF4.codeBook[$0]) / 2 }.max()! * 1.0001
        case .q8_0: (0.5 + 127 / 2048) / 127 * 1.001
        case .q4_0: (1 + 8 / 2048) / 8 * 1.001
        }
    }

    @Test(arguments: BaseQuantization.allCases)
    func requantizedMatrixHoldsTheFormatsBytesAndDecodesWithinItsBound(format: BaseQuantization) throws {
        let model = try #require(DefaultModel.model, "default model missing")
        let layer = model.weights.layers[3]
        for w in [layer.query, layer.down] {
            let rowBytes = format.rowBytes(w.columns)
            let storage = RawBuffer(count: w.rows * rowBytes)
            let frozen = try FrozenMatrix.requantized(w, to: format, storage: storage.pointer, threads: 2)
            #expect(frozen.rows == w.rows && frozen.columns == w.columns && frozen.f32 == nil)

            var original = [Float](repeating: 0, count: w.rows * w.columns)
            original.withUnsafeMutableBufferPointer { dequantize(w.type, w.data, into: $0.baseAddress!, count: w.rows * w.columns) }
            // The bytes: the format's own quantizer on each original row.
            var expected = [UInt8](repeating: 0, count: w.rows * rowBytes)
            try original.withUnsafeBufferPointer { src in
                try expected.withUnsafeMutableBytes { dst in
                    for r in 0..<w.rows {
                        let row = src.baseAddress! + r * w.columns, out = dst.baseAddress! + r * rowBytes
                        if format == .nf4 { try NF4.quantize(row, into: out, count: w.columns) } else {
                            try quantize(format == .q8_0 ? .q8_0 : .q4_0, row, into: out, count: w.columns)
                        }
                    }
                }
            }
            #expect(Array(UnsafeRawBufferPointer(start: storage.pointer, count: storage.count)) == expected, "\(w.name) \(format)")

            // The decoded matrix (through the graph's dequantize-on-use path) against the original.
            let scratch = FloatBuffer(count: w.rows * w.columns)
            let decoded = frozen.all(scratch: scratch.pointer, threads: 2)
            let block = format.blockSize
            var worst: Float = 0, squaredError = 0.0, squared = 0.0
            for b in 0..<(w.rows * w.columns / block) {
                let range = (b * block)..<((b + 1) * block)
                let absmax = original[range].map(abs).max()!
                for i in range {
                    let error = abs(decoded[i] - original[i])
                    if absmax > 0 { worst = max(worst, error / absmax) } else { #expect(error == 0) }
                    squaredError += Double(error * error)
                    squared += Double(original[i] * original[i])
                }
            }
            #expect(worst <= Self.bound(format), "\(w.name) \(format): worst error \(worst) × absmax")
            // Not a no-op, and in the expected range of quality (NF4 and Q4_0 ≈ 10 %, Q8_0 < 1 %).
            let relativeRMS = (squaredError / squared).squareRoot()
            print("\(w.name) \(w.type.name) → \(format.rawValue): worst \(worst) × absmax, relative RMS error \(relativeRMS)")
            #expect(relativeRMS > 0 && relativeRMS < (format == .q8_0 ? 0.01 : 0.2))
        }
    }

    @Test func rowsThatAreNotWholeBlocksAreRefused() throws {
        let bytes = [UInt8](repeating: 0, count: 8 * 34)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(name: "odd", type: .q8_0, rows: 1, columns: 96, data: raw.baseAddress!)
            let storage = RawBuffer(count: 4096)
            #expect(throws: TrainingError.self) { try FrozenMatrix.requantized(w, to: .nf4, storage: storage.pointer, threads: 1) }
            // 96 weights are three Q4_0 blocks.
            _ = try FrozenMatrix.requantized(w, to: .q4_0, storage: storage.pointer, threads: 1)
        }
    }

    /// One training step (forward and backward, 4 windows of 64 tokens, q/k/v/o adapted with B ≠ 0
    /// so every gradient is live) on each requantized base, against the same step on the model
    /// file's base, and holding the requantized base in f32 changes nothing.
    ///
    /// The default model is already 4-bit (Q4_1), so requantizing compounds two roundings: on this
    /// batch Q8_0 moves the loss by ≈ 0.1 %, Q4_0 by ≈ 2.5 % and NF4 by ≈ 4.8 % (each projection
    /// then carries ≈ 9 % relative RMS error, printed by the test above). The bounds below are those
    /// measurements with headroom; the 2 % the issue suggests holds for Q8_0 only on this base.
    static func lossBound(_ format: BaseQuantization) -> Double {
        switch format {
        case .q8_0: 0.005
        case .q4_0: 0.04
        case .nf4: 0.07
        }
    }

    @Test func aTrainingStepOnARequantizedBaseLosesLittle() throws {
        let model = try #require(DefaultModel.model, "default model missing")
        let tokens = try DefaultModel.tokens(256)
        let lora = LoRAConfig(rank: 4, alpha: 8, dropout: 0, targets: [.query, .key, .value, .output])
        var adapter = LoRAAdapter(config: lora, model: model.config, seed: 5)
        var rng = SplitMix64(seed: 9)
        for slot in adapter.layout.slots {
            for i in 0..<(slot.outFeatures * lora.rank) { adapter.parameters[slot.bOffset + i] = Float.random(in: -0.02...0.02, using: &rng) }
        }
        let mask = [UInt8](repeating: 1, count: 256)
        let positions = Array([[Int32]](repeating: TrainingGraph.positions(sequence: 64, segmentStarts: [0]), count: 4).joined())

        func step(_ format: BaseQuantization?, dequantizeBase: Bool = false) throws -> (loss: Double, gradients: [Float]) {
            let graph = try TrainingGraph(model: model, lora: lora, batch: 4, sequence: 64, threads: 2,
                                          dequantizeBase: dequantizeBase, baseQuant: format)
            #expect(graph.baseQuant == format)
            var gradients = [Float](repeating: 0, count: adapter.layout.parameterCount)
            let (sum, count) = try adapter.parameters.withUnsafeBufferPointer { p in
                try gradients.withUnsafeMutableBufferPointer { g in
                    try graph.lossAndGradients(tokens: tokens, lossMask: mask, positions: positions, parameters: p, gradients: g, dropoutSeed: 1)
                }
            }
            #expect(count == 252)
            return (sum / Double(count), gradients)
        }
        func norm(_ g: [Float]) -> Double { g.reduce(0) { $0 + Double($1 * $1) }.squareRoot() }

        let stored = try step(nil)
        for format in BaseQuantization.allCases {
            let requantized = try step(format)
            let relative = abs(requantized.loss - stored.loss) / stored.loss
            print("base \(format.rawValue): loss \(requantized.loss) vs \(stored.loss) as stored (\(relative)), gradient norm \(norm(requantized.gradients)) vs \(norm(stored.gradients))")
            #expect(requantized.loss != stored.loss, "\(format): the base was not requantized")
            #expect(relative < Self.lossBound(format), "\(format): loss \(requantized.loss) vs \(stored.loss)")
            let finite = requantized.gradients.allSatisfy { $0.isFinite }
            #expect(finite)
            #expect(abs(norm(requantized.gradients) / norm(stored.gradients) - 1) < 0.1, "\(format)")
            // Near-lossless Q8_0 also keeps the gradient's direction.
            let cosine = zip(requantized.gradients, stored.gradients).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                / (norm(requantized.gradients) * norm(stored.gradients))
            print("base \(format.rawValue): gradient cosine \(cosine) with the stored base's")
            if format == .q8_0 { #expect(cosine > 0.95) }
        }
        // --dequantize-base holds the same requantized weights in f32: the same numbers come out.
        let nf4 = try step(.nf4), nf4f32 = try step(.nf4, dequantizeBase: true)
        #expect(abs(nf4f32.loss - nf4.loss) <= 1e-9 * nf4.loss)
    }
}
