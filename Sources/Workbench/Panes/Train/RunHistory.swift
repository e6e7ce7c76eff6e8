import Foundation

/// Everything the Train pane shows about one run, accumulated from metric rows and trainer events.
public struct RunHistory: Sendable, Equatable {
    /// (step, loss) of training rows.
    public private(set) var trainLoss: [(x: Double, y: Double)] = []
    /// (step, eval loss) of evaluation rows.
    public private(set) var evalLoss: [(x: Double, y: Double)] = []
    public private(set) var learningRates: [Double] = []
    /// The newest training row (step, epoch, tokens/s, elapsed).
    public private(set) var latest: MetricRecord?
    public var totalSteps: Int?
    public var sample: (step: Int, text: String)?
    public var memoryBytes: Int?
    /// The eval going on: its step, test batches done and in all, seconds so far.
    public var evalProgress: (step: Int, done: Int, total: Int, elapsed: Double)?

    public init() {}

    public mutating func add(_ r: MetricRecord) {
        if r.loss != nil || r.evalLoss != nil { evalProgress = nil }
        if let loss = r.loss {
            trainLoss.append((Double(r.step), loss))
            if let lr = r.learningRate { learningRates.append(lr) }
            latest = r
        }
        if let eval = r.evalLoss { evalLoss.append((Double(r.step), eval)) }
    }

    /// Seconds left, from the newest row's elapsed time per step; nil until it can be estimated.
    public var secondsRemaining: Double? {
        guard let r = latest, let total = totalSteps, let elapsed = r.elapsed, r.step > 0, total >= r.step else { return nil }
        return elapsed / Double(r.step) * Double(total - r.step)
    }

    /// "eval 12/40 ETA 18s" while an eval runs (the ETA from its batches so far), else nil.
    public var evalProgressText: String? {
        guard let e = evalProgress else { return nil }
        var text = "eval \(e.done)/\(e.total)"
        if e.done > 0, e.total >= e.done { text += " ETA " + Self.duration(e.elapsed / Double(e.done) * Double(e.total - e.done)) }
        return text
    }

    /// The chart's series: raw loss, TensorBoard-smoothed loss, eval loss points; with `compare`,
    /// that run's smoothed loss and eval points in a second colour.
    public func chart(smoothing: Double, logScale: Bool, compare: (name: String, history: RunHistory)? = nil) -> LineChart {
        var series = [
            ChartSeries(name: "loss", role: .trainLine, points: trainLoss),
            ChartSeries(name: "smoothed", role: .smoothLine, points: smoothedLoss(smoothing)),
            ChartSeries(name: "eval", role: .evalLine, style: .points, points: evalLoss),
        ]
        if let compare {
            series.append(ChartSeries(name: compare.name, role: .compareLine, points: compare.history.smoothedLoss(smoothing)))
            series.append(ChartSeries(name: compare.name + " eval", role: .compareLine, style: .points, points: compare.history.evalLoss))
        }
        return LineChart(series: series, logScale: logScale)
    }

    func smoothedLoss(_ weight: Double) -> [(x: Double, y: Double)] {
        zip(trainLoss, smoothedLikeTensorBoard(trainLoss.map(\.y), weight: weight)).map { ($0.x, $1) }
    }

    /// The rows of a run folder's metrics.jsonl up to `step` (all when nil).
    public static func read(run directory: URL, upToStep step: Int? = nil) -> RunHistory {
        var history = RunHistory()
        var follower = MetricsLogFollower(path: directory.appendingPathComponent("metrics.jsonl").path)
        for row in (try? follower.poll().records) ?? [] where step.map({ row.step <= $0 }) ?? true { history.add(row) }
        return history
    }

    public static func == (a: RunHistory, b: RunHistory) -> Bool {
        a.latest == b.latest && a.trainLoss.count == b.trainLoss.count && a.evalLoss.count == b.evalLoss.count
            && a.learningRates == b.learningRates && a.totalSteps == b.totalSteps && a.sample?.text == b.sample?.text
    }

    /// "1h02m", "4m05s", "12s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }

    /// "312 MB", "1.2 GB".
    public static func bytes(_ n: Int) -> String {
        n >= 1 << 30 ? String(format: "%.1f GB", Double(n) / Double(1 << 30)) : "\(n >> 20) MB"
    }
}
