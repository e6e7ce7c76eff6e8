/// A one-row chart of a series with the eight block characters ▁▂▃▄▅▆▇█ (the learning rate).
public enum Sparkline {
    public static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The sparkline of `values` in at most `width` characters. With more values than columns, each
    /// column shows the value at the start of its share of the series, so the whole run's schedule
    /// stays visible. The minimum maps to ▁, the maximum to █, linearly between (rounded); a constant
    /// series is all ▄. Non-finite values show as a space.
    public static func render(_ values: [Double], width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let columns = min(width, values.count)
        let picked = (0..<columns).map { values[$0 * values.count / columns] }
        let finite = picked.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return String(repeating: " ", count: columns) }
        return String(picked.map { v -> Character in
            guard v.isFinite else { return " " }
            if hi == lo { return levels[3] }
            let level = Int(((v - lo) / (hi - lo) * 7).rounded())
            return levels[min(max(level, 0), 7)]
        })
    }
}
