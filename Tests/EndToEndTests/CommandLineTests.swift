import Engine
import Foundation
import Testing

/// Drives the real `tunebench` binary, built beside the test bundle.
enum Binary {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url
    }()
    static let golden = packageRoot.appendingPathComponent("Tests/Fixtures/golden")

    static var tunebench: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tunebench")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return packageRoot.appendingPathComponent(".build/release/tunebench")
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = tunebench
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Standard error is drained on another thread, so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var stderrData = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            stderrData = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

@Suite(.serialized) struct CommandLineTests {
    /// `generate --temperature 0` prints exactly llama.cpp's greedy text for the first 10 tokens of
    /// every golden prompt (the engine agrees with llama.cpp for at least that long on each).
    @Test func generatePrintsTheGreedyContinuation() throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Binary.golden.appendingPathComponent("generation.json"))) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let tokenizerJSON = Binary.golden.appendingPathComponent("smollm2-tokenizer.json").path
        for c in cases.prefix(3) {
            let prompt = try #require(c["prompt"] as? String)
            let greedy = try #require(c["greedy_ids"] as? [Int]).prefix(10)
            // Compare ids: re-tokenize prompt + output with the golden HF tokenizer.json.
            let result = try Binary.run(["generate", "-p", prompt, "-n", "10", "--temperature", "0", "--threads", "2"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasSuffix("\n"))
            let text = String(result.stdout.dropLast())
            let ids = try Binary.run(["tokenize", "--json", "-m", tokenizerJSON, prompt + text])
            let all = try #require(try JSONSerialization.jsonObject(with: Data(ids.stdout.utf8)) as? [Int])
            let promptIDs = try #require(c["prompt_ids"] as? [Int])
            #expect(Array(all.prefix(promptIDs.count)) == promptIDs)
            #expect(Array(all.dropFirst(promptIDs.count)) == Array(greedy), "\(prompt)")
        }
    }

    @Test func statsGoToStandardError() throws {
        let result = try Binary.run(["generate", "-p", "Hello", "-n", "3", "--temperature", "0", "--stats"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("decode:") && result.stderr.contains("tokens/s"))
        #expect(!result.stdout.contains("tokens/s"))
    }

    /// Issue 13: with NaN logits `generate` printed `77777777` and exited 0. A model whose final
    /// norm is NaN now stops with one line and a nonzero status, printing no text.
    @Test func nonFiniteLogitsAreAnErrorNotText() throws {
        var writer = GGUFWriter(copying: try GGUFFile(path: TrainingKillTests.model.path))
        let i = try #require(writer.tensors.firstIndex { $0.name == "output_norm.weight" })
        writer.tensors[i].data = Array(repeating: [0x00, 0x00, 0xC0, 0x7F], count: writer.tensors[i].data.count / 4).flatMap { $0 }  // f32 NaN
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nan-\(getpid()).gguf").path
        try writer.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Binary.run(["generate", "-m", path, "-p", "Hello", "-n", "4", "--temperature", "0"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.contains("NaN or infinite scores") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func truncatedModelGivesOneLineError() throws {
        let model = TrainingKillTests.model
        let bytes = try Data(contentsOf: model, options: .alwaysMapped).prefix(3_000_000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(getpid()).gguf")
        try bytes.write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        for arguments in [["inspect", path.path], ["generate", "-m", path.path, "-p", "hi"]] {
            let result = try Binary.run(arguments)
            #expect(result.status == 1)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("truncated"))
        }
        let missing = try Binary.run(["generate", "-m", "/nonexistent/model.gguf", "-p", "hi"])
        #expect(missing.status == 1 && missing.stderr.contains("no model at"))
    }

    @Test func perplexityCommandPrintsTheReferenceValue() throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Binary.golden.appendingPathComponent("perplexity.json"))) as? [String: Any])
        let expected = try #require(root["perplexity"] as? Double)
        let result = try Binary.run(["perplexity", "--file", Binary.golden.appendingPathComponent("perplexity-text.txt").path,
                                     "--ctx", "1024", "--max-tokens", "1024"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("perplexity:") })
        let value = try #require(Double(line.split(separator: " ").last.map(String.init) ?? ""))
        #expect(abs(value - expected) / expected < 0.01)
    }

    /// A --per-token file that cannot be written fails at once, with no results printed as if it had worked.
    @Test func perplexityRefusesAnUnwritablePerTokenFileBeforeScoring() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-folder-\(UUID().uuidString)/nll.json")
        let result = try Binary.run(["perplexity", "--file", Binary.golden.appendingPathComponent("perplexity-text.txt").path,
                                     "--max-tokens", "64", "--per-token", missing.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot write"), "\(result.stderr)")
        #expect(!result.stdout.contains("perplexity:"))
    }
}
