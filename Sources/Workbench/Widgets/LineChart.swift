import Foundation

/// One curve of a `LineChart`.
public struct ChartSeries: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        /// Consecutive points joined by straight lines.
        case line
        /// Each point a single dot (eval loss, measured every N steps).
        case points
    }
    public var name: String
    public var role: ColorRole
    public var style: Style
    /// (x, y) in data units, x increasing (training step, loss).
    public var points: [(x: Double, y: Double)]

    public init(name: String, role: ColorRole, style: Style = .line, points: [(x: Double, y: Double)]) {
        self.name = name
        self.role = role
        self.style = style
        self.points = points
    }

    public static func == (a: ChartSeries, b: ChartSeries) -> Bool {
        a.name == b.name && a.role == b.role && a.style == b.style && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }
}

/// A braille line chart with a y axis on the left (tick labels at the top, middle and bottom rows)
/// and an x axis underneath (labels at both ends). Both axes scale to the data; `logScale` plots
/// log10(y) and drops points with y ≤ 0.
///
/// Mapping (documented because tests check it against an independent rasteriser): with the plot
/// area `W` × `H` cells, a point goes to dot column `round((x − xMin) / (xMax − xMin) · (2W − 1))`
/// and dot row `round((yMax − y) / (yMax − yMin) · (4H − 1))`, rounding half to even.
public struct LineChart: Sendable, Equatable {
    public var series: [ChartSeries]
    public var logScale: Bool

    public init(series: [ChartSeries], logScale: Bool = false) {
        self.series = series
        self.logScale = logScale
    }

    /// The ranges of the data as plotted (y already in log10 when `logScale`); nil without points.
    public var ranges: (x: ClosedRange<Double>, y: ClosedRange<Double>)? {
        var xMin = Double.infinity, xMax = -Double.infinity, yMin = Double.infinity, yMax = -Double.infinity
        for s in series {
            for p in s.points {
                guard let y = plotted(p.y), p.x.isFinite else { continue }
                xMin = min(xMin, p.x); xMax = max(xMax, p.x)
                yMin = min(yMin, y); yMax = max(yMax, y)
            }
        }
        guard xMin <= xMax else { return nil }
        // A flat range gets some room so the curve sits in the middle instead of dividing by zero.
        if yMin == yMax {
            let pad = logScale ? 0.5 : max(abs(yMin) * 0.1, 0.5)
            yMin -= pad; yMax += pad
        }
        if xMin == xMax { xMax = xMin + 1 }
        return (xMin...xMax, yMin...yMax)
    }

    private func plotted(_ y: Double) -> Double? {
        guard y.isFinite else { return nil }
        if logScale { return y > 0 ? log10(y) : nil }
        return y
    }

    /// A tick label: up to 4 significant digits, no trailing zeros.
    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.2g", v) }
        var s = String(format: "%.4g", v)
        if s.contains("."), !s.contains("e") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// Rasterises the series into a canvas of `columns` × `rows` cells with the mapping above.
    public func canvas(columns: Int, rows: Int) -> BrailleCanvas {
        var canvas = BrailleCanvas(columns: columns, rows: rows)
        guard let (xr, yr) = ranges, columns > 0, rows > 0 else { return canvas }
        let xScale = Double(canvas.dotWidth - 1) / (xr.upperBound - xr.lowerBound)
        let yScale = Double(canvas.dotHeight - 1) / (yr.upperBound - yr.lowerBound)
        for s in series {
            var previous: (Int, Int)?
            for p in s.points {
                guard let y = plotted(p.y), p.x.isFinite else { previous = nil; continue }
                let dx = Int(((p.x - xr.lowerBound) * xScale).rounded(.toNearestOrEven))
                let dy = Int(((yr.upperBound - y) * yScale).rounded(.toNearestOrEven))
                switch s.style {
                case .points: canvas.set(x: dx, y: dy, role: s.role)
                case .line:
                    if let (px, py) = previous { canvas.line(x0: px, y0: py, x1: dx, y1: dy, role: s.role) } else { canvas.set(x: dx, y: dy, role: s.role) }
                }
                previous = (dx, dy)
            }
        }
        return canvas
    }

    /// Draws axes, labels and curves into `rect`. Needs at least 8 × 3 cells; smaller draws nothing.
    public func draw(into grid: inout Grid, in rect: Rect) {
        guard rect.width >= 8, rect.height >= 3 else { return }
        let plotRows = rect.height - 2  // one row for the x axis line, one for its labels
        let ranges = self.ranges
        // The y label at plot row r is the value at the centre of that row's dots.
        let labelRows = Array(Set([0, plotRows / 2, plotRows - 1])).sorted()
        func yValue(row: Int, in yr: ClosedRange<Double>) -> Double {
            let dotRow = Double(row * 4) + 1.5
            let v = yr.upperBound - dotRow / Double(plotRows * 4 - 1) * (yr.upperBound - yr.lowerBound)
            return logScale ? pow(10, v) : v
        }
        let yLabels: [Int: String] = ranges.map { r in
            Dictionary(uniqueKeysWithValues: labelRows.map { ($0, Self.label(yValue(row: $0, in: r.y))) })
        } ?? [:]
        let labelWidth = min(max(yLabels.values.map { Grid.displayWidth(of: $0) }.max() ?? 1, 1), rect.width / 3)
        let plotX = rect.x + labelWidth + 1
        let plotColumns = rect.maxX - plotX
        guard plotColumns > 0 else { return }

        for (row, text) in yLabels {
            let w = Grid.displayWidth(of: text)
            grid.put(text, x: rect.x + labelWidth - w, y: rect.y + row, role: .dim, clip: rect)
        }
        for row in 0..<plotRows {
            grid.put(yLabels[row] == nil ? "│" : "┤", x: plotX - 1, y: rect.y + row, role: .border, clip: rect)
        }
        let axisY = rect.y + plotRows
        grid.put("└", x: plotX - 1, y: axisY, role: .border, clip: rect)
        grid.put(String(repeating: "─", count: plotColumns), x: plotX, y: axisY, role: .border, clip: rect)
        if let r = ranges {
            let left = Self.label(r.x.lowerBound), right = Self.label(r.x.upperBound)
            grid.put(left, x: plotX, y: axisY + 1, role: .dim, clip: rect)
            let rightX = rect.maxX - Grid.displayWidth(of: right)
            if rightX > plotX + Grid.displayWidth(of: left) { grid.put(right, x: rightX, y: axisY + 1, role: .dim, clip: rect) }
        } else {
            grid.put("no data yet", x: plotX + 1, y: rect.y + plotRows / 2, role: .dim, clip: rect)
        }
        if logScale { grid.put("log", x: rect.x, y: axisY + 1, role: .accent, clip: rect) }
        canvas(columns: plotColumns, rows: plotRows).draw(into: &grid, x: plotX, y: rect.y)
    }
}
