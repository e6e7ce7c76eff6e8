import Foundation
import Testing

@testable import Engine

/// `tunebench quantize`'s converter: a small GGUF of F32 weights converted to each target must hold
/// exactly the blocks gguf-py made from the same floats (the quant fixtures), norms must stay F32,
/// and requantizing must be refused unless asked for.
@Suite struct ModelQuantizerTests {
    /// A two-tensor model: a 2-D weight from a fixture's float input, and a 1-D norm.
    private func model(weights: [Float], rowLength: Int) throws -> GGUFFile {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.tensors.append(.init(name: "blk.0.attn_q.weight", type: .f32, dimensions: [rowLength, weights.count / rowLength],
                               data: weights.withUnsafeBytes { Array($0) }))
        let norm = [Float](repeating: 1.5, count: rowLength)
        w.tensors.append(.init(name: "blk.0.attn_norm.weight", type: .f32, dimensions: [rowLength], data: norm.withUnsafeBytes { Array($0) }))
        let bytes = try w.serialized()
        return try GGUFFile(mapped: MappedFile(copying: bytes))
    }

    @Test(arguments: QuantCase.all.filter { [.q8_0, .q4_0, .q4_1, .f16, .bf16].contains($0.type) && $0.input != nil && $0.name == $0.type.name.uppercased() })
    func convertedBlocksEqualGGUFPys(_ c: QuantCase) throws {
        let input = try #require(c.input)
        let file = try model(weights: input, rowLength: 32)
        let writer = try ModelQuantizer.convert(file, to: c.type)
        let out = try GGUFFile(mapped: MappedFile(copying: try writer.serialized()))
        let weight = try #require(out.tensor("blk.0.attn_q.weight"))
        #expect(weight.type == c.type)
        #expect(Array(out.data(of: weight)) == c.blocks)
        #expect(out.tensor("blk.0.attn_norm.weight")?.type == .f32)
        #expect(out["general.file_type"] == .uint32(ModelQuantizer.fileType(c.type)!))
    }

    @Test func requantizingIsRefusedUnlessAllowed() throws {
        let input = testActivations(64, seed: 1)
        let f32 = try model(weights: input, rowLength: 32)
        let q4 = try GGUFFile(mapped: MappedFile(copying: try ModelQuantizer.convert(f32, to: .q4_1).serialized()))
        #expect(throws: ModelQuantizer.Failure.requantize(tensor: "blk.0.attn_q.weight", from: .q4_1)) {
            try ModelQuantizer.convert(q4, to: .q8_0)
        }
        let q8 = try GGUFFile(mapped: MappedFile(copying: try ModelQuantizer.convert(q4, to: .q8_0, allowRequantize: true).serialized()))
        // The round trip stays close to the original floats: Q4_1's error dominates.
        let back = [Float](unsafeUninitializedCapacity: 64) { buffer, n in
            dequantize(.q8_0, q8.data(of: q8.tensor("blk.0.attn_q.weight")!).baseAddress!, into: buffer.baseAddress!, count: 64)
            n = 64
        }
        let maxError = zip(back, input).map { abs($0 - $1) }.max()!
        #expect(maxError < 0.1, "max error \(maxError)")
        #expect(throws: ModelQuantizer.Failure.unsupportedTarget(.q4_K)) { try ModelQuantizer.convert(f32, to: .q4_K) }
    }
}
