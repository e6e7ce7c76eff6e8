import Foundation
import Testing

@testable import Engine

/// A tiny LLaMA-shaped GGUF (the shape of bench/peft_reference.py's model: width 64, FFN 128,
/// 2 layers, 4 heads, 2 KV heads) with random weights in several storage types.
enum TinyModel {
    static let types: [String: GGMLType] = [
        "attn_q": .q8_0, "attn_k": .f16, "attn_v": .q4_0, "attn_output": .f32,
        "ffn_gate": .f32, "ffn_up": .f32, "ffn_down": .q4_1,
    ]

    static func gguf() throws -> GGUFFile {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.set("llama.block_count", .uint32(2))
        w.set("llama.embedding_length", .uint32(64))
        w.set("llama.feed_forward_length", .uint32(128))
        w.set("llama.attention.head_count", .uint32(4))
        w.set("llama.attention.head_count_kv", .uint32(2))
        w.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        w.set("llama.vocab_size", .uint32(32))
        var rng = SplitMix64(seed: 99)
        func tensor(_ name: String, _ dims: [Int], _ type: GGMLType) throws {
            let values = (0..<dims.reduce(1, *)).map { _ in rng.nextFloat() - 0.5 }
            var bytes = [UInt8](repeating: 0, count: try type.rowBytes(values.count))
            try values.withUnsafeBufferPointer { v in
                try bytes.withUnsafeMutableBytes { try quantize(type, v.baseAddress!, into: $0.baseAddress!, count: v.count) }
            }
            w.tensors.append(.init(name: name, type: type, dimensions: dims, data: bytes))
        }
        try tensor("token_embd.weight", [64, 32], .f32)
        for l in 0..<2 {
            try tensor("blk.\(l).attn_q.weight", [64, 64], types["attn_q"]!)
            try tensor("blk.\(l).attn_k.weight", [64, 32], types["attn_k"]!)
            try tensor("blk.\(l).attn_v.weight", [64, 32], types["attn_v"]!)
            try tensor("blk.\(l).attn_output.weight", [64, 64], types["attn_output"]!)
            try tensor("blk.\(l).ffn_gate.weight", [64, 128], types["ffn_gate"]!)
            try tensor("blk.\(l).ffn_up.weight", [64, 128], types["ffn_up"]!)
            try tensor("blk.\(l).ffn_down.weight", [128, 64], types["ffn_down"]!)
        }
        return try GGUFFile(mapped: MappedFile(copying: try w.serialized(), name: "tiny.gguf"))
    }

    static func floats(_ file: GGUFFile, _ name: String) throws -> [Float] {
        let t = try #require(file.tensor(name))
        var out = [Float](repeating: 0, count: t.elementCount)
        out.withUnsafeMutableBufferPointer { dequantize(t.type, file.data(of: t).baseAddress!, into: $0.baseAddress!, count: t.elementCount) }
        return out
    }
}

func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    let scale = max(b.map(abs).max() ?? 0, 1e-12)
    return zip(a, b).map { abs($0 - $1) }.max()! / scale
}

@Suite struct LoRAFormatTests {
    static let loraFixtures = TestPaths.fixtures.appendingPathComponent("lora")
    static let peftDirectory = loraFixtures.appendingPathComponent("peft-tiny").path

    /// PEFT's own `get_delta_weight` for each projection, in GGUF row order.
    static func peftDelta(_ slot: LoRALayout.Slot) throws -> [Float] {
        let file = try SafetensorsFile(path: loraFixtures.appendingPathComponent("peft-tiny-deltas.safetensors").path)
        return try file.floats("blk.\(slot.layer).\(slot.target.ggufStem).delta")
    }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tb-lora-\(UUID().uuidString)-\(name)").path
    }

    @Test func importsARealPEFTAdapterWithPEFTsDeltas() throws {
        let model = try LlamaConfig(gguf: TinyModel.gguf())
        let adapter = try PEFTAdapter.load(from: Self.peftDirectory, model: model)
        #expect(adapter.config.rank == 4 && adapter.config.alpha == 8 && adapter.config.useRSLoRA)
        #expect(adapter.config.targets == [.query, .key, .value, .down])
        #expect(adapter.layout.slots.count == 8)
        for slot in adapter.layout.slots {
            let err = maxRelativeError(adapter.deltaWeight(slot), try Self.peftDelta(slot))
            #expect(err < 1e-6, "layer \(slot.layer) \(slot.target): \(err)")
        }
    }

    @Test func peftExportReproducesPEFTsTensors() throws {
        let model = try LlamaConfig(gguf: TinyModel.gguf())
        let adapter = try PEFTAdapter.load(from: Self.peftDirectory, model: model)
        let dir = temporaryPath("peft")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try PEFTAdapter.save(adapter, model: model, to: dir, baseModel: "tiny")
        let ours = try SafetensorsFile(path: dir + "/adapter_model.safetensors")
        let theirs = try SafetensorsFile(path: Self.peftDirectory + "/adapter_model.safetensors")
        #expect(Set(ours.tensors.map(\.name)) == Set(theirs.tensors.map(\.name)))
        for t in theirs.tensors {
            #expect(ours.tensor(t.name)?.shape == t.shape)
            #expect(try ours.floats(t.name) == theirs.floats(t.name), "\(t.name)")
        }
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/adapter_config.json"))) as? [String: Any])
        #expect(config["peft_type"] as? String == "LORA" && config["task_type"] as? String == "CAUSAL_LM")
        #expect(config["r"] as? Int == 4 && config["use_rslora"] as? Bool == true && config["bias"] as? String == "none")
        #expect(Set(config["target_modules"] as? [String] ?? []) == ["q_proj", "k_proj", "v_proj", "down_proj"])
        #expect(try PEFTAdapter.load(from: dir, model: model) == adapter)
    }

    @Test func ggufAdapterFoldsRSLoRAScalingAndRoundTrips() throws {
        let base = try TinyModel.gguf()
        let model = try LlamaConfig(gguf: base)
        let adapter = try PEFTAdapter.load(from: Self.peftDirectory, model: model)
        let path = temporaryPath("adapter.gguf")
        defer { unlink(path) }
        try GGUFAdapter.save(adapter, architecture: model.architecture, to: path)
        let file = try GGUFFile(path: path)
        #expect(file["general.type"]?.stringValue == "adapter" && file["adapter.type"]?.stringValue == "lora")
        #expect(file["general.architecture"]?.stringValue == "llama")
        // llama.cpp scales by alpha / r: alpha must be 8 · √4 = 16 for rsLoRA's 8 / √4 = 4.
        #expect(file["adapter.lora.alpha"] == .float32(16))
        let a = try #require(file.tensor("blk.1.attn_k.weight.lora_a")), b = try #require(file.tensor("blk.1.attn_k.weight.lora_b"))
        #expect(a.dimensions == [64, 4] && b.dimensions == [4, 32])  // llama.cpp: a.ne = [in, r], b.ne = [r, out]
        let back = try GGUFAdapter.load(file, model: model)
        #expect(back.config.useRSLoRA == false && back.config.alpha == 16)
        for slot in back.layout.slots {
            #expect(maxRelativeError(back.deltaWeight(slot), try Self.peftDelta(slot)) < 1e-6)
        }
    }

    @Test func rsLoRAConversionKeepsTheScale() {
        let c = LoRAConfig(rank: 8, alpha: 16, useRSLoRA: true)
        let plain = c.withRSLoRA(false)
        #expect(abs(plain.scale - c.scale) <= 1e-6 * c.scale)
        #expect(abs(plain.withRSLoRA(true).scale - c.scale) <= 1e-6 * c.scale)
    }

    @Test func mergeAddsTheDeltaAndKeepsOtherTensors() throws {
        let base = try TinyModel.gguf()
        let model = try LlamaConfig(gguf: base)
        let adapter = try PEFTAdapter.load(from: Self.peftDirectory, model: model)
        for outputType in LoRAMerge.OutputType.allCases {
            let (writer, merged) = try LoRAMerge.merge(base: base, adapter: adapter, outputType: outputType)
            #expect(merged.count == 8)
            let out = try GGUFFile(mapped: MappedFile(copying: try writer.serialized()))
            for slot in adapter.layout.slots {
                let name = "blk.\(slot.layer).\(slot.target.ggufStem).weight"
                let expected = zip(try TinyModel.floats(base, name), try Self.peftDelta(slot)).map(+)
                let t = try #require(out.tensor(name))
                let original = TinyModel.types[slot.target.ggufStem]!
                #expect(t.type == (outputType == .f32 ? .f32 : outputType == .f16 ? .f16 : original))
                // Tolerance: rounding of the output type (Q4 blocks hold ~3 bits of a 0.5 range).
                let tolerance: Float = switch t.type {
                case .f32: 1e-6
                case .f16: 1e-3
                case .q8_0: 1e-2
                default: 0.1
                }
                let err = maxRelativeError(try TinyModel.floats(out, name), expected)
                #expect(err < tolerance, "\(name) as \(t.type.name): \(err)")
            }
            for name in ["token_embd.weight", "blk.0.attn_output.weight", "blk.1.ffn_up.weight"] {
                let a = try #require(base.tensor(name)), b = try #require(out.tensor(name))
                #expect(Array(base.data(of: a)) == Array(out.data(of: b)))
            }
            #expect(out["llama.block_count"] == base["llama.block_count"])
        }
    }

    @Test func mismatchedAdapterIsRejected() throws {
        let model = try LlamaConfig(gguf: TinyModel.gguf())
        let dir = temporaryPath("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.peftDirectory + "/adapter_config.json", toPath: dir + "/adapter_config.json")
        var w = SafetensorsWriter()
        try w.add(PEFTAdapter.tensorName(layer: 0, target: .query, matrix: "A"), shape: [4, 32], values: .init(repeating: 0, count: 128))
        try w.write(to: dir + "/adapter_model.safetensors")
        #expect(throws: LoRAError.self) { try PEFTAdapter.load(from: dir, model: model) }
    }
}

@Suite struct SafetensorsTests {
    @Test func roundTripsWithMetadata() throws {
        var w = SafetensorsWriter()
        w.metadata = ["format": "pt", "note": "a \"quoted\" value"]
        try w.add("a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        try w.add("b.weird/name", shape: [1], values: [-0.5])
        let bytes = w.serialized()
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let f = try SafetensorsFile(bytes: bytes)
        #expect(f.metadata == w.metadata)
        #expect(try f.floats("a") == [1, 2, 3, 4, 5, 6] && f.floats("b.weird/name") == [-0.5])
        #expect(f.tensor("a")?.shape == [2, 3])
    }

    @Test func malformedFilesAreRejected() throws {
        var w = SafetensorsWriter()
        try w.add("a", shape: [4], values: [1, 2, 3, 4])
        let good = w.serialized()
        #expect(throws: LoRAError.self) { try SafetensorsFile(bytes: Array(good.prefix(5))) }  // shorter than the length field
        #expect(throws: LoRAError.self) { try SafetensorsFile(bytes: Array(good.dropLast(4))) }  // data cut short
        var huge = good
        huge[6] = 0x7F  // header length past the end
        #expect(throws: LoRAError.self) { try SafetensorsFile(bytes: huge) }
        func withHeader(_ json: String) -> [UInt8] {
            let h = Array(json.utf8)
            return (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) } + h + [UInt8](repeating: 0, count: 16)
        }
        #expect(throws: LoRAError.self) { try SafetensorsFile(bytes: withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}")) }
        #expect(throws: LoRAError.self) { try SafetensorsFile(bytes: withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}")) }
        #expect(throws: LoRAError.self) { try SafetensorsFile(bytes: withHeader("{\"a\":{\"dtype\":\"I8\",\"shape\":[16],\"data_offsets\":[0,16]}}")) }
        #expect(throws: LoRAError.self) { try SafetensorsFile(bytes: withHeader("not json")) }
        // Issue 13: 4 · 1048577 · 1099510579201 = 2^62 + 4 elements, whose 4-byte size wraps to
        // exactly the 16 bytes given; reading it went out of bounds.
        #expect(throws: LoRAError.self) {
            try SafetensorsFile(bytes: withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[4,1048577,1099510579201],\"data_offsets\":[0,16]}}"))
        }
        #expect(try SafetensorsFile(bytes: withHeader("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}")).floats("a") == [0, 0])
    }
}

@Suite struct NF4Tests {
    @Test func matchesTheNumpyReference() throws {
        let json = try #require(try TestPaths.json(TestPaths.fixtures.appendingPathComponent("training/nf4-reference.json")) as? [String: Any])
        let codeBook = (json["code_book"] as! [NSNumber]).map(\.floatValue)
        #expect(codeBook == NF4.codeBook)
        let input = (json["input"] as! [NSNumber]).map(\.floatValue)
        let absmax = (json["absmax"] as! [NSNumber]).map(\.floatValue)
        let packed = (json["packed"] as! [NSNumber]).map(\.uint8Value)
        let expected = (json["dequantized"] as! [NSNumber]).map(\.floatValue)
        var bytes = [UInt8](repeating: 0, count: NF4.byteCount(input.count))
        try input.withUnsafeBufferPointer { i in try bytes.withUnsafeMutableBytes { try NF4.quantize(i.baseAddress!, into: $0.baseAddress!, count: i.count) } }
        for b in 0..<input.count / 64 {
            let block = Array(bytes[b * 36..<(b + 1) * 36])
            let scale = Float(bitPattern: block.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) })
            #expect(scale == absmax[b])
            #expect(Array(block.dropFirst(4)) == Array(packed[b * 32..<(b + 1) * 32]), "block \(b)")
        }
        var out = [Float](repeating: .nan, count: input.count)
        bytes.withUnsafeBytes { b in out.withUnsafeMutableBufferPointer { NF4.dequantize(b.baseAddress!, into: $0.baseAddress!, count: input.count) } }
        #expect(out == expected)
    }

    @Test func rejectsPartialBlocks() {
        let x = [Float](repeating: 1, count: 65)
        var bytes = [UInt8](repeating: 0, count: 72)
        #expect(throws: QuantError.self) {
            try x.withUnsafeBufferPointer { i in try bytes.withUnsafeMutableBytes { try NF4.quantize(i.baseAddress!, into: $0.baseAddress!, count: 65) } }
        }
    }
}
