import Foundation

/// A one-line text input with readline's usual keys: ←/→, Home/End, Ctrl-A/E (start/end), Ctrl-K
/// (delete to end), Ctrl-U (delete to start), Ctrl-W (delete the word before the cursor),
/// Backspace/Delete, and ↑/↓ through the history of submitted lines.
///
/// The whole text can be selected (a form's value when its editing starts): the first character
/// typed then replaces it, a deleting key clears it, and a moving key just drops the selection and
/// moves the cursor.
public struct LineEditor: Sendable, Equatable, KeyTable {
    /// The text, one element per grapheme cluster, so the cursor never splits an accented letter.
    public private(set) var characters: [Character] = []
    /// Cursor position: 0 … characters.count (before the character at that index).
    public private(set) var cursor = 0
    /// Whether the whole text is selected.
    public private(set) var isAllSelected = false
    /// Submitted lines, oldest first.
    public private(set) var history: [String] = []
    private var historyIndex: Int?  // nil: editing the draft, not a history entry
    private var draft: [Character] = []

    public init(text: String = "", history: [String] = [], selected: Bool = false) {
        characters = Array(text)
        cursor = characters.count
        self.history = history
        isAllSelected = selected && !characters.isEmpty
    }

    public var text: String {
        get { String(characters) }
        set { characters = Array(newValue); cursor = characters.count; historyIndex = nil; isAllSelected = false }
    }

    /// The editing keys; Enter and Esc are the owner's. ↑/↓ are listed once there is a history.
    public func keyBindings(_ edit: @escaping (_ change: (inout LineEditor) -> Void) -> Void) -> [KeyBinding] {
        var bindings = [
            KeyBinding.typing(isAllSelected ? "type (replaces the selected text)" : "type") { c in edit { $0.insert(c) } },
            KeyBinding([.left, .right, .home, .end, .control("a"), .control("e")], "move the cursor") { key in edit { $0.move(key) } },
            KeyBinding([.backspace, .delete, .control("d")], "delete a character") { key in edit { $0.delete(key) } },
            KeyBinding([.control("k"), .control("u"), .control("w")], "delete to end / to start / word") { key in edit { $0.delete(key) } },
        ]
        if !history.isEmpty {
            bindings.append(KeyBinding([.up, .down], "previous / next line from history") { key in edit { $0.recall(older: key == .up) } })
        }
        return bindings
    }

    private mutating func insert(_ c: Character) {
        if isAllSelected { characters = []; cursor = 0; isAllSelected = false }
        characters.insert(c, at: cursor)
        cursor += 1
    }

    private mutating func move(_ key: Key) {
        if isAllSelected {
            // Like a text field: ← goes to the selection's start, → to its end.
            isAllSelected = false
            switch key {
            case .left, .home, .control("a"): cursor = 0
            default: cursor = characters.count
            }
            return
        }
        switch key {
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        default: cursor = characters.count
        }
    }

    private mutating func delete(_ key: Key) {
        if isAllSelected {
            characters = []
            cursor = 0
            isAllSelected = false
            return
        }
        switch key {
        case .backspace:
            guard cursor > 0 else { return }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .delete, .control("d"):
            guard cursor < characters.count else { return }
            characters.remove(at: cursor)
        case .control("k"): characters.removeSubrange(cursor...)
        case .control("u"):
            characters.removeSubrange(..<cursor)
            cursor = 0
        default:
            // readline's unix-word-rubout: skip spaces before the cursor, then the word.
            var start = cursor
            while start > 0, characters[start - 1].isWhitespace { start -= 1 }
            while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
            characters.removeSubrange(start..<cursor)
            cursor = start
        }
    }

    private mutating func recall(older: Bool) {
        guard !history.isEmpty else { return }
        let next: Int?
        switch (historyIndex, older) {
        case (nil, true): draft = characters; next = history.count - 1
        case (nil, false): return
        case (let i?, true): next = max(0, i - 1)
        case (let i?, false): next = i + 1 < history.count ? i + 1 : nil
        }
        historyIndex = next
        characters = next.map { Array(history[$0]) } ?? draft
        cursor = characters.count
        isAllSelected = false
    }

    /// Returns the line and clears the editor; a non-empty line different from the last one is
    /// added to the history.
    public mutating func submit() -> String {
        let line = text
        if !line.trimmingCharacters(in: .whitespaces).isEmpty, history.last != line { history.append(line) }
        characters = []
        cursor = 0
        historyIndex = nil
        draft = []
        isAllSelected = false
        return line
    }

    /// Draws `prompt` then the text in row `y` of `rect`, scrolled horizontally so the cursor is
    /// visible; the cursor cell is drawn reversed when `focused`, a selected text in the selection role.
    public func draw(into grid: inout Grid, in rect: Rect, prompt: String = "> ", focused: Bool = true) {
        guard !rect.isEmpty else { return }
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1))
        let textX = grid.put(prompt, x: rect.x, y: rect.y, role: .accent, clip: rect)
        let room = rect.maxX - textX - 1  // keep a column for the cursor at the end
        guard room > 0 else { return }
        // First visible character: the smallest start whose span up to the cursor fits.
        var start = 0
        var width = characters[..<cursor].reduce(0) { $0 + max(1, Grid.displayWidth(of: $1)) }
        while width > room, start < cursor {
            width -= max(1, Grid.displayWidth(of: characters[start]))
            start += 1
        }
        var x = textX
        for i in start..<characters.count {
            let next = grid.put(String(characters[i]), x: x, y: rect.y, role: isAllSelected ? .selection : .text, clip: rect)
            if next == x { break }  // did not fit
            if focused, i == cursor, !isAllSelected { grid[x, rect.y].attributes.insert(.reverse) }
            x = next
        }
        if focused, cursor == characters.count, x < rect.maxX { grid[x, rect.y] = Cell(" ", attributes: .reverse) }
    }
}
