import Foundation

/// The LoRA training forward and backward pass of a LLaMA model on batches of a fixed shape.
///
/// Built once per run: it allocates every activation and scratch buffer up front, so a step
/// allocates nothing. Batches are `batch` rows of `sequence` tokens, flattened row by row (N =
/// batch · sequence). Several examples may be packed into one row: `positions` restarts at 0 at
/// each example's first token, RoPE uses these positions and a token attends only to earlier tokens
/// of its own example. Token t is trained to predict token t + 1 when `lossMask[t + 1] == 1`
/// (`TokenWindow.trained`) and t + 1 is not the first token of an example.
///
/// The base weights are frozen: by default they stay quantized and each matrix is dequantized into
/// one scratch buffer right before its sgemm (QLoRA); `dequantizeBase` keeps them all in f32 instead.
/// `baseQuant` first requantizes every layer's projections (q, k, v, o, gate, up, down) into that
/// format, as QLoRA does with NF4; the token embedding and output head stay as the file has them.
/// Not thread-safe; results are deterministic for a given seed and thread count.
public final class TrainingGraph {
    public let model: LlamaModel
    public let lora: LoRAConfig
    public let layout: LoRALayout
    public let batch: Int
    public let sequence: Int
    public let threads: Int
    /// Rows of logits (each `vocabularySize` wide) that exist at once in the loss.
    public let headRowBlock: Int

    private struct LayerMatrices {
        var query, key, value, output, gate, up, down: FrozenMatrix
    }

    private let layers: [LayerMatrices]
    private let head: FrozenMatrix
    private let baseCopies: [FloatBuffer]  // the f32 base when `dequantizeBase`
    private let requantizedBase: [RawBuffer]  // the projections' bytes when `baseQuant` is set
    /// The format the projections were requantized to at load (nil: as the model file stores them).
    public let baseQuant: BaseQuantization?

    private var tokenCount: Int { batch * sequence }
    private let d, qd, kvd, ffn: Int
    private let attentionShape: CausalAttention.Shape

    // Kept by the forward pass for the backward pass, per layer l (N = batch · sequence):
    private let residual: FloatBuffer  // (L + 1, N, d): the input of layer l; [L] is the final stream
    private let middle: FloatBuffer  // (L, N, d): residual after attention
    private let rstdAttention, rstdMLP: FloatBuffer  // (L, N)
    private let query: FloatBuffer  // (L, N, qd), after RoPE
    /// (N, qd): one layer's attention output. Backward recomputes it (for the o projection's LoRA
    /// gradient) from q, k, v instead of keeping every layer's: 68 MiB less at batch 4 × 256.
    private let attention: FloatBuffer
    private let key, value: FloatBuffer  // (L, N, kvd), key after RoPE
    private let gate, up: FloatBuffer  // (L, N, ffn), before SwiGLU
    private let loraHidden: FloatBuffer  // (slots, N, r): drop(x)·Aᵀ per adapted projection
    // Scratch, reused by every layer:
    private let normed, projection: FloatBuffer  // (N, d)
    private let swiglu: FloatBuffer  // (N, ffn)
    private let weightScratch: FloatBuffer  // largest (out, in)
    private let dropScratch: FloatBuffer  // (N, max in), only with dropout
    private let dLoraHidden: FloatBuffer  // (N, r)
    private let attentionLogSumExp: FloatBuffer  // (L, N / sequence, heads, sequence), kept for backward
    private let attentionScratch: FloatBuffer  // threads × CausalAttention.Shape.scratchCount
    private let dResidual, dNormed: FloatBuffer  // (N, d)
    private let dSwiglu, dGate, dUp: FloatBuffer  // (N, ffn); dGate is dSwiglu's memory (SwiGLU.backward reads each index first)
    private let dAttention, dQuery: FloatBuffer  // (N, qd)
    private let dKey, dValue: FloatBuffer  // (N, kvd)
    private let ropeCos, ropeSin: FloatBuffer  // (sequence, ropeDim / 2)
    // The loss rows: the tokens that predict a trained token, gathered.
    private let headInput, dHeadInput: FloatBuffer  // (N, d) normalised final stream
    private let headRstd: FloatBuffer  // (N)
    private var headTargets: [Int32]  // (N)
    private var headSource: [Int]  // (N): the flat token index each loss row comes from
    private var predictedRows = 0  // rows of headSource in use
    private let logits, headScratch: FloatBuffer
    private static let vocabularyChunk = 2048
    /// Where the steps' time goes, when set (benchmarks only).
    public var profile: TrainingProfile?

    /// - Parameters:
    ///   - dequantizeBase: hold every frozen matrix in f32 (faster, ~4 bytes per weight) instead of
    ///     dequantizing each one right before use.
    ///   - baseQuant: requantize the layers' projections into this format first (QLoRA); with
    ///     `dequantizeBase` too, the f32 copies hold the requantized weights.
    ///   - headRowBlock: rows of the loss computed at once; bounds the logits scratch to
    ///     headRowBlock × vocabulary floats.
    public init(model: LlamaModel, lora: LoRAConfig, batch: Int, sequence: Int, threads: Int = 2,
                dequantizeBase: Bool = false, baseQuant: BaseQuantization? = nil, headRowBlock: Int = 64) throws(TrainingError) {
        let c = model.config
        do { try lora.validate() } catch { throw .badSetting(error.description) }
        guard batch >= 1, sequence >= 2 else { throw .badSetting("a training batch needs at least 1 row of 2 tokens, not \(batch) × \(sequence)") }
        guard sequence <= c.contextLength else {
            throw .badSetting("sequence length \(sequence) exceeds the model's context length \(c.contextLength)")
        }
        self.model = model
        self.lora = lora
        self.layout = LoRALayout(config: lora, model: c)
        self.batch = batch
        self.sequence = sequence
        self.threads = max(1, threads)
        self.headRowBlock = max(1, min(headRowBlock, batch * sequence))
        BLAS.setThreads(self.threads)
        d = c.embeddingLength; qd = c.queryDimension; kvd = c.kvDimension; ffn = c.feedForwardLength
        let n = batch * sequence, L = c.layerCount

        var copies: [FloatBuffer] = [], requantized: [RawBuffer] = []
        func frozen(_ w: WeightMatrix, requantize: Bool) throws(TrainingError) -> FrozenMatrix {
            var matrix = FrozenMatrix(matrix: w, f32: nil)
            if requantize, let format = baseQuant {
                let bytes = RawBuffer(count: w.rows * format.rowBytes(w.columns))
                matrix = try FrozenMatrix.requantized(w, to: format, storage: bytes.pointer, threads: max(1, threads))
                requantized.append(bytes)
            }
            guard dequantizeBase else { return matrix }
            let copy = FloatBuffer(count: w.rows * w.columns)
            matrix.decode(rowsFrom: 0, count: w.rows, into: copy.pointer)
            copies.append(copy)
            return FrozenMatrix(name: matrix.name, rows: matrix.rows, columns: matrix.columns, encoding: matrix.encoding,
                                data: matrix.data, rowBytes: matrix.rowBytes, f32: UnsafePointer(copy.pointer))
        }
        var layers: [LayerMatrices] = []
        for l in model.weights.layers {
            func projection(_ w: WeightMatrix) throws(TrainingError) -> FrozenMatrix { try frozen(w, requantize: true) }
            layers.append(LayerMatrices(query: try projection(l.query), key: try projection(l.key), value: try projection(l.value),
                                        output: try projection(l.output), gate: try projection(l.gate), up: try projection(l.up),
                                        down: try projection(l.down)))
        }
        self.layers = layers
        head = try frozen(model.weights.outputHead, requantize: false)
        baseCopies = copies
        requantizedBase = requantized
        self.baseQuant = baseQuant

        residual = FloatBuffer(count: (L + 1) * n * d)
        middle = FloatBuffer(count: L * n * d)
        rstdAttention = FloatBuffer(count: L * n)
        rstdMLP = FloatBuffer(count: L * n)
        query = FloatBuffer(count: L * n * qd)
        attention = FloatBuffer(count: n * qd)
        key = FloatBuffer(count: L * n * kvd)
        value = FloatBuffer(count: L * n * kvd)
        gate = FloatBuffer(count: L * n * ffn)
        up = FloatBuffer(count: L * n * ffn)
        loraHidden = FloatBuffer(count: layout.slots.count * n * lora.rank)
        normed = FloatBuffer(count: n * d)
        projection = FloatBuffer(count: n * d)
        swiglu = FloatBuffer(count: n * ffn)
        let largest = [c.queryDimension * d, c.kvDimension * d, ffn * d].max()!
        weightScratch = FloatBuffer(count: largest)
        dropScratch = FloatBuffer(count: lora.dropout > 0 ? n * max(d, qd, ffn) : 0)
        dLoraHidden = FloatBuffer(count: n * lora.rank)
        attentionLogSumExp = FloatBuffer(count: L * n * c.headCount)
        attentionShape = CausalAttention.Shape(tokens: sequence, heads: c.headCount, kvHeads: c.kvHeadCount, headDimension: c.headDimension)
        attentionScratch = FloatBuffer(count: self.threads * attentionShape.scratchCount)
        dResidual = FloatBuffer(count: n * d)
        dNormed = FloatBuffer(count: n * d)
        dSwiglu = FloatBuffer(count: n * ffn)
        dGate = dSwiglu
        dUp = FloatBuffer(count: n * ffn)
        dAttention = FloatBuffer(count: n * qd)
        dQuery = FloatBuffer(count: n * qd)
        dKey = FloatBuffer(count: n * kvd)
        dValue = FloatBuffer(count: n * kvd)
        ropeCos = FloatBuffer(count: sequence * c.ropeDimension / 2)
        ropeSin = FloatBuffer(count: sequence * c.ropeDimension / 2)
        model.rope.tables(start: 0, count: sequence, cos: ropeCos.pointer, sin: ropeSin.pointer)
        headInput = FloatBuffer(count: n * d)
        dHeadInput = FloatBuffer(count: n * d)
        headRstd = FloatBuffer(count: n)
        headTargets = [Int32](repeating: 0, count: n)
        headSource = [Int](repeating: 0, count: n)
        logits = FloatBuffer(count: self.headRowBlock * c.vocabularySize)
        headScratch = FloatBuffer(count: dequantizeBase ? 0 : Self.vocabularyChunk * d)
    }

    /// Positions for one row of `sequence` tokens whose examples start at `segmentStarts`
    /// (0 is always a start): they count up from 0 within each example.
    public static func positions(sequence: Int, segmentStarts: [Int]) -> [Int32] {
        var result = [Int32](repeating: 0, count: sequence)
        var position: Int32 = 0
        let starts = Set(segmentStarts)
        for t in 0..<sequence {
            if t > 0 && !starts.contains(t) { position += 1 } else { position = 0 }
            result[t] = position
        }
        return result
    }

    /// Runs forward and backward: returns the summed cross-entropy (nats) over the predicted
    /// tokens and their count, and adds `lossScale` × ∂(lossSum)/∂parameters to `gradients`.
    ///
    /// - Parameters:
    ///   - tokens: batch × sequence token ids, row by row.
    ///   - lossMask: one value per token; 1 (`TokenWindow.trained`) marks a token to predict, any
    ///     other value (ignored 0, padding 2) is context only.
    ///   - positions: batch × sequence; 0 at each example's first token, +1 per token after it
    ///     (see `positions(sequence:segmentStarts:)`); each row starts with 0.
    ///   - parameters: the LoRA parameters in `layout` order.
    ///   - gradients: same layout; accumulated into (+=), never cleared here.
    ///   - lossScale: the factor on the gradients; nil means 1 / predictedTokens (the mean loss).
    ///   - dropoutSeed: the seed of this step's LoRA dropout masks.
    public func lossAndGradients(tokens: [Int32], lossMask: [UInt8], positions: [Int32],
                                 parameters: UnsafeBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>,
                                 lossScale: Float? = nil, dropoutSeed: UInt64) throws(TrainingError) -> (lossSum: Double, predictedTokens: Int) {
        guard gradients.count == layout.parameterCount else {
            throw .badBatch("gradient buffer holds \(gradients.count) numbers, the adapter has \(layout.parameterCount)")
        }
        try check(tokens: tokens, lossMask: lossMask, positions: positions, parameters: parameters)
        let predicted = gatherLossRows(lossMask: lossMask, tokens: tokens, positions: positions)
        guard predicted > 0 else { return (0, 0) }
        let p = parameters.baseAddress!, g = gradients.baseAddress!
        tokens.withUnsafeBufferPointer { t in
            positions.withUnsafeBufferPointer { pos in
                forward(tokens: t.baseAddress!, positions: pos.baseAddress!, parameters: p, dropoutSeed: dropoutSeed)
            }
        }
        let loss = headLoss(predicted: predicted, lossScale: lossScale ?? 1 / Float(predicted), wantGradient: true)
        positions.withUnsafeBufferPointer { pos in
            backward(positions: pos.baseAddress!, parameters: p, gradients: g, dropoutSeed: dropoutSeed)
        }
        return (loss, predicted)
    }

    /// The forward pass alone, without dropout (evaluation): summed loss and predicted-token count.
    public func loss(tokens: [Int32], lossMask: [UInt8], positions: [Int32],
                     parameters: UnsafeBufferPointer<Float>) throws(TrainingError) -> (lossSum: Double, predictedTokens: Int) {
        try check(tokens: tokens, lossMask: lossMask, positions: positions, parameters: parameters)
        let predicted = gatherLossRows(lossMask: lossMask, tokens: tokens, positions: positions)
        guard predicted > 0 else { return (0, 0) }
        tokens.withUnsafeBufferPointer { t in
            positions.withUnsafeBufferPointer { pos in
                forward(tokens: t.baseAddress!, positions: pos.baseAddress!, parameters: parameters.baseAddress!, dropoutSeed: nil)
            }
        }
        return (headLoss(predicted: predicted, lossScale: 0, wantGradient: false), predicted)
    }

    // MARK: Checks and loss rows

    private func check(tokens: [Int32], lossMask: [UInt8], positions: [Int32], parameters: UnsafeBufferPointer<Float>) throws(TrainingError) {
        let n = tokenCount, T = sequence
        guard tokens.count == n, lossMask.count == n, positions.count == n else {
            throw .badBatch("a batch needs \(batch) × \(sequence) = \(n) tokens, mask values and positions; got \(tokens.count), \(lossMask.count), \(positions.count)")
        }
        guard parameters.count == layout.parameterCount else {
            throw .badBatch("adapter has \(parameters.count) parameters, the graph needs \(layout.parameterCount)")
        }
        let vocabulary = model.config.vocabularySize
        for (i, t) in tokens.enumerated() where t < 0 || Int(t) >= vocabulary {
            throw .badBatch("token \(t) at index \(i) is outside the model's vocabulary of \(vocabulary)")
        }
        for b in 0..<batch {
            for t in 0..<T {
                let p = positions[b * T + t]
                let expected: Int32 = t == 0 ? 0 : positions[b * T + t - 1] + 1
                guard p == 0 || p == expected, t > 0 || p == 0 else {
                    throw .badBatch("position \(p) at row \(b), token \(t): positions must start at 0 and count up by 1 within an example")
                }
            }
        }
    }

    /// Fills headSource/headTargets with the tokens that predict a trained token; returns their count.
    private func gatherLossRows(lossMask: [UInt8], tokens: [Int32], positions: [Int32]) -> Int {
        var m = 0
        for b in 0..<batch {
            for t in 0..<(sequence - 1) {
                let next = b * sequence + t + 1
                if lossMask[next] == 1 && positions[next] != 0 {
                    headSource[m] = next - 1
                    headTargets[m] = tokens[next]
                    m += 1
                }
            }
        }
        predictedRows = m
        return m
    }

    // MARK: Forward

    /// The LoRA branch of one projection (nil when it has none) and its slot index in `layout`.
    private func branch(layer l: Int, _ target: LoRATarget, parameters: UnsafePointer<Float>, dropoutSeed: UInt64?)
        -> (branch: LoRABranch?, slot: Int) {
        guard let t = layout.targets.firstIndex(of: target) else { return (nil, 0) }
        let index = l * layout.targets.count + t
        let slot = layout.slots[index]
        var dropout: LoRADropout?
        if let dropoutSeed, lora.dropout > 0 {
            dropout = LoRADropout(probability: lora.dropout, key: LoRADropout.key(seed: dropoutSeed, layer: l, target: t), threads: threads)
        }
        return (LoRABranch(a: parameters + slot.aOffset, b: parameters + slot.bOffset, rank: lora.rank, scale: lora.scale, dropout: dropout), index)
    }

    private func project(_ w: FrozenMatrix, _ target: LoRATarget, layer l: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                         parameters: UnsafePointer<Float>, dropoutSeed: UInt64?) {
        let n = tokenCount
        let (lora, slot) = branch(layer: l, target, parameters: parameters, dropoutSeed: dropoutSeed)
        let weight = profile.measure(.dequantize) { w.all(scratch: weightScratch.pointer, threads: threads) }
        LoRALinear.forward(x: x, n: n, inFeatures: w.columns, outFeatures: w.rows, weight: weight,
                           lora: lora, xa: loraHidden.pointer + slot * n * layout.rank, dropScratch: dropScratch.pointer, y: y,
                           profile: profile)
    }

    private func forward(tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>, parameters: UnsafePointer<Float>, dropoutSeed: UInt64?) {
        let c = model.config, w = model.weights, n = tokenCount
        EmbeddingLayer.forward(tokens: tokens, n: n, table: w.tokenEmbedding, out: residual.pointer)
        for l in 0..<c.layerCount {
            let m = layers[l], lw = w.layers[l]
            let x = residual.pointer + l * n * d, mid = middle.pointer + l * n * d, out = residual.pointer + (l + 1) * n * d
            let q = query.pointer + l * n * qd, k = key.pointer + l * n * kvd, v = value.pointer + l * n * kvd
            let att = attention.pointer
            let g = gate.pointer + l * n * ffn, u = up.pointer + l * n * ffn

            profile.measure(.elementwise) {
                RMSNormLayer.forward(x: x, weight: lw.attentionNorm.baseAddress!, eps: c.rmsEpsilon, n: n, d: d,
                                     out: normed.pointer, rstd: rstdAttention.pointer + l * n, threads: threads)
            }
            project(m.query, .query, layer: l, x: normed.pointer, y: q, parameters: parameters, dropoutSeed: dropoutSeed)
            project(m.key, .key, layer: l, x: normed.pointer, y: k, parameters: parameters, dropoutSeed: dropoutSeed)
            project(m.value, .value, layer: l, x: normed.pointer, y: v, parameters: parameters, dropoutSeed: dropoutSeed)
            profile.measure(.elementwise) {
                RoPELayer.forward(q, n: n, heads: c.headCount, positions: positions, rope: model.rope, cos: ropeCos.pointer,
                                  sin: ropeSin.pointer, threads: threads)
                RoPELayer.forward(k, n: n, heads: c.kvHeadCount, positions: positions, rope: model.rope, cos: ropeCos.pointer,
                                  sin: ropeSin.pointer, threads: threads)
            }
            attend(layer: l, positions: positions)
            project(m.output, .output, layer: l, x: att, y: projection.pointer, parameters: parameters, dropoutSeed: dropoutSeed)
            profile.measure(.elementwise) {
                add(x, projection.pointer, into: mid)
                RMSNormLayer.forward(x: mid, weight: lw.feedForwardNorm.baseAddress!, eps: c.rmsEpsilon, n: n, d: d,
                                     out: normed.pointer, rstd: rstdMLP.pointer + l * n, threads: threads)
            }
            project(m.gate, .gate, layer: l, x: normed.pointer, y: g, parameters: parameters, dropoutSeed: dropoutSeed)
            project(m.up, .up, layer: l, x: normed.pointer, y: u, parameters: parameters, dropoutSeed: dropoutSeed)
            profile.measure(.elementwise) { SwiGLU.forward(gate: g, up: u, count: n * ffn, out: swiglu.pointer, threads: threads) }
            project(m.down, .down, layer: l, x: swiglu.pointer, y: projection.pointer, parameters: parameters, dropoutSeed: dropoutSeed)
            profile.measure(.elementwise) { add(mid, projection.pointer, into: out) }
        }
    }

    /// Layer l's attention output into `attention` from its kept q, k, v; fills the layer's
    /// log-sum-exp rows. One task per (row, key/value group), spread over the threads, each sgemm
    /// on one thread; the same partition every time, so a recomputation is bit for bit the forward's.
    private func attend(layer l: Int, positions: UnsafePointer<Int32>) {
        let c = model.config, n = tokenCount, T = sequence, shape = attentionShape, KV = c.kvHeadCount
        let q = query.pointer + l * n * qd, k = key.pointer + l * n * kvd, v = value.pointer + l * n * kvd
        let att = attention.pointer, lse = attentionLogSumExp.pointer + l * n * c.headCount
        profile.measure(.attention) {
            BLAS.singleThreaded {
                Parallel.forParts(count: batch * KV, parts: threads) { part, tasks in
                    for task in tasks {
                        let b = task / KV, group = task % KV
                        CausalAttention.forward(shape, groups: group..<(group + 1), q: q + b * T * qd, k: k + b * T * kvd,
                                                v: v + b * T * kvd, positions: positions + b * T, out: att + b * T * qd,
                                                logSumExp: lse + b * T * c.headCount,
                                                scratch: attentionScratch.pointer + part * shape.scratchCount)
                    }
                }
            }
        }
    }

    /// Final norm of the gathered rows, then the fused head and loss; fills dHeadInput when asked.
    private func headLoss(predicted m: Int, lossScale: Float, wantGradient: Bool) -> Double {
        let c = model.config, final = residual.pointer + c.layerCount * tokenCount * d
        for r in 0..<m {
            RMSNormLayer.forward(x: final + headSource[r] * d, weight: model.weights.outputNorm.baseAddress!, eps: c.rmsEpsilon,
                                 n: 1, d: d, out: headInput.pointer + r * d, rstd: headRstd.pointer + r)
        }
        let scratch = CrossEntropyHead.Scratch(logits: logits.pointer, head: headScratch.pointer, rowBlock: headRowBlock,
                                               vocabularyChunk: Self.vocabularyChunk)
        return headTargets.withUnsafeBufferPointer { targets in
            CrossEntropyHead.forward(hidden: headInput.pointer, m: m, targets: targets.baseAddress!, head: head, scratch: scratch,
                                     threads: threads, dHidden: wantGradient ? dHeadInput.pointer : nil, lossScale: lossScale,
                                     profile: profile)
        }
    }

    // MARK: Backward

    private func projectBackward(_ w: FrozenMatrix, _ target: LoRATarget, layer l: Int, dY: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                 dX: UnsafeMutablePointer<Float>?, accumulate: Bool,
                                 parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, dropoutSeed: UInt64) {
        let n = tokenCount
        let (lora, slot) = branch(layer: l, target, parameters: parameters, dropoutSeed: dropoutSeed)
        guard dX != nil || lora != nil else { return }
        let s = layout.slots.isEmpty ? nil : layout.slots[slot]
        let weight = profile.measure(.dequantize) { w.all(scratch: weightScratch.pointer, threads: threads) }
        LoRALinear.backward(dY: dY, x: x, n: n, inFeatures: w.columns, outFeatures: w.rows, weight: weight, lora: lora, profile: profile,
                            xa: loraHidden.pointer + slot * n * layout.rank,
                            dA: lora == nil ? nil : gradients + s!.aOffset, dB: lora == nil ? nil : gradients + s!.bOffset,
                            dX: dX, accumulate: accumulate, dxa: dLoraHidden.pointer, dropScratch: dropScratch.pointer)
    }

    /// out = a + b over one (N, d) activation.
    private func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(count: tokenCount * d, parts: threads) { r in
            for i in r { out[i] = a[i] + b[i] }
        }
    }

    private func adapts(_ target: LoRATarget) -> Bool { layout.targets.contains(target) }

    private func backward(positions: UnsafePointer<Int32>, parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                          dropoutSeed: UInt64) {
        let c = model.config, w = model.weights, n = tokenCount, T = sequence, L = c.layerCount
        let shape = attentionShape
        // The final norm, for the gathered rows only; every other row's gradient is zero.
        let dRes = dResidual.pointer
        dRes.update(repeating: 0, count: n * d)
        let final = residual.pointer + L * n * d
        for r in 0..<predictedRows {
            let i = headSource[r]
            RMSNormLayer.backward(dOut: dHeadInput.pointer + r * d, x: final + i * d, weight: w.outputNorm.baseAddress!,
                                  rstd: headRstd.pointer + r, n: 1, d: d, dX: dRes + i * d)
        }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let m = layers[l], lw = w.layers[l]
            let x = residual.pointer + l * n * d, mid = middle.pointer + l * n * d
            let q = query.pointer + l * n * qd, k = key.pointer + l * n * kvd, v = value.pointer + l * n * kvd
            let att = attention.pointer
            let g = gate.pointer + l * n * ffn, u = up.pointer + l * n * ffn

            // MLP: dRes is ∂/∂(layer output) and becomes ∂/∂mid.
            if adapts(.down) { SwiGLU.forward(gate: g, up: u, count: n * ffn, out: swiglu.pointer, threads: threads) }
            projectBackward(m.down, .down, layer: l, dY: dRes, x: swiglu.pointer, dX: dSwiglu.pointer, accumulate: false,
                            parameters: parameters, gradients: gradients, dropoutSeed: dropoutSeed)
            profile.measure(.elementwise) {
                SwiGLU.backward(dOut: dSwiglu.pointer, gate: g, up: u, count: n * ffn, dGate: dGate.pointer, dUp: dUp.pointer,
                                threads: threads)
                if adapts(.gate) || adapts(.up) {
                    RMSNormLayer.recompute(x: mid, weight: lw.feedForwardNorm.baseAddress!, rstd: rstdMLP.pointer + l * n, n: n, d: d,
                                           out: normed.pointer, threads: threads)
                }
            }
            projectBackward(m.gate, .gate, layer: l, dY: dGate.pointer, x: normed.pointer, dX: dNormed.pointer, accumulate: false,
                            parameters: parameters, gradients: gradients, dropoutSeed: dropoutSeed)
            projectBackward(m.up, .up, layer: l, dY: dUp.pointer, x: normed.pointer, dX: dNormed.pointer, accumulate: true,
                            parameters: parameters, gradients: gradients, dropoutSeed: dropoutSeed)
            profile.measure(.elementwise) {
                RMSNormLayer.backward(dOut: dNormed.pointer, x: mid, weight: lw.feedForwardNorm.baseAddress!, rstd: rstdMLP.pointer + l * n,
                                      n: n, d: d, dX: dRes, threads: threads)
            }

            // Attention: dRes becomes ∂/∂(layer input).
            if adapts(.output) { attend(layer: l, positions: positions) }
            projectBackward(m.output, .output, layer: l, dY: dRes, x: att, dX: dAttention.pointer, accumulate: false,
                            parameters: parameters, gradients: gradients, dropoutSeed: dropoutSeed)
            profile.measure(.attention) {
                let lse = attentionLogSumExp.pointer + l * n * c.headCount, KV = c.kvHeadCount
                BLAS.singleThreaded {
                    Parallel.forParts(count: batch * KV, parts: threads) { part, tasks in
                        for task in tasks {
                            let b = task / KV, group = task % KV
                            CausalAttention.backward(shape, groups: group..<(group + 1), dOut: dAttention.pointer + b * T * qd,
                                                     q: q + b * T * qd, k: k + b * T * kvd, v: v + b * T * kvd,
                                                     positions: positions + b * T, logSumExp: lse + b * T * c.headCount,
                                                     dQ: dQuery.pointer + b * T * qd, dK: dKey.pointer + b * T * kvd,
                                                     dV: dValue.pointer + b * T * kvd,
                                                     scratch: attentionScratch.pointer + part * shape.scratchCount)
                        }
                    }
                }
            }
            profile.measure(.elementwise) {
                RoPELayer.backward(dQuery.pointer, n: n, heads: c.headCount, positions: positions, rope: model.rope,
                                   cos: ropeCos.pointer, sin: ropeSin.pointer, threads: threads)
                RoPELayer.backward(dKey.pointer, n: n, heads: c.kvHeadCount, positions: positions, rope: model.rope,
                                   cos: ropeCos.pointer, sin: ropeSin.pointer, threads: threads)
                if adapts(.query) || adapts(.key) || adapts(.value) {
                    RMSNormLayer.recompute(x: x, weight: lw.attentionNorm.baseAddress!, rstd: rstdAttention.pointer + l * n, n: n, d: d,
                                           out: normed.pointer, threads: threads)
                }
            }
            // Layer 0's input is the frozen embedding: nothing needs its gradient.
            let dIn: UnsafeMutablePointer<Float>? = l > 0 ? dNormed.pointer : nil
            projectBackward(m.query, .query, layer: l, dY: dQuery.pointer, x: normed.pointer, dX: dIn, accumulate: false,
                            parameters: parameters, gradients: gradients, dropoutSeed: dropoutSeed)
            projectBackward(m.key, .key, layer: l, dY: dKey.pointer, x: normed.pointer, dX: dIn, accumulate: true,
                            parameters: parameters, gradients: gradients, dropoutSeed: dropoutSeed)
            projectBackward(m.value, .value, layer: l, dY: dValue.pointer, x: normed.pointer, dX: dIn, accumulate: true,
                            parameters: parameters, gradients: gradients, dropoutSeed: dropoutSeed)
            if l > 0 {
                profile.measure(.elementwise) {
                    RMSNormLayer.backward(dOut: dNormed.pointer, x: x, weight: lw.attentionNorm.baseAddress!,
                                          rstd: rstdAttention.pointer + l * n, n: n, d: d, dX: dRes, threads: threads)
                }
            }
        }
    }
}
