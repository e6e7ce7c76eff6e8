import Foundation
import Testing
@testable import Engine

/// The forward pass against llama.cpp's outputs on the same Q4_1 file (Tests/Fixtures/golden/generation.json).
///
/// Tolerance: both engines quantize activations to 8 bits inside the Q4_1/Q8_0 dot products and keep
/// an f16 KV cache, but rounding ties and summation order differ, and 30 layers amplify each flipped
/// rounding. An exact float64 NumPy forward pass (gguf-py dequantization) differs from llama.cpp's
/// top-20 logits by 0.23–0.51 on these prompts; ours differ by 0.20–0.45. A real bug (a wrong RoPE
/// pair order, a missing norm) moves logits by several units and reorders the top tokens. We allow
/// 0.5 absolute.
///
/// The golden file is itself one build's rounding: llama.cpp 0.3.36 on this machine
/// (bench/llama_cpp_golden_check.py) reproduces its top-20 exactly only for the 5- and 6-token
/// prompts (by up to 0.59 off elsewhere) and departs from its greedy continuations in 4 of 6
/// prompts, after 16, 24, 36 and 27 tokens. We depart in the same 4, after 16, 24, 33 and 27.
@Suite(.serialized) struct ModelGoldenTests {
    static let logitTolerance: Float = 0.5

    struct Case {
        var prompt: String
        var promptIDs: [Int32]
        var top20: [(Int32, Float)]
        var greedy: [Int32]
    }

    static func cases() throws -> [Case] {
        let root = try #require(try TestPaths.json(TestPaths.golden.appendingPathComponent("generation.json")) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        return cases.map { c in
            Case(prompt: c["prompt"] as? String ?? "",
                 promptIDs: (c["prompt_ids"] as? [Int] ?? []).map(Int32.init),
                 top20: (c["top20"] as? [[Any]] ?? []).map { (Int32($0[0] as! Int), Float($0[1] as! Double)) },
                 greedy: (c["greedy_ids"] as? [Int] ?? []).map(Int32.init))
        }
    }

    static let model: LlamaModel? = try? LlamaModel(path: TestPaths.model.path)

    @Test func configIsReadFromMetadata() throws {
        let model = try #require(Self.model, "default model missing: run scripts/fetch-model.sh")
        let c = model.config
        #expect(c.layerCount == 30 && c.embeddingLength == 576 && c.feedForwardLength == 1536)
        #expect(c.headCount == 9 && c.kvHeadCount == 3 && c.headDimension == 64)
        #expect(c.vocabularySize == 49152 && model.weights.isOutputTied)
    }

    @Test func topLogitsMatchLlamaCpp() throws {
        let model = try #require(Self.model)
        var worst: Float = 0
        for c in try Self.cases() {
            let session = InferenceSession(model: model, contextLength: 256)
            let logits = try session.evaluate(c.promptIDs)
            var caseWorst: Float = 0
            defer { print("top-20 largest difference \(caseWorst) for \(c.prompt.prefix(30).debugDescription)") }
            for (id, expected) in c.top20 {
                caseWorst = max(caseWorst, abs(logits[Int(id)] - expected))
                worst = max(worst, abs(logits[Int(id)] - expected))
                #expect(abs(logits[Int(id)] - expected) < Self.logitTolerance, "\(c.prompt): token \(id)")
            }
            #expect(argmax(logits) == c.top20[0].0, "first token of \(c.prompt)")
        }
        print("largest top-20 logit difference from llama.cpp: \(worst)")
    }

    /// Greedy decoding follows llama.cpp token for token until the first near-tie: where the two
    /// engines part, llama.cpp's token must be within `tieMargin` logits of ours in our own logits
    /// (both engines carry ≈0.3 logits of quantization noise, see the suite's comment). How many
    /// tokens come before that tie depends on the kernel path (AVX2 and AVX-512 VNNI sum in
    /// different orders): on "It was the best of times" the AVX-512 path meets a 0.06-logit tie
    /// after 8 tokens, the AVX2 path later; so the count is not asserted, only that every parting
    /// is a tie and that some continuations never part.
    @Test func greedyContinuationsMatchLlamaCpp() throws {
        let model = try #require(Self.model)
        let tieMargin: Float = 0.6
        var exact = 0
        let cases = try Self.cases()
        for c in cases {
            let session = InferenceSession(model: model, contextLength: 256)
            var logits = try session.evaluate(c.promptIDs)
            var generated: [Int32] = []
            var divergenceMargin: Float?
            while generated.count < c.greedy.count {
                let next = argmax(logits)
                let expected = c.greedy[generated.count]
                if next != expected {
                    divergenceMargin = logits[Int(next)] - logits[Int(expected)]
                    break
                }
                generated.append(next)
                if next == 2 { break }
                logits = try session.evaluate([next])
            }
            #expect(generated.first == c.greedy.first, "first generated token of \(c.prompt)")
            if let margin = divergenceMargin {
                print("greedy: \(generated.count) of \(c.greedy.count) tokens agree for \(c.prompt.prefix(30).debugDescription); then a near-tie: margin \(margin)")
                #expect(margin < tieMargin, "diverged from llama.cpp at token \(generated.count) of \(c.prompt) by \(margin) logits")
            } else {
                exact += 1
            }
        }
        print("greedy continuations equal to llama.cpp's token for token: \(exact) of \(cases.count)")
        #expect(exact >= 2)
    }

    /// A short prompt (below the sgemm threshold) evaluated at once runs the very kernels that
    /// decoding runs token by token, so the logits are identical. A long one goes through
    /// dequantize + sgemm in f32; any change of summation order flips some 8-bit activation
    /// roundings, and those add up over 30 layers. llama.cpp shows the same on this prompt (136
    /// tokens, measured with llama-cpp-python 0.3.36): batched vs token by token differ by at most
    /// 1.04 logits, 0.19 on average, with the same top token. Ours: 1.21 and 0.44. A real error (a
    /// wrong mask, position or cache slot) moves logits by several units on average.
    @Test func batchedAndIncrementalEvaluationAgree() throws {
        let model = try #require(Self.model)
        func compare(_ ids: [Int32]) throws -> (diff: Float, mean: Float, sameArgmax: Bool) {
            let batchedSession = InferenceSession(model: model, contextLength: 256)
            let batched = Array(try batchedSession.evaluate(ids))
            let session = InferenceSession(model: model, contextLength: 256)
            var incremental: [Float] = []
            for id in ids { incremental = Array(try session.evaluate([id])) }
            let diffs = zip(batched, incremental).map { abs($0 - $1) }
            let diff = diffs.max() ?? 0, mean = diffs.reduce(0, +) / Float(diffs.count)
            print("batched vs token by token, \(ids.count) tokens: largest logit difference \(diff), mean \(mean)")
            return (diff, mean, argmax(UnsafeBufferPointer(batchedSession.logits.buffer)) == argmax(UnsafeBufferPointer(session.logits.buffer)))
        }
        let short = try compare(try Self.cases()[0].promptIDs)
        #expect(short.diff == 0)
        let text = try String(contentsOf: TestPaths.golden.appendingPathComponent("perplexity-text.txt"), encoding: .utf8)
        let long = try Tokenizer(gguf: model.gguf).encode(String(text.prefix(600)))
        try #require(long.count >= InferenceSession.sgemmThreshold)
        let result = try compare(long)
        #expect(result.diff < 1.5, "largest logit difference \(result.diff)")
        #expect(result.mean < 1.0, "mean logit difference \(result.mean)")
        #expect(result.sameArgmax)
    }

    func argmax(_ x: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        for i in 1..<x.count where x[i] > x[best] { best = i }
        return Int32(best)
    }
}
