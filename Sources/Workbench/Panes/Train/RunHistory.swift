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

    public init() {}

    public mutating func add(_ r: MetricRecord) {
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

    /// The chart's series: raw loss, TensorBoard-smoothed loss, eval loss points.
    public func chart(smoothing: Double, logScale: Bool) -> LineChart {
        let smoothed = smoothedLikeTensorBoard(trainLoss.map(\.y), weight: smoothing)
        return LineChart(series: [
            ChartSeries(name: "loss", role: .trainLine, points: trainLoss),
            ChartSeries(name: "smoothed", role: .smoothLine, points: zip(trainLoss, smoothed).map { ($0.x, $1) }),
            ChartSeries(name: "eval", role: .evalLine, style: .points, points: evalLoss),
        ], logScale: logScale)
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
