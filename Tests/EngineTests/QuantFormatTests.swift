import Testing

@testable import Engine

/// Dequantize and quantize against gguf-py (fixtures from bench/quant_reference.py).
@Suite struct QuantFormatTests {
    @Test("fixture sizes agree with blockSize/typeSize", arguments: QuantCase.all)
    func rowBytesMatchesFixture(_ c: QuantCase) throws {
        #expect(c.type.isSupported)
        #expect(try c.type.rowBytes(c.expected.count) == c.blocks.count)
    }

    @Test("dequantize equals gguf-py bit for bit", arguments: QuantCase.all)
    func dequantizeMatchesGGUFPy(_ c: QuantCase) {
        var out = [Float](repeating: .nan, count: c.expected.count)
        c.blocks.withUnsafeBytes { src in
            out.withUnsafeMutableBufferPointer { dst in
                dequantize(c.type, src.baseAddress!, into: dst.baseAddress!, count: c.expected.count)
            }
        }
        let mismatches = (0..<out.count).filter { out[$0].bitPattern != c.expected[$0].bitPattern }
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) differ; first at \(mismatches.first.map { "\($0): \(out[$0]) vs \(c.expected[$0])" } ?? "")"
        )
    }

    @Test(
        "quantize equals gguf-py byte for byte",
        arguments: QuantCase.all.filter { $0.input != nil && $0.type.canQuantize })
    func quantizeMatchesGGUFPy(_ c: QuantCase) throws {
        let input = try #require(c.input)
        var out = [UInt8](repeating: 0xAA, count: c.blocks.count)
        try input.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBytes { dst in
                try quantize(c.type, src.baseAddress!, into: dst.baseAddress!, count: input.count)
            }
        }
        let mismatches = (0..<out.count).filter { out[$0] != c.blocks[$0] }
        #expect(
            mismatches.isEmpty, "\(mismatches.count) bytes differ, first at \(mismatches.first.map(String.init) ?? "")")
    }

    @Test func quantizeCoversQ8_0Q4_0Q4_1Fixtures() {
        let quantized = Set(QuantCase.all.filter { $0.input != nil && $0.type.canQuantize }.map(\.type))
        #expect(quantized.isSuperset(of: [.q8_0, .q4_0, .q4_1, .f16, .bf16]))
    }

    @Test func rowBytesRejectsPartialBlocks() throws {
        #expect(throws: QuantError.countNotMultipleOfBlock(type: .q4_0, count: 33)) { try GGMLType.q4_0.rowBytes(33) }
        #expect(throws: QuantError.self) { try GGMLType.q6_K.rowBytes(128) }
        #expect(throws: QuantError.self) { try GGMLType.f16.rowBytes(-2) }
        #expect(try GGMLType.q4_K.rowBytes(512) == 288)
        #expect(try GGMLType.f32.rowBytes(3) == 12)
    }

    @Test func quantizeRejectsUnsupportedTypeAndPartialBlocks() {
        let src = [Float](repeating: 1, count: 256)
        var dst = [UInt8](repeating: 0, count: 1024)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBytes { d in
                #expect(throws: QuantError.cannotQuantize(.q4_K)) {
                    try quantize(.q4_K, s.baseAddress!, into: d.baseAddress!, count: 256)
                }
                #expect(throws: QuantError.countNotMultipleOfBlock(type: .q8_0, count: 40)) {
                    try quantize(.q8_0, s.baseAddress!, into: d.baseAddress!, count: 40)
                }
            }
        }
        #expect(dst.allSatisfy { $0 == 0 })
    }

    @Test func typeIdsAndNamesRoundTrip() {
        #expect(GGMLType(rawValue: 2) == .q4_0)
        #expect(GGMLType(rawValue: 14) == .q6_K)
        #expect(GGMLType(rawValue: 30) == .bf16)
        #expect(GGMLType(rawValue: 4) == nil)  // retired Q4_2
        for type in GGMLType.allCases { #expect(GGMLType(name: type.name) == type) }
        #expect(!GGMLType.iq2_XXS.isSupported)
    }
}
