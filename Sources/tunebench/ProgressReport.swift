import Foundation

/// The progress of a long step on standard error, in the form that suits where it goes. On a
/// terminal: one bar, redrawn in place with `\r` whenever the count changes,
///
///     converting [█████████·····················] 87/272 tensors
///
/// In a pipe or a log file: a plain line at 25, 50, 75 and 100 %, so that the log reads as text
/// rather than as hundreds of overwritten updates,
///
///     converting: 68/272 tensors (25%)
///
/// Use:
///
///     let progress = ProgressReport(label: "converting", total: file.tensors.count, unit: "tensors")
///     try convert(…) { done, _ in progress.update(done) }
///     progress.finish()
///
/// `update` may be called for every item (it writes only when what it shows changes); call it
/// from one thread. `finish` ends the bar's line on a terminal and writes nothing in a pipe, so it
/// is right to call also when the work stopped early.
final class ProgressReport {
    let label: String
    let total: Int
    let unit: String
    /// Whether standard error is a terminal (the bar) or not (the quarter lines).
    let isTerminal: Bool

    private var drawn: String?
    private var quartersWritten = 0
    private var finished = false

    init(label: String, total: Int, unit: String, isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.label = label
        self.total = total
        self.unit = unit
        self.isTerminal = isTerminal
    }

    /// `done` of `total` items are done.
    func update(_ done: Int) {
        guard !finished, total > 0 else { return }
        let done = min(max(done, 0), total)
        if isTerminal {
            let width = 30
            let filled = done * width / total
            let line = "\(label) [" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                + "] \(done)/\(total) \(unit)"
            guard line != drawn else { return }
            drawn = line
            write("\r" + line)
        } else {
            let quarters = done * 4 / total
            guard quarters > quartersWritten else { return }
            quartersWritten = quarters
            write("\(label): \(done)/\(total) \(unit) (\(quarters * 25)%)\n")
        }
    }

    /// The work is over (done or not): closes the bar's line on a terminal.
    func finish() {
        guard !finished else { return }
        finished = true
        if isTerminal && drawn != nil { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
