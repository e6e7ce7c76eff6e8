import Foundation
import Testing
@testable import Workbench

/// Reference renderings from Fixtures/chart-references.json (drawille and TensorBoard's smoothing,
/// see make_fixtures.py).
private struct References: Decodable {
    struct Chart: Decodable {
        var name: String
        var columns: Int
        var rows: Int
        var style: String
        var points: [[Double]]
        var expected: [String]
    }
    struct Smoothing: Decodable {
        var weight: Double
        var values: [Double?]
        var expected: [Double?]
    }
    var charts: [Chart]
    var smoothing: [Smoothing]

    static func load() throws -> References {
        try JSONDecoder().decode(References.self, from: Data(contentsOf: fixturesDirectory.appendingPathComponent("chart-references.json")))
    }
}

@Suite struct ChartTests {
    @Test func singleDotsFollowTheUnicodeBrailleNumbering() {
        // U+2801 is dot 1 (top left), U+2880 dot 8 (bottom right), U+2840 dot 7 (bottom left),
        // U+2808 dot 4 (top right); all eight make U+28FF.
        var c = BrailleCanvas(columns: 4, rows: 1)
        c.set(x: 0, y: 0, role: .trainLine)
        c.set(x: 3, y: 3, role: .trainLine)
        c.set(x: 4, y: 3, role: .trainLine)
        c.set(x: 5, y: 0, role: .trainLine)
        for x in 6...7 { for y in 0...3 { c.set(x: x, y: y, role: .evalLine) } }
        c.set(x: 99, y: 0, role: .trainLine)  // outside: ignored
        #expect(c.character(column: 0, row: 0) == "\u{2801}")
        #expect(c.character(column: 1, row: 0) == "\u{2880}")
        #expect(c.character(column: 2, row: 0) == "\u{2848}")
        #expect(c.character(column: 3, row: 0) == "\u{28FF}")
        var g = Grid(width: 4, height: 1)
        c.draw(into: &g, x: 0, y: 0)
        #expect(g.lines == ["⠁⢀⡈⣿"])
        #expect(g.roles(row: 0) == [.trainLine, .trainLine, .trainLine, .evalLine])
    }

    @Test func seriesRasteriseLikeDrawille() throws {
        for ref in try References.load().charts {
            let series = ChartSeries(name: ref.name, role: .trainLine, style: ref.style == "points" ? .points : .line,
                                     points: ref.points.map { ($0[0], $0[1]) })
            var g = Grid(width: ref.columns, height: ref.rows)
            LineChart(series: [series]).canvas(columns: ref.columns, rows: ref.rows).draw(into: &g, x: 0, y: 0)
            #expect(g.lines == ref.expected, "\(ref.name)")
        }
    }

    @Test func smoothingMatchesTensorBoard() throws {
        for ref in try References.load().smoothing {
            let got = smoothedLikeTensorBoard(ref.values.map { $0 ?? .nan }, weight: ref.weight)
            #expect(got.count == ref.expected.count)
            for (g, e) in zip(got, ref.expected) {
                if let e { #expect(abs(g - e) <= 1e-12 * max(1, abs(e)), "weight \(ref.weight)") } else { #expect(g.isNaN) }
            }
        }
        #expect(smoothedLikeTensorBoard([2, 2, 2], weight: 0.9) == [2, 2, 2])
    }

    @Test func logScalePlotsTheLogarithm() {
        // 1, 10, 100, 1000 on a log axis sit on the same straight line as 0, 1, 2, 3 on a linear one.
        let decades = ChartSeries(name: "a", role: .trainLine, points: [(0, 1), (1, 10), (2, 100), (3, 1000)])
        let linear = ChartSeries(name: "b", role: .trainLine, points: [(0, 0), (1, 1), (2, 2), (3, 3)])
        #expect(LineChart(series: [decades], logScale: true).canvas(columns: 8, rows: 3)
            == LineChart(series: [linear]).canvas(columns: 8, rows: 3))
        #expect(LineChart(series: [decades], logScale: true).canvas(columns: 8, rows: 3)
            != LineChart(series: [decades]).canvas(columns: 8, rows: 3))
        // Non-positive values cannot be plotted on a log axis and are left out.
        let withZero = ChartSeries(name: "c", role: .trainLine, style: .points, points: [(0, 0), (1, 10), (2, 100)])
        #expect(LineChart(series: [withZero], logScale: true).ranges?.x == 1...2)
    }

    @Test func axesCarryTickLabelsAtTheEnds() {
        let s = ChartSeries(name: "loss", role: .trainLine, points: (0...10).map { (Double($0) * 10, 3 - Double($0) * 0.2) })
        var g = Grid(width: 30, height: 8)
        LineChart(series: [s]).draw(into: &g, in: g.bounds)
        let lines = g.lines
        // 6 plot rows = 24 dot rows over y 1…3; labels at the centre of rows 0, 3 and 5 (dots 1.5,
        // 13.5, 21.5 of 0…23): 3 − 1.5/23·2, 3 − 13.5/23·2, 3 − 21.5/23·2.
        // Labels are right-aligned to the widest.
        #expect(lines[0].hasPrefix(" 2.87┤"))
        #expect(lines[3].hasPrefix("1.826┤"))
        #expect(lines[5].hasPrefix(" 1.13┤"))
        #expect(lines[1].hasPrefix("     │"))
        #expect(lines[6].hasPrefix("     └───"))
        // x labels: the first step under the plot's first column, the last ending at the right edge.
        #expect(lines[7] == "      0" + String(repeating: " ", count: 20) + "100")
        // The curve starts at the top left and ends at the bottom right of the plot area.
        #expect(g[6, 0].role == .trainLine && g[6, 0].character != " ")
        #expect(g[29, 5].role == .trainLine && g[29, 5].character != " ")
    }

    @Test func laterSeriesColourSharedCells() {
        let raw = ChartSeries(name: "raw", role: .trainLine, points: [(0, 1), (1, 1)])
        let eval = ChartSeries(name: "eval", role: .evalLine, style: .points, points: [(1, 1)])
        var g = Grid(width: 2, height: 1)
        LineChart(series: [raw, eval]).canvas(columns: 2, rows: 1).draw(into: &g, x: 0, y: 0)
        #expect(g.roles(row: 0) == [.trainLine, .evalLine])
    }

    @Test func sparklineUsesEightLevels() {
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], width: 20) == "▁▂▃▄▅▆▇█")
        // 16 values into 8 columns: every other value (0, 2, 4, …, 14).
        #expect(Sparkline.render((0..<16).map(Double.init), width: 8) == "▁▂▃▄▅▆▇█")
        // Warmup then decay, like a learning-rate schedule.
        #expect(Sparkline.render([0, 1e-4, 2e-4, 1.5e-4, 1e-4, 0.5e-4, 0], width: 10) == "▁▅█▆▅▃▁")
        #expect(Sparkline.render([3, 3, 3], width: 10) == "▄▄▄")
        #expect(Sparkline.render([], width: 10) == "")
    }
}
