import Foundation
import Workspace
@testable import Workbench

/// The package root (the folder holding Package.swift), found from this file's path.
func packageRoot() -> URL {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url
}

var sampleBook: URL { packageRoot().appendingPathComponent("samples/pride-and-prejudice-a5.pdf") }

/// A fresh workspace in a temporary folder whose book is the sample book (so tests that save
/// choices never touch samples/workspace).
func makeSampleWorkspace(_ configure: (inout WorkspaceSettings) -> Void = { _ in }) throws -> Workspace {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-wb-\(UUID().uuidString)")
    var workspace = try Workspace.create(at: dir)
    workspace.settings.pdf.path = sampleBook.path
    configure(&workspace.settings)
    try workspace.save()
    return workspace
}

/// The sample book's layout ground truth (samples/pride-and-prejudice-a5.gt.json, written by the
/// book's generator from what it drew).
struct BookGroundTruth: Decodable {
    struct Page: Decodable {
        var page: Int
        var header: String
        var footer: String
        var body: String
    }
    struct Valid: Decodable {
        var top: [Double]
        var bottom: [Double]
    }
    var crop_box: [Double]
    var crop_box_valid: Valid
    var body_pages: [Int]
    var page_count: Int
    var pages: [Page]

    static func load() throws -> BookGroundTruth {
        let url = packageRoot().appendingPathComponent("samples/pride-and-prejudice-a5.gt.json")
        return try JSONDecoder().decode(BookGroundTruth.self, from: Data(contentsOf: url))
    }
}

/// Calls `update()` until `done` holds or `seconds` pass (background work posts to the mailbox).
func waitFor(_ pane: any Pane, seconds: Double = 30, until done: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        _ = pane.update()
        if done() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return false
}

/// Renders a pane alone into a grid of the given size.
func render(_ pane: any Pane, width: Int = 100, height: Int = 28) -> Grid {
    var grid = Grid(width: width, height: height)
    pane.draw(into: &grid, in: grid.bounds)
    return grid
}

extension Grid {
    /// The first row whose text contains `text`, and the column where it starts.
    func find(_ text: String) -> (x: Int, y: Int)? {
        for y in 0..<height {
            let cells = (0..<width).filter { !self[$0, y].isContinuation }
            let row = String(cells.map { self[$0, y].character })
            if let range = row.range(of: text) {
                return (cells[row.distance(from: row.startIndex, to: range.lowerBound)], y)
            }
        }
        return nil
    }

    /// The roles of `count` cells from (x, y) that are not spaces.
    func textRoles(x: Int, y: Int, count: Int) -> Set<ColorRole> {
        Set((x..<min(width, x + count)).filter { self[$0, y].character != " " }.map { self[$0, y].role })
    }
}
