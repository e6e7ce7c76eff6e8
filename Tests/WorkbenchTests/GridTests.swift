import Testing
@testable import Workbench

@Suite struct GridTests {
    @Test func textIsClippedToTheGridAndToTheClipRectangle() {
        var g = Grid(width: 10, height: 2)
        let end = g.put("hello world", x: 2, y: 0)
        #expect(end == 10)
        #expect(g.lines == ["  hello wo", ""])
        g.put("abcdef", x: 0, y: 1, clip: Rect(x: 1, y: 1, width: 3, height: 1))
        #expect(g.lines[1] == " bcd")
    }

    @Test func wideCharactersTakeTwoCellsAndAreNotSplitAtTheEdge() {
        var g = Grid(width: 5, height: 1)
        g.put("日本語", x: 0, y: 0)
        // Two wide characters fit in 5 columns; the third would need columns 4 and 5.
        #expect(g.lines == ["日本"])
        #expect(g[1, 0].isContinuation)
        #expect(Grid.displayWidth(of: "é") == 1)
        #expect(Grid.displayWidth(of: "e\u{301}") == 1)  // a grapheme with a combining mark
        #expect(Grid.displayWidth(of: "🙂") == 2)
    }

    @Test func controlCharactersAreMadeVisible() {
        var g = Grid(width: 6, height: 1)
        g.put("a\tb\u{7}", x: 0, y: 0)
        #expect(g.lines == ["a·b·"])
    }

    @Test func rectanglesSplitWithoutOverlap() {
        let r = Rect(x: 0, y: 0, width: 80, height: 24)
        let (top, rest) = r.splitTop(1)
        #expect(top.height == 1 && rest.y == 1 && rest.height == 23)
        let (left, right) = rest.splitLeft(100)
        #expect(left.width == 80 && right.width == 0 && right.isEmpty)
    }
}
