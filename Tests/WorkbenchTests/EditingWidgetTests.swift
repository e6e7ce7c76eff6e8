import Testing
@testable import Workbench

@Suite struct EditingWidgetTests {
    private func type(_ text: String, into e: inout LineEditor) {
        for c in text { _ = e.handle(.character(c)) }
    }

    @Test func readlineKeysEditTheLine() {
        var e = LineEditor()
        type("hello big world", into: &e)
        _ = e.handle(.control("w"))  // unix-word-rubout: "world" goes
        #expect(e.text == "hello big " && e.cursor == 10)
        _ = e.handle(.control("w"))  // trailing space then "big"
        #expect(e.text == "hello ")
        _ = e.handle(.home)
        type(">", into: &e)
        #expect(e.text == ">hello " && e.cursor == 1)
        _ = e.handle(.end)
        _ = e.handle(.backspace)
        _ = e.handle(.control("a"))
        _ = e.handle(.delete)
        #expect(e.text == "hello")
        _ = e.handle(.right); _ = e.handle(.right)
        _ = e.handle(.control("k"))  // kill to end
        #expect(e.text == "he" && e.cursor == 2)
        type("y there", into: &e)
        _ = e.handle(.left); _ = e.handle(.left)
        _ = e.handle(.control("u"))  // kill to start
        #expect(e.text == "re" && e.cursor == 0)
        _ = e.handle(.control("e"))
        #expect(e.cursor == 2)
        _ = e.handle(.left); _ = e.handle(.left); _ = e.handle(.left)  // stops at 0
        _ = e.handle(.backspace)
        #expect(e.text == "re" && e.cursor == 0)
        #expect(e.handle(.enter) == false)
    }

    @Test func historyWalksBackAndReturnsToTheDraft() {
        var e = LineEditor()
        type("first", into: &e); #expect(e.submit() == "first")
        type("second", into: &e); _ = e.submit()
        type("second", into: &e); _ = e.submit()  // a repeat is stored once
        #expect(e.history == ["first", "second"])
        type("dra", into: &e)
        _ = e.handle(.up); #expect(e.text == "second")
        _ = e.handle(.up); #expect(e.text == "first")
        _ = e.handle(.up); #expect(e.text == "first")
        _ = e.handle(.down); #expect(e.text == "second")
        _ = e.handle(.down); #expect(e.text == "dra" && e.cursor == 3)
    }

    @Test func accentedAndWideCharactersAreEditedWhole() {
        var e = LineEditor()
        type("cafe\u{301}日本", into: &e)
        #expect(e.characters.count == 6)
        _ = e.handle(.backspace); _ = e.handle(.left); _ = e.handle(.backspace)
        #expect(e.text == "caf日")
    }

    @Test func longLinesScrollToKeepTheCursorVisible() {
        var e = LineEditor()
        type("abcdefghijklmnop", into: &e)
        var g = Grid(width: 10, height: 1)
        e.draw(into: &g, in: g.bounds)
        // "> " then the last 7 characters and the cursor cell.
        #expect(g.lines == ["> jklmnop"])
        #expect(g[9, 0].attributes.contains(.reverse))
        _ = e.handle(.home)
        g = Grid(width: 10, height: 1)
        e.draw(into: &g, in: g.bounds)
        #expect(g.lines == ["> abcdefgh"])
        #expect(g[2, 0].attributes.contains(.reverse) && g[2, 0].character == "a")
    }

    @Test func wordWrapBreaksAtSpacesByDisplayWidth() {
        let p = StyledParagraph(label: "you: ", text: "the quick brown fox jumps", role: .text)
        #expect(TextView.wrap(p, width: 12).map(\.text) == ["you: the", "quick brown", "fox jumps"])
        // Wide characters take two columns; a word longer than the line is cut.
        #expect(TextView.wrap(StyledParagraph(text: "日本語日本語"), width: 5).map(\.text) == ["日本", "語日", "本語"])
        #expect(TextView.wrap(StyledParagraph(text: "abcdefghij xy"), width: 4).map(\.text) == ["abcd", "efgh", "ij", "xy"])
        // Explicit newlines are kept, an empty line included.
        #expect(TextView.wrap(StyledParagraph(text: "a\n\nb"), width: 4).map(\.text) == ["a", "", "b"])
        let runs = TextView.wrap(p, width: 40)[0].runs
        #expect(runs.map(\.role) == [.accent, .text] && runs[0].text == "you: ")
    }

    @Test func textViewScrollsFromTheBottom() {
        var view = TextView(paragraphs: (1...10).map { StyledParagraph(text: "line \($0)") })
        var g = Grid(width: 10, height: 3)
        var more = view.draw(into: &g, in: g.bounds)
        #expect(g.lines == ["line 8", "line 9", "line 10"] && more == (true, false))
        view.scroll(by: 4, width: 10, height: 3)
        g = Grid(width: 10, height: 3)
        more = view.draw(into: &g, in: g.bounds)
        #expect(g.lines == ["line 4", "line 5", "line 6"] && more == (true, true))
        view.scroll(by: 100, width: 10, height: 3)  // clamped at the top
        #expect(view.scrollFromBottom == 7)
        view.scroll(by: -100, width: 10, height: 3)
        #expect(view.scrollFromBottom == 0)
    }

    @Test func formValidatesEditsAndCyclesChoices() {
        var form = Form(fields: [
            FormField(key: "n", label: "count", value: "3") { Int($0) == nil ? "enter a whole number" : nil },
            FormField(key: "mode", label: "mode", value: "b", choices: ["a", "b", "c"]),
        ])
        _ = form.handle(.enter)
        #expect(form.isEditing)
        _ = form.handle(.control("u"))
        for c in "x7" { _ = form.handle(.key(.character(c))) }
        _ = form.handle(.enter)
        #expect(form.isEditing && form.message == "count: enter a whole number" && form["n"] == "3")
        _ = form.handle(.home); _ = form.handle(.delete); _ = form.handle(.enter)
        #expect(!form.isEditing && form.message == nil && form["n"] == "7")
        _ = form.handle(.down)
        _ = form.handle(.right); #expect(form["mode"] == "c")
        _ = form.handle(.right); #expect(form["mode"] == "a")
        _ = form.handle(.left); #expect(form["mode"] == "c")
        var g = Grid(width: 20, height: 2)
        form.draw(into: &g, in: g.bounds)
        #expect(g.lines == ["count 7", " mode ‹ c ›"])
    }
}

private extension Form {
    mutating func handle(_ event: InputEvent) -> Bool {
        if case .key(let k) = event { return handle(k) }
        return false
    }
}
