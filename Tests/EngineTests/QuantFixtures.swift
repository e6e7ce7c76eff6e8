import Foundation
import Testing

@testable import Engine

/// One case of Tests/EngineTests/Fixtures/quant, made by bench/quant_reference.py with gguf-py
/// (see the README there): raw blocks, gguf-py's dequantization of them and, where gguf-py made
/// the blocks by quantizing, its float input.
struct QuantCase: Sendable, CustomTestStringConvertible {
    let name: String
    let type: GGMLType
    let blocks: [UInt8]
    let expected: [Float]
    let input: [Float]?

    var testDescription: String { name }

    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Tests/EngineTests/Fixtures/quant")
    }()

    /// Every case listed in manifest.txt; a missing or malformed fixture fails the tests loudly.
    static let all: [QuantCase] = {
        let manifest = try! String(contentsOf: directory.appendingPathComponent("manifest.txt"), encoding: .utf8)
        return manifest.split(separator: "\n").map { line in
            let fields = line.split(separator: " ").map(String.init)
            precondition(fields.count == 3, "bad manifest line: \(line)")
            guard let type = GGMLType(name: fields[1]) else { preconditionFailure("unknown type \(fields[1])") }
            return QuantCase(
                name: fields[0], type: type,
                blocks: bytes(fields[0] + ".bin"),
                expected: floats(fields[0] + ".f32"),
                input: fields[2] == "1" ? floats(fields[0] + ".in.f32") : nil)
        }
    }()

    private static func bytes(_ file: String) -> [UInt8] {
        [UInt8](try! Data(contentsOf: directory.appendingPathComponent(file)))
    }

    private static func floats(_ file: String) -> [Float] {
        let raw = bytes(file)
        return stride(from: 0, to: raw.count, by: 4).map { i in
            Float(
                bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3])
                    << 24)
        }
    }
}

/// Deterministic activations in [-1, 1) (a 64-bit LCG), so dot tests need no fixture of their own.
func testActivations(_ n: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<n).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}
