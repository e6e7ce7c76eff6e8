/// What the status bar shows. Panes that run jobs (extraction, preparation, training) report
/// through `Pane.job`; the app fills in the rest.
public struct StatusInfo: Sendable, Equatable {
    public var workspace = ""
    public var model = ""
    public var adapter = ""
    public var runState = "idle"
    /// Tokens per second of the running job, when it has one.
    public var tokensPerSecond: Double?
    /// Resident memory of the process in bytes.
    public var memoryBytes: Int?
    public init() {}

    /// The bar's text, fields dropped from the right as the width shrinks (the workspace and the
    /// run state are kept longest).
    public func text(width: Int) -> String {
        var fields = [" \(workspace)", "model \(model)", "adapter \(adapter.isEmpty ? "none" : adapter)", runState]
        if let tokensPerSecond { fields.append(String(format: "%.0f tok/s", tokensPerSecond)) }
        if let memoryBytes { fields.append(String(format: "%.0f MiB", Double(memoryBytes) / 1_048_576)) }
        var line = fields.joined(separator: " │ ")
        let dropOrder = [2, 1]  // adapter, then model
        var removed = Set<Int>()
        for index in dropOrder where Grid.displayWidth(of: line) > width {
            removed.insert(index)
            line = fields.enumerated().filter { !removed.contains($0.offset) }.map(\.element).joined(separator: " │ ")
        }
        return line
    }
}
