/// A key as the workbench sees it, independent of the terminal backend.
public enum Key: Hashable, Sendable {
    case character(Character)
    case control(Character)  // Ctrl-A … Ctrl-Z, lower-case letter
    case enter, escape, backspace, delete, tab, backTab
    case up, down, left, right, home, end, pageUp, pageDown, insert
    case function(Int)  // F1 …

    /// How the help overlay writes the key.
    public var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "Ctrl-\(c.uppercased())"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .insert: "Ins"
        case .function(let n): "F\(n)"
        }
    }
}

/// A mouse report, in grid coordinates.
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, drag, release, scrollUp, scrollDown }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// What the event loop hands a pane.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
}

/// One line of a key table: the keys, what they do (the help overlay's line) and the action that
/// does it. A pane's `keyBindings`, the widgets' and the app's are the only way a key reaches a
/// handler, so the help overlay, built from the same list, cannot go stale (lazygit's
/// `Binding{Key, Handler, Description}`).
public struct KeyBinding {
    public var keys: [Key]
    /// Whether the binding also takes every printable character: a text input's typing.
    public var takesText: Bool
    public var summary: String
    public var action: (Key) -> Void

    public init(_ keys: [Key], _ summary: String, action: @escaping (Key) -> Void) {
        self.keys = keys
        takesText = false
        self.summary = summary
        self.action = action
    }

    /// A text input's typing: every printable character, non-ASCII and punctuation included.
    public static func typing(_ summary: String, action: @escaping (Character) -> Void) -> KeyBinding {
        var binding = KeyBinding([], summary) { key in
            if case .character(let c) = key { action(c) }
        }
        binding.takesText = true
        return binding
    }

    public func matches(_ key: Key) -> Bool { keys.contains(key) || (takesText && key.isPrintable) }

    /// How the help overlay writes the keys.
    public var label: String { ((takesText ? ["text"] : []) + keys.map(\.label)).joined(separator: "/") }
}

extension Key {
    /// A character that text inputs take (letters, digits, punctuation, space, any script); not
    /// Enter, Tab or a control character.
    public var isPrintable: Bool {
        guard case .character(let c) = self else { return false }
        return !c.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

extension Array where Element == KeyBinding {
    /// The binding `key` runs, if any (the first that lists it).
    public func binding(for key: Key) -> KeyBinding? { first { $0.matches(key) } }

    /// Runs the binding of `key`; returns whether there was one.
    @discardableResult
    public func dispatch(_ key: Key) -> Bool {
        guard let binding = binding(for: key) else { return false }
        binding.action(key)
        return true
    }

    /// The same bindings running `then` after each action (a pane saving what a widget changed).
    public func afterEach(_ then: @escaping () -> Void) -> [KeyBinding] {
        map { binding in
            var b = binding
            b.action = { key in binding.action(key); then() }
            return b
        }
    }
}

/// A widget held by value (`LineEditor`, `Form`) whose keys act on itself. Its owner lifts the
/// table to where the widget lives: `editor.keyBindings { change in change(&self.editor) }`.
public protocol KeyTable {
    /// The keys the widget takes in its current state; each action applies its change through `edit`.
    func keyBindings(_ edit: @escaping (_ change: (inout Self) -> Void) -> Void) -> [KeyBinding]
}

extension KeyTable {
    /// Runs `key`'s binding on this value; returns whether the widget has one.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        var changed = self
        guard let binding = keyBindings({ change in change(&changed) }).binding(for: key) else { return false }
        binding.action(key)
        self = changed
        return true
    }
}
