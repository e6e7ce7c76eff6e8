import Foundation
import Testing
@testable import Engine

@Suite struct GGUFTests {
    /// Values read from the same file with the `gguf` PyPI package's GGUFReader (an independent reader).
    @Test func readsTheDefaultModelLikeGGUFPy() throws {
        let file = try GGUFFile(path: TestPaths.model.path)
        #expect(file.version == 3)
        #expect(file.metadata.count == 33)
        #expect(file.tensors.count == 272)
        #expect(try file.string("general.architecture") == "llama")
        #expect(try file.int("llama.block_count") == 30)
        #expect(try file.int("llama.embedding_length") == 576)
        #expect(try file.int("llama.attention.head_count_kv") == 3)
        #expect(try file.double("llama.rope.freq_base") == 100000)
        #expect(try file.strings("tokenizer.ggml.tokens").count == 49152)
        #expect(try file.strings("tokenizer.ggml.merges").count == 48900)
        #expect(file["tokenizer.ggml.add_bos_token"] == .bool(false))
        let embedding = try #require(file.tensor("token_embd.weight"))
        #expect(embedding.dimensions == [576, 49152])
        #expect(embedding.type == .q8_0)
        let down = try #require(file.tensor("blk.0.ffn_down.weight"))
        #expect(down.dimensions == [1536, 576])
        #expect(down.type == .q4_1)
        #expect(file.tensors.filter { $0.type == .q4_1 }.count == 210)
        #expect(file.tensors.filter { $0.type == .f32 }.count == 61)
    }

    /// llama.cpp wrote the model with the same layout rules, so copying it must reproduce it byte for byte.
    @Test func writerReproducesTheModelFileExactly() throws {
        let file = try GGUFFile(path: TestPaths.model.path)
        let bytes = try GGUFWriter(copying: file).serialized()
        #expect(bytes.count == file.file.bytes.count)
        #expect(bytes.elementsEqual(file.file.bytes))
    }

    @Test func everyValueTypeRoundTrips() throws {
        var writer = GGUFWriter()
        let values: [(String, GGUFValue)] = [
            ("u8", .uint8(200)), ("i8", .int8(-100)), ("u16", .uint16(65000)), ("i16", .int16(-32000)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("f32", .float32(3.5)),
            ("bool", .bool(true)), ("string", .string("héllo <|im_start|>")), ("u64", .uint64(.max)),
            ("i64", .int64(.min)), ("f64", .float64(-1e300)),
            ("empty", .array(.string, [])),
            ("nested", .array(.array, [.array(.int32, [.int32(1), .int32(2)]), .array(.int32, [])])),
            ("strings", .array(.string, [.string("a"), .string("")])),
        ]
        for (k, v) in values { writer.set(k, v) }
        writer.alignment = 64
        writer.set("general.alignment", .uint32(64))
        let rowData = (0..<(2 * 34)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        writer.tensors = [
            .init(name: "a", type: .f32, dimensions: [3], data: [UInt8](repeating: 1, count: 12)),
            .init(name: "b", type: .q8_0, dimensions: [32, 2], data: rowData),
        ]
        let file = try GGUFFile(mapped: MappedFile(copying: try writer.serialized()))
        #expect(file.alignment == 64)
        for (k, v) in values { #expect(file[k] == v, "\(k)") }
        let b = try #require(file.tensor("b"))
        #expect(b.fileOffset % 64 == 0)
        #expect(Array(file.data(of: b)) == rowData)
        #expect(file.tensor("a")?.dimensions == [3])
    }

    @Test func emptyAndTinyFilesAreRejected() {
        #expect(throws: GGUFError.self) { try GGUFFile(mapped: MappedFile(copying: [])) }
        #expect(throws: GGUFError.badMagic(found: 0x464C_457F)) { try GGUFFile(mapped: MappedFile(copying: [0x7F, 0x45, 0x4C, 0x46, 2, 0, 0, 0])) }
        #expect(throws: GGUFError.self) { try GGUFFile(mapped: MappedFile(copying: [0x47, 0x47, 0x55, 0x46])) }
    }

    @Test func errorMessagesNameTheProblem() throws {
        let header = try realHeader()
        var wrongVersion = header
        wrongVersion[4] = 9
        #expect(throws: GGUFError.unsupportedVersion(9)) { try GGUFFile(mapped: MappedFile(copying: wrongVersion)) }
        // A tensor count of 2^40 cannot fit in the file.
        var absurd = header
        absurd.replaceSubrange(8..<16, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init))
        do {
            _ = try GGUFFile(mapped: MappedFile(copying: absurd))
            Issue.record("an absurd tensor count was accepted")
        } catch {
            #expect(error.description.contains("tensor count"))
        }
        // Cutting the file inside the tensor data names the tensor whose data is missing.
        let full = try GGUFFile(path: TestPaths.model.path)
        let cut = Array(full.file.bytes[0..<(full.dataOffset + 1000)])
        do {
            _ = try GGUFFile(mapped: MappedFile(copying: cut))
            Issue.record("a truncated file was accepted")
        } catch {
            #expect(error.description.contains("truncated"))
            #expect(error.description.contains("tensor"))
        }
    }

    /// A small file made by our writer with two F32 tensors, and where each one's tensor info lies.
    private func twoTensorFile() throws -> (bytes: [UInt8], infoOf: (String) -> Int) {
        var writer = GGUFWriter()
        writer.tensors = [
            GGUFWriter.Tensor(name: "first.weight", type: .f32, dimensions: [65536, 1, 1], data: [UInt8](repeating: 0, count: 65536 * 4)),
            GGUFWriter.Tensor(name: "second.weight", type: .f32, dimensions: [64], data: [UInt8](repeating: 0, count: 256)),
        ]
        let bytes = try writer.serialized()
        _ = try GGUFFile(mapped: MappedFile(copying: bytes))  // valid as written
        // A tensor info: name (u64 length + bytes), u32 dimension count, u64 dimensions, u32 type, u64 offset.
        return (bytes, { name in
            let needle = Array(name.utf8)
            let at = (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }!
            return at + needle.count
        })
    }

    /// Issue 13: an F32 [2^21, 2^21, 2^20] has 2^62 elements (addressable) but 2^64 bytes, which
    /// wrapped to a negative size; and tensors sharing their bytes were accepted.
    @Test func sizesThatWrapAndOverlappingTensorsAreRefused() throws {
        let (bytes, infoEnd) = try twoTensorFile()
        var huge = bytes
        let dims = infoEnd("first.weight") + 4
        for (i, d) in [UInt64(1 << 21), 1 << 21, 1 << 20].enumerated() {
            huge.replaceSubrange((dims + 8 * i)..<(dims + 8 * i + 8), with: withUnsafeBytes(of: d.littleEndian, Array.init))
        }
        #expect(throws: GGUFError.badTensor(name: "first.weight", reason: "has more bytes than can be addressed")) {
            try GGUFFile(mapped: MappedFile(copying: huge))
        }
        var shared = bytes
        let offset = infoEnd("second.weight") + 4 + 8 + 4
        shared.replaceSubrange(offset..<(offset + 8), with: withUnsafeBytes(of: UInt64(0).littleEndian, Array.init))
        #expect(throws: GGUFError.badTensor(name: "second.weight", reason: "overlaps the data of tensor 'first.weight'")) {
            try GGUFFile(mapped: MappedFile(copying: shared))
        }
    }

    /// Issue 13: inconsistent hyperparameters ran and printed garbage. Each is now one error when
    /// the model is loaded: NaN, infinite or negative RoPE base or norm epsilon, no RoPE
    /// dimensions, and a block_count other than the layers the file has tensors for.
    @Test(arguments: [
        ("llama.rope.freq_base", GGUFValue.float32(.nan)), ("llama.rope.freq_base", .float32(-10000)),
        ("llama.rope.freq_base", .float32(.infinity)), ("llama.attention.layer_norm_rms_epsilon", .float32(.nan)),
        ("llama.attention.layer_norm_rms_epsilon", .float32(-1e-5)), ("llama.rope.dimension_count", .uint32(0)),
        ("llama.block_count", .uint32(20)), ("llama.block_count", .uint32(1)), ("llama.block_count", .uint32(31)),
    ])
    func inconsistentHyperparametersAreRefused(key: String, value: GGUFValue) throws {
        let model = try GGUFFile(path: TestPaths.model.path)
        #expect(throws: Never.self) { _ = try LlamaConfig(gguf: model) }
        var writer = GGUFWriter(copying: model)
        writer.set(key, value)
        let mutated = try GGUFFile(mapped: MappedFile(copying: try writer.serialized()))
        #expect(throws: ModelError.self) { _ = try LlamaConfig(gguf: mutated) }
    }

    /// Found by bench/fuzz_gguf.py: a key name running over the following entries put raw bytes,
    /// newlines included, into the message. Messages are one line of printable text.
    @Test func messagesAboutFileNamesStayOneLine() {
        let message = GGUFError.badValueType(846031980, key: "general.name\u{8}\0\0\n\u{1F}Smol" + String(repeating: "x", count: 1000)).description
        #expect(!message.contains("\n") && !message.unicodeScalars.contains { $0.value < 0x20 })
        #expect(message.contains("general.name\\x08\\x00") && message.count <= 401)
    }

    /// Random mutations and truncations of the real header: every outcome is a parsed file or a GGUFError.
    @Test func mutatedHeadersNeverCrash() throws {
        let header = try realHeader()
        var rng = SplitMix64(seed: 42)
        var rejected = 0
        let iterations = 300
        for i in 0..<iterations {
            var bytes = header
            if i % 4 == 3 {
                bytes.removeLast(Int(rng.next() % UInt64(bytes.count)))
            } else {
                for _ in 0..<(1 + Int(rng.next() % 8)) {
                    // Bias towards the counts, types and lengths at the front and around tensor infos.
                    let region = rng.next() % 3 == 0 ? 64 : bytes.count
                    let position = Int(rng.next() % UInt64(region))
                    bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do {
                _ = try GGUFFile(mapped: MappedFile(copying: bytes))
            } catch {
                rejected += 1
                #expect(!error.description.isEmpty)
            }
        }
        // The header alone has no tensor data, so nearly every variant must be refused.
        #expect(rejected > iterations / 2)
    }

    /// The metadata and tensor infos of the default model, without the tensor data (≈ 1.6 MB).
    private func realHeader() throws -> [UInt8] {
        let file = try GGUFFile(path: TestPaths.model.path)
        return Array(file.file.bytes[0..<file.dataOffset])
    }
}
