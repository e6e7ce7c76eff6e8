import CKernels
import Foundation

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
    static let maximumBatch = 512
    /// Below this many tokens a matrix is applied row by row on its quantized blocks with 8-bit
    /// activations (llama.cpp's arithmetic); from it on, it is dequantized once and multiplied with
    /// sgemm in f32, which is faster for long prompts.
    static let sgemmThreshold = 64
    /// Rows of full-vocabulary logits computed at once when every position's logits are wanted.
    static let logitRows = 128
    /// Weight rows dequantized at a time by each part of a batched product (≈ 300–800 KB of f32, so
    /// the tile stays in L2 while sgemm reads it).
    static let tileRows = 128

    /// fp16 keys and values, [layer][position][kvDim], as llama.cpp's default cache.
    private let keyCache: UnsafeMutablePointer<UInt16>
    private let valueCache: UnsafeMutablePointer<UInt16>
    /// f32 copies of one layer's cached keys/values for the batched (sgemm) attention.
    private let keysF32, valuesF32: FloatBuffer
    private let x, normed, query, key, value, attention, projection, gate, up: FloatBuffer
    private let scores: FloatBuffer  // [batch × context]
    private let weightScratch: FloatBuffer
    private let ropeCos, ropeSin: FloatBuffer
    public let logits: FloatBuffer  // [vocabulary]
    private let quantizedInput: QuantizedActivations
    private let roundTripped: FloatBuffer  // [batch × widest input], activations after 8-bit quantization
    private let pool = WorkerPool.shared
    /// Parts a matvec is split into: the session's thread count, at most the pool's size.
    private var parts: Int { min(threads, pool.workerCount + 1) }
    private lazy var logitsBlock = FloatBuffer(count: Self.logitRows * model.config.vocabularySize)

    /// A LoRA adapter applied on top of the base weights (`y += scale · B (A x)` on its target
    /// projections), or nil for the base model alone.
    public let adapter: LoRAAdapter?
    private let loraScratch: FloatBuffer  // [batch × rank]

    public init(model: LlamaModel, contextLength: Int? = nil, threads: Int = 2, adapter: LoRAAdapter? = nil) {
        let c = model.config
        self.model = model
        self.adapter = adapter
        loraScratch = FloatBuffer(count: Self.maximumBatch * (adapter?.config.rank ?? 1))
        self.contextLength = max(1, min(contextLength ?? min(c.contextLength, 2048), c.contextLength))
        self.threads = max(1, threads)
        let b = Self.maximumBatch
        let cacheCount = c.layerCount * self.contextLength * c.kvDimension
        keyCache = .allocate(capacity: cacheCount)
        valueCache = .allocate(capacity: cacheCount)
        keyCache.initialize(repeating: 0, count: cacheCount)
        valueCache.initialize(repeating: 0, count: cacheCount)
        keysF32 = FloatBuffer(count: self.contextLength * c.kvDimension)
        valuesF32 = FloatBuffer(count: self.contextLength * c.kvDimension)
        x = FloatBuffer(count: b * c.embeddingLength)
        normed = FloatBuffer(count: b * c.embeddingLength)
        query = FloatBuffer(count: b * c.queryDimension)
        key = FloatBuffer(count: b * c.kvDimension)
        value = FloatBuffer(count: b * c.kvDimension)
        attention = FloatBuffer(count: b * c.queryDimension)
        projection = FloatBuffer(count: b * c.embeddingLength)
        gate = FloatBuffer(count: b * c.feedForwardLength)
        up = FloatBuffer(count: b * c.feedForwardLength)
        scores = FloatBuffer(count: (WorkerPool.shared.workerCount + 1) * b * self.contextLength)
        let largest = model.weights.layers.first.map { l in
            [l.query, l.key, l.value, l.output, l.gate, l.up, l.down].map { $0.rows * $0.columns }.max() ?? 0
        } ?? 0
        _ = largest
        weightScratch = FloatBuffer(count: (WorkerPool.shared.workerCount + 1) * Self.tileRows * max(c.embeddingLength, c.feedForwardLength, c.queryDimension))
        ropeCos = FloatBuffer(count: b * c.ropeDimension / 2)
        ropeSin = FloatBuffer(count: b * c.ropeDimension / 2)
        logits = FloatBuffer(count: c.vocabularySize)
        roundTripped = FloatBuffer(count: b * max(c.embeddingLength, c.feedForwardLength, c.queryDimension))
        quantizedInput = QuantizedActivations(capacity: max(c.embeddingLength, c.feedForwardLength, c.queryDimension))
    }

    deinit {
        keyCache.deallocate()
        valueCache.deallocate()
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
        // Parallel work is split by the worker pool; OpenBLAS runs single-threaded inside each part
        // (its own threads would spin against the pool's on a small machine).
        try BLAS.singleThreaded { try runChunks(newTokens, wantAll: wantAll, everyLogits) }
    }

    private func runChunks(_ newTokens: [Int32], wantAll: Bool, _ everyLogits: (Int, UnsafeBufferPointer<Float>) -> Void) throws {
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
            linear(normed.pointer, n, (layer.query, query.pointer), (layer.key, key.pointer), (layer.value, value.pointer))
            addAdapter(layer: l, .query, input: normed.pointer, n, output: query.pointer)
            addAdapter(layer: l, .key, input: normed.pointer, n, output: key.pointer)
            addAdapter(layer: l, .value, input: normed.pointer, n, output: value.pointer)
            let layerKeys = keyCache + l * contextLength * c.kvDimension
            let layerValues = valueCache + l * contextLength * c.kvDimension
            for i in 0..<n {
                model.rope.apply(query.pointer + i * c.queryDimension, heads: c.headCount, cos: ropeCos.pointer + i * half, sin: ropeSin.pointer + i * half)
                model.rope.apply(key.pointer + i * c.kvDimension, heads: c.kvHeadCount, cos: ropeCos.pointer + i * half, sin: ropeSin.pointer + i * half)
            }
            // The cache holds f16-rounded values, as llama.cpp's default f16 KV cache does; queries
            // meet f16 keys rounded to f16 as well (ggml converts them before the f16 dot).
            tb_f32_to_f16(key.pointer, layerKeys + start * c.kvDimension, n * c.kvDimension)
            tb_f32_to_f16(value.pointer, layerValues + start * c.kvDimension, n * c.kvDimension)
            Ops.roundToHalf(query.pointer, into: query.pointer, n: n * c.queryDimension)
            if n < Self.sgemmThreshold {
                // Token by token with the decode kernel, so a short prompt evaluated at once gives
                // the same numbers as one fed token by token.
                for i in 0..<n { attendOne(row: i, position: start + i, keys: layerKeys, values: layerValues) }
            } else {
                attend(n: n, start: start, keys: layerKeys, values: layerValues)
            }
            linear(attention.pointer, n, (layer.output, projection.pointer))
            addAdapter(layer: l, .output, input: attention.pointer, n, output: projection.pointer)
            Ops.add(x.pointer, projection.pointer, n: n * d)

            for i in 0..<n {
                Ops.rmsNorm(x.pointer + i * d, weight: layer.feedForwardNorm.baseAddress!, eps: c.rmsEpsilon, out: normed.pointer + i * d, n: d)
            }
            linear(normed.pointer, n, (layer.gate, gate.pointer), (layer.up, up.pointer))
            addAdapter(layer: l, .gate, input: normed.pointer, n, output: gate.pointer)
            addAdapter(layer: l, .up, input: normed.pointer, n, output: up.pointer)
            Ops.siluMultiply(gate.pointer, up.pointer, n: n * c.feedForwardLength)
            linear(gate.pointer, n, (layer.down, projection.pointer))
            addAdapter(layer: l, .down, input: gate.pointer, n, output: projection.pointer)
            Ops.add(x.pointer, projection.pointer, n: n * d)
        }
        tokens.append(contentsOf: batch)
    }

    /// Causal grouped-query attention of the n new queries over every cached position.
    /// query [n × heads·hd], cache [T × kvHeads·hd] → attention [n × heads·hd].
    private func attend(n: Int, start: Int, keys cachedKeys: UnsafeMutablePointer<UInt16>, values cachedValues: UnsafeMutablePointer<UInt16>) {
        let c = model.config
        tb_f16_to_f32(cachedKeys, keysF32.pointer, (start + n) * c.kvDimension)
        tb_f16_to_f32(cachedValues, valuesF32.pointer, (start + n) * c.kvDimension)
        let keys = keysF32.pointer, values = valuesF32.pointer
        let hd = c.headDimension, group = c.headCount / c.kvHeadCount, heads = c.headCount
        let qDim = c.queryDimension, kvDim = c.kvDimension
        let total = start + n
        let scale = 1 / Float(hd).squareRoot()
        let query = query.pointer, attention = attention.pointer
        let scoresStride = Self.maximumBatch * contextLength
        let scoresBase = scores.pointer
        let parts = min(parts, heads)
        pool.run(parts: parts) { p in
            let scores = scoresBase + p * scoresStride
            for h in (heads * p / parts)..<(heads * (p + 1) / parts) {
                let g = h / group
                let q = query + h * hd, k = keys + g * hd, v = values + g * hd
                let out = attention + h * hd
                // scores[n × total] = Q_h · K_gᵀ, then mask the future and softmax each row.
                BLAS.matmulTransposedB(m: n, n: total, k: hd, a: q, lda: qDim, b: k, ldb: kvDim,
                                       c: scores, ldc: total, alpha: scale)
                for i in 0..<n {
                    let row = scores + i * total
                    let visible = start + i + 1
                    Ops.softmax(row, n: visible)
                    Ops.roundToHalf(row, into: row, n: visible)
                    for j in visible..<total { row[j] = 0 }
                }
                BLAS.matmul(m: n, n: hd, k: total, a: scores, lda: total, b: v, ldb: kvDim, c: out, ldc: qDim)
            }
        }
    }

    /// Attention of one new query (at `position`) over the cache, heads split over the pool.
    /// query [heads·hd] → attention [heads·hd]; scores use one context-long row per part.
    private func attendOne(row: Int, position: Int, keys: UnsafeMutablePointer<UInt16>, values: UnsafeMutablePointer<UInt16>) {
        let c = model.config
        let hd = c.headDimension, group = c.headCount / c.kvHeadCount, kvDim = c.kvDimension
        let total = position + 1, heads = c.headCount
        let scale = 1 / Float(hd).squareRoot()
        let query = query.pointer + row * c.queryDimension, attention = attention.pointer + row * c.queryDimension
        let scores = scores.pointer, context = contextLength
        let parts = min(parts, heads)
        pool.run(parts: parts) { p in
            for h in (heads * p / parts)..<(heads * (p + 1) / parts) {
                let offset = (h / group) * hd
                tb_attend_one(query + h * hd, 1, Int32(hd), keys + offset, values + offset, kvDim, Int32(total), scale,
                              scores + p * context, attention + h * hd)
            }
        }
    }

    /// output_k[n × rows_k] = input[n × cols] · W_kᵀ for up to three matrices sharing one input
    /// (q, k, v or gate, up). Few tokens: quantized matvecs on the pool, the input quantized once per
    /// token. Many: each matrix dequantized once and multiplied with sgemm.
    private func linear(_ input: UnsafePointer<Float>, _ n: Int,
                        _ a: (WeightMatrix, UnsafeMutablePointer<Float>),
                        _ b: (WeightMatrix, UnsafeMutablePointer<Float>)? = nil,
                        _ c: (WeightMatrix, UnsafeMutablePointer<Float>)? = nil) {
        let cols = a.0.columns
        if n >= Self.sgemmThreshold {
            // The integer kernels see 8-bit activations; give sgemm the same values in f32, so a long
            // prompt computes what token-by-token decoding would (up to float summation order).
            var x = input
            if QuantizedMatvec.supports(a.0.type) {
                pool.forRanges(count: n, parts: parts) { rows in
                    tb_round_trip_q8(input + rows.lowerBound * cols, Int32(rows.count * cols), self.roundTripped.pointer + rows.lowerBound * cols)
                }
                x = UnsafePointer(roundTripped.pointer)
            }
            for (w, output) in [a, b, c].compactMap({ $0 }) { batchedProduct(x, n, w, output) }
            return
        }
        let model = model, q = quantizedInput, parts = parts
        let needsQuantized = QuantizedMatvec.supports(a.0.type) || b.map { QuantizedMatvec.supports($0.0.type) } ?? false
            || c.map { QuantizedMatvec.supports($0.0.type) } ?? false
        for i in 0..<n {
            let x = input + i * cols
            if needsQuantized { q.quantize(x, count: cols) }
            pool.run(parts: parts) { p in
                func share(_ rows: Int) -> Range<Int> { (rows * p / parts)..<(rows * (p + 1) / parts) }
                model.matvecRows(a.0, share(a.0.rows), x: x, q: q, y: a.1 + i * a.0.rows)
                if let b { model.matvecRows(b.0, share(b.0.rows), x: x, q: q, y: b.1 + i * b.0.rows) }
                if let c { model.matvecRows(c.0, share(c.0.rows), x: x, q: q, y: c.1 + i * c.0.rows) }
            }
        }
    }

    /// output[n × out] += scale · (input[n × in] · Aᵀ) · Bᵀ for one adapted projection; the adapter
    /// branch sees the f32 input, as PEFT's does.
    private func addAdapter(layer: Int, _ target: LoRATarget, input: UnsafePointer<Float>, _ n: Int,
                            output: UnsafeMutablePointer<Float>) {
        guard let adapter, let slot = adapter.layout.slot(layer: layer, target: target) else { return }
        let rank = adapter.config.rank, scratch = loraScratch.pointer
        adapter.parameters.withUnsafeBufferPointer { p in
            BLAS.matmulTransposedB(m: n, n: rank, k: slot.inFeatures, a: input, lda: slot.inFeatures,
                                   b: p.baseAddress! + slot.aOffset, ldb: slot.inFeatures, c: scratch, ldc: rank)
            BLAS.matmulTransposedB(m: n, n: slot.outFeatures, k: rank, a: scratch, lda: rank,
                                   b: p.baseAddress! + slot.bOffset, ldb: rank, c: output, ldc: slot.outFeatures,
                                   alpha: adapter.config.scale, beta: 1)
        }
    }

    /// output[n × rows] = input[n × cols] · Wᵀ for many tokens: the rows are split over the pool, and
    /// each part dequantizes its rows a tile at a time into its own scratch and multiplies with sgemm.
    private func batchedProduct(_ input: UnsafePointer<Float>, _ n: Int, _ w: WeightMatrix, _ output: UnsafeMutablePointer<Float>) {
        let tileRows = Self.tileRows, scratch = weightScratch.pointer, cols = w.columns, parts = parts
        let units = (w.rows + 15) / 16  // split on 16-row boundaries
        pool.run(parts: parts) { p in
            let tile = scratch + p * tileRows * cols
            var r = min(w.rows, units * p / parts * 16)
            let end = min(w.rows, units * (p + 1) / parts * 16)
            while r < end {
                let count = min(tileRows, end - r)
                dequantize(w.type, w.row(r), into: tile, count: count * cols)
                BLAS.matmulTransposedB(m: n, n: count, k: cols, a: input, lda: cols, b: tile, ldb: cols, c: output + r, ldc: w.rows)
                r += count
            }
        }
    }

    private func lastLogits(row: Int) {
        let c = model.config, d = c.embeddingLength
        Ops.rmsNorm(x.pointer + row * d, weight: model.weights.outputNorm.baseAddress!, eps: c.rmsEpsilon, out: normed.pointer, n: d)
        linear(normed.pointer, 1, (model.weights.outputHead, logits.pointer))
    }

    private func allLogits(rows n: Int, _ body: (Int, UnsafeBufferPointer<Float>) -> Void) {
        let c = model.config, d = c.embeddingLength, vocabulary = c.vocabularySize
        for i in 0..<n {
            Ops.rmsNorm(x.pointer + i * d, weight: model.weights.outputNorm.baseAddress!, eps: c.rmsEpsilon, out: normed.pointer + i * d, n: d)
        }
        var first = 0
        while first < n {
            let count = min(Self.logitRows, n - first)
            linear(normed.pointer + first * d, count, (model.weights.outputHead, logitsBlock.pointer))
            for i in 0..<count { body(first + i, UnsafeBufferPointer(start: logitsBlock.pointer + i * vocabulary, count: vocabulary)) }
            first += count
        }
    }
}
