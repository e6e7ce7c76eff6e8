import Foundation

/// A loaded LLaMA-family model: the mapped GGUF file, its hyperparameters and weight views.
/// Immutable and shareable between threads; per-conversation state lives in `InferenceSession`.
public final class LlamaModel: @unchecked Sendable {
    public let path: String
    public let gguf: GGUFFile
    public let config: LlamaConfig
    public let weights: LlamaWeights
    public let rope: RoPE

    public init(path: String) throws {
        self.path = path
        gguf = try GGUFFile(path: path)
        config = try LlamaConfig(gguf: gguf)
        weights = try LlamaWeights(gguf: gguf, config: config)
        rope = RoPE(headDimension: config.headDimension, ropeDimension: config.ropeDimension, base: config.ropeBase)
    }

    /// y = W x for one vector, rows split over `threads`. Block formats with an integer kernel
    /// take x quantized to 8 bits (into `scratch`), as llama.cpp does; the rest use f32 dots.
    @inline(__always)
    func matvec(_ w: WeightMatrix, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, threads: Int,
                scratch: inout QuantizedActivations) {
        let parts = w.rows * w.columns >= 1 << 18 ? threads : 1
        guard QuantizedDot.supports(w.type) else {
            Parallel.forRanges(count: w.rows, parts: parts) { range in
                Engine.matvec(w.type, weights: w.row(range.lowerBound), rows: range.count, cols: w.columns, x: x, y: y + range.lowerBound)
            }
            return
        }
        scratch.quantize(x, count: w.columns)
        let blocks = w.columns / 32
        scratch.values.withUnsafeBufferPointer { q in
            scratch.scales.withUnsafeBufferPointer { scales in
                scratch.sums.withUnsafeBufferPointer { sums in
                    let q = q.baseAddress!, scales = scales.baseAddress!, sums = sums.baseAddress!
                    Parallel.forRanges(count: w.rows, parts: parts) { range in
                        for r in range {
                            y[r] = QuantizedDot.dot(w.type, row: w.row(r), q, scales: scales, sums: sums, blocks: blocks)
                        }
                    }
                }
            }
        }
    }

    /// Dequantizes rows `range` of `w` into `dst` (row-major, `w.columns` wide).
    @inline(__always)
    func dequantizeRows(_ w: WeightMatrix, _ range: Range<Int>, into dst: UnsafeMutablePointer<Float>, threads: Int) {
        Parallel.forRanges(count: range.count, parts: threads) { part in
            dequantize(w.type, w.row(range.lowerBound + part.lowerBound), into: dst + part.lowerBound * w.columns, count: part.count * w.columns)
        }
    }
}

/// One sequence being evaluated: the KV cache and every scratch buffer, allocated once.
/// Not thread-safe: use one session per conversation.
public final class InferenceSession {
    public let model: LlamaModel
    public let contextLength: Int
    public let threads: Int
    /// The tokens whose keys and values are in the cache.
    public private(set) var tokens: [Int32] = []
    public var position: Int { tokens.count }

    /// Largest number of tokens pushed through the layers at once.
    static let maximumBatch = 128
    /// Below this many tokens a matrix is applied row by row on its quantized blocks with 8-bit
    /// activations (llama.cpp's arithmetic); from it on, it is dequantized once and multiplied with
    /// sgemm in f32, which is faster for long prompts.
    static let sgemmThreshold = 64
    static let vocabularyChunk = 4096

    private let keyCache: FloatBuffer  // [layer][position][kvDim]
    private let valueCache: FloatBuffer
    private let x, normed, query, key, value, attention, projection, gate, up: FloatBuffer
    private let scores: FloatBuffer  // [batch × context]
    private let weightScratch: FloatBuffer
    private let ropeCos, ropeSin: FloatBuffer
    public let logits: FloatBuffer  // [vocabulary]
    private var quantizedInput: QuantizedActivations
    private lazy var logitsBlock = FloatBuffer(count: Self.maximumBatch * model.config.vocabularySize)
    private lazy var vocabularyScratch = FloatBuffer(count: Self.vocabularyChunk * model.config.embeddingLength)

    public init(model: LlamaModel, contextLength: Int? = nil, threads: Int = 2) {
        let c = model.config
        self.model = model
        self.contextLength = max(1, min(contextLength ?? min(c.contextLength, 2048), c.contextLength))
        self.threads = max(1, threads)
        BLAS.setThreads(self.threads)
        let b = Self.maximumBatch
        keyCache = FloatBuffer(count: c.layerCount * self.contextLength * c.kvDimension)
        valueCache = FloatBuffer(count: c.layerCount * self.contextLength * c.kvDimension)
        x = FloatBuffer(count: b * c.embeddingLength)
        normed = FloatBuffer(count: b * c.embeddingLength)
        query = FloatBuffer(count: b * c.queryDimension)
        key = FloatBuffer(count: b * c.kvDimension)
        value = FloatBuffer(count: b * c.kvDimension)
        attention = FloatBuffer(count: b * c.queryDimension)
        projection = FloatBuffer(count: b * c.embeddingLength)
        gate = FloatBuffer(count: b * c.feedForwardLength)
        up = FloatBuffer(count: b * c.feedForwardLength)
        scores = FloatBuffer(count: b * self.contextLength)
        let largest = model.weights.layers.first.map { l in
            [l.query, l.key, l.value, l.output, l.gate, l.up, l.down].map { $0.rows * $0.columns }.max() ?? 0
        } ?? 0
        weightScratch = FloatBuffer(count: largest)
        ropeCos = FloatBuffer(count: b * c.ropeDimension / 2)
        ropeSin = FloatBuffer(count: b * c.ropeDimension / 2)
        logits = FloatBuffer(count: c.vocabularySize)
        quantizedInput = QuantizedActivations(capacity: max(c.embeddingLength, c.feedForwardLength, c.queryDimension))
    }

    /// Forgets everything in the cache.
    public func reset() { tokens.removeAll(keepingCapacity: true) }

    /// Keeps the first `count` cached tokens (a shared prefix), dropping the rest.
    public func truncate(to count: Int) {
        if count < tokens.count { tokens.removeLast(tokens.count - count) }
    }

    /// Appends `newTokens` to the sequence and returns the logits after the last one.
    @discardableResult
    public func evaluate(_ newTokens: [Int32]) throws -> UnsafeBufferPointer<Float> {
        try run(newTokens, wantAll: false) { _, _ in }
        return UnsafeBufferPointer(logits.buffer)
    }

    /// Appends `newTokens`, calling `body(i, logits)` with the logits after each token i in order.
    public func evaluate(_ newTokens: [Int32], everyLogits body: (Int, UnsafeBufferPointer<Float>) -> Void) throws {
        try run(newTokens, wantAll: true, body)
    }

    private func run(_ newTokens: [Int32], wantAll: Bool, _ everyLogits: (Int, UnsafeBufferPointer<Float>) -> Void) throws {
        guard !newTokens.isEmpty else { return }
        guard tokens.count + newTokens.count <= contextLength else { throw ModelError.contextFull(limit: contextLength) }
        let vocabulary = model.config.vocabularySize
        for t in newTokens where t < 0 || Int(t) >= vocabulary { throw ModelError.tokenOutOfRange(t, vocabulary: vocabulary) }
        var done = 0
        while done < newTokens.count {
            let n = min(Self.maximumBatch, newTokens.count - done)
            let chunk = Array(newTokens[done..<(done + n)])
            forwardLayers(chunk)
            if wantAll {
                allLogits(rows: n) { i, row in everyLogits(done + i, row) }
            } else if done + n == newTokens.count {
                lastLogits(row: n - 1)
            }
            done += n
        }
    }

    // MARK: The transformer

    /// Runs `batch` (at positions position..<position+n) through every layer, leaving the final
    /// residual stream in `x` [n × d] and the keys/values in the cache.
    private func forwardLayers(_ batch: [Int32]) {
        let c = model.config, w = model.weights
        let n = batch.count, d = c.embeddingLength, start = position
        for (i, token) in batch.enumerated() {
            dequantize(w.tokenEmbedding.type, w.tokenEmbedding.row(Int(token)), into: x.pointer + i * d, count: d)
        }
        model.rope.tables(start: start, count: n, cos: ropeCos.pointer, sin: ropeSin.pointer)
        let half = c.ropeDimension / 2
        for (l, layer) in w.layers.enumerated() {
            for i in 0..<n {
                Ops.rmsNorm(x.pointer + i * d, weight: layer.attentionNorm.baseAddress!, eps: c.rmsEpsilon, out: normed.pointer + i * d, n: d)
            }
            linear(layer.query, normed.pointer, n, query.pointer)
            linear(layer.key, normed.pointer, n, key.pointer)
            linear(layer.value, normed.pointer, n, value.pointer)
            let layerKeys = keyCache.pointer + l * contextLength * c.kvDimension
            let layerValues = valueCache.pointer + l * contextLength * c.kvDimension
            for i in 0..<n {
                model.rope.apply(query.pointer + i * c.queryDimension, heads: c.headCount, cos: ropeCos.pointer + i * half, sin: ropeSin.pointer + i * half)
                model.rope.apply(key.pointer + i * c.kvDimension, heads: c.kvHeadCount, cos: ropeCos.pointer + i * half, sin: ropeSin.pointer + i * half)
            }
            // The cache holds f16-rounded values, as llama.cpp's default f16 KV cache does; queries
            // meet f16 keys rounded to f16 as well (ggml converts them before the f16 dot).
            Ops.roundToHalf(key.pointer, into: layerKeys + start * c.kvDimension, n: n * c.kvDimension)
            Ops.roundToHalf(value.pointer, into: layerValues + start * c.kvDimension, n: n * c.kvDimension)
            Ops.roundToHalf(query.pointer, into: query.pointer, n: n * c.queryDimension)
            attend(n: n, start: start, keys: layerKeys, values: layerValues)
            linear(layer.output, attention.pointer, n, projection.pointer)
            Ops.add(x.pointer, projection.pointer, n: n * d)

            for i in 0..<n {
                Ops.rmsNorm(x.pointer + i * d, weight: layer.feedForwardNorm.baseAddress!, eps: c.rmsEpsilon, out: normed.pointer + i * d, n: d)
            }
            linear(layer.gate, normed.pointer, n, gate.pointer)
            linear(layer.up, normed.pointer, n, up.pointer)
            Ops.siluMultiply(gate.pointer, up.pointer, n: n * c.feedForwardLength)
            linear(layer.down, gate.pointer, n, projection.pointer)
            Ops.add(x.pointer, projection.pointer, n: n * d)
        }
        tokens.append(contentsOf: batch)
    }

    /// Causal grouped-query attention of the n new queries over every cached position.
    /// query [n × heads·hd], cache [T × kvHeads·hd] → attention [n × heads·hd].
    nonisolated(unsafe) static var flashStyle = false
    private func attend(n: Int, start: Int, keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>) {
        let c = model.config
        let hd = c.headDimension, group = c.headCount / c.kvHeadCount
        let total = start + n
        let scale = 1 / Float(hd).squareRoot()
        for h in 0..<c.headCount {
            let g = h / group
            let q = query.pointer + h * hd, k = keys + g * hd, v = values + g * hd
            let out = attention.pointer + h * hd
            if n == 1 {
                BLAS.gemv(rows: total, cols: hd, a: k, lda: c.kvDimension, x: q, y: scores.pointer, alpha: scale)
                Ops.softmax(scores.pointer, n: total)
                Ops.roundToHalf(scores.pointer, into: scores.pointer, n: total)
                BLAS.gemvTransposed(rows: total, cols: hd, a: v, lda: c.kvDimension, x: scores.pointer, y: out)
            } else {
                // scores[n × total] = Q_h · K_gᵀ, then mask the future and softmax each row.
                BLAS.matmulTransposedB(m: n, n: total, k: hd, a: q, lda: c.queryDimension, b: k, ldb: c.kvDimension,
                                       c: scores.pointer, ldc: total, alpha: scale)
                for i in 0..<n {
                    let row = scores.pointer + i * total
                    let visible = start + i + 1
                    Ops.softmax(row, n: visible)
                    Ops.roundToHalf(row, into: row, n: visible)
                    for j in visible..<total { row[j] = 0 }
                }
                BLAS.matmul(m: n, n: hd, k: total, a: scores.pointer, lda: total, b: v, ldb: c.kvDimension, c: out, ldc: c.queryDimension)
            }
        }
    }

    /// output[n × rows] = input[n × cols] · Wᵀ.
    private func linear(_ w: WeightMatrix, _ input: UnsafePointer<Float>, _ n: Int, _ output: UnsafeMutablePointer<Float>) {
        if n < Self.sgemmThreshold {
            for i in 0..<n { model.matvec(w, input + i * w.columns, output + i * w.rows, threads: threads, scratch: &quantizedInput) }
        } else {
            model.dequantizeRows(w, 0..<w.rows, into: weightScratch.pointer, threads: threads)
            BLAS.matmulTransposedB(m: n, n: w.rows, k: w.columns, a: input, lda: w.columns, b: weightScratch.pointer, ldb: w.columns,
                                   c: output, ldc: w.rows)
        }
    }

    private func lastLogits(row: Int) {
        let c = model.config, d = c.embeddingLength
        Ops.rmsNorm(x.pointer + row * d, weight: model.weights.outputNorm.baseAddress!, eps: c.rmsEpsilon, out: normed.pointer, n: d)
        model.matvec(model.weights.outputHead, normed.pointer, logits.pointer, threads: threads, scratch: &quantizedInput)
    }

    private func allLogits(rows n: Int, _ body: (Int, UnsafeBufferPointer<Float>) -> Void) {
        let c = model.config, d = c.embeddingLength, vocabulary = c.vocabularySize
        for i in 0..<n {
            Ops.rmsNorm(x.pointer + i * d, weight: model.weights.outputNorm.baseAddress!, eps: c.rmsEpsilon, out: normed.pointer + i * d, n: d)
        }
        let head = model.weights.outputHead
        var first = 0
        while first < vocabulary {
            let count = min(Self.vocabularyChunk, vocabulary - first)
            model.dequantizeRows(head, first..<(first + count), into: vocabularyScratch.pointer, threads: threads)
            BLAS.matmulTransposedB(m: n, n: count, k: d, a: normed.pointer, lda: d, b: vocabularyScratch.pointer, ldb: d,
                                   c: logitsBlock.pointer + first, ldc: vocabulary)
            first += count
        }
        for i in 0..<n { body(i, UnsafeBufferPointer(start: logitsBlock.pointer + i * vocabulary, count: vocabulary)) }
    }
}
