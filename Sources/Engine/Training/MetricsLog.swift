import Foundation

/// `metrics.jsonl`: one JSON object a line, each line handed to the kernel as soon as it is made
/// (a `write(2)` per row), so a killed run loses nothing it reported.
///
/// Train rows: `step, epoch, loss, lr, grad_norm, tokens, tokens_per_s, elapsed`;
/// eval rows: `step, epoch, eval_loss`.
public final class MetricsLog {
    public let path: String
    private var fd: Int32

    /// Opens (creating) the log for appending.
    public init(path: String) throws(TrainingError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    public func append(_ metrics: StepMetrics) throws(TrainingError) {
        try write("{\"step\":\(metrics.step),\"epoch\":\(Self.number(metrics.epoch)),\"loss\":\(Self.number(metrics.loss)),"
            + "\"lr\":\(Self.number(metrics.learningRate)),\"grad_norm\":\(Self.number(metrics.gradNorm)),"
            + "\"tokens\":\(metrics.tokens),\"tokens_per_s\":\(Self.number(metrics.tokensPerSecond)),"
            + "\"elapsed\":\(Self.number(metrics.elapsed))}")
    }

    public func appendEval(step: Int, epoch: Double, loss: Double) throws(TrainingError) {
        try write("{\"step\":\(step),\"epoch\":\(Self.number(epoch)),\"eval_loss\":\(Self.number(loss))}")
    }

    private func write(_ row: String) throws(TrainingError) {
        let bytes = Array((row + "\n").utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw .io(path: path, reason: n < 0 ? String(cString: strerror(errno)) : "short write") }
    }

    /// Shortest round-tripping decimal; `null` for NaN and infinities, which JSON cannot hold.
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    /// Drops every row whose step is after `step` (and any torn last line), rewriting the file
    /// atomically, so that a resumed run's log matches one that was never interrupted.
    public static func truncate(path: String, afterStep step: Int, keepingEvalAtStep keepEval: Bool = true) throws(TrainingError) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        var kept: [UInt8] = []
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let rowStep = (object["step"] as? NSNumber)?.intValue
            else { continue }
            if rowStep < step || (rowStep == step && (keepEval || object["eval_loss"] == nil)) {
                kept += line
                kept.append(UInt8(ascii: "\n"))
            }
        }
        try AtomicFile.write(kept, to: path)
    }
}
