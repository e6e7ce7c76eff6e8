/// A text progress bar: `████████▌         42%`, `width` cells in all.
public enum ProgressBar {
    public static func text(done: Int, total: Int, width: Int) -> String {
        let label = total > 0 ? " \(done * 100 / total)%" : ""
        let barWidth = max(0, width - label.count)
        let eighths = total > 0 ? min(barWidth * 8, done * barWidth * 8 / total) : 0
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var bar = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        bar += String(repeating: "░", count: max(0, barWidth - bar.count))
        return bar + label
    }
}
