import Foundation

/// One labelled value of a `Form`. Values are edited as text; `choices` makes a field cycle through
/// fixed values with ←/→ instead; `validate` returns a message a user can act on, or nil when the
/// text is acceptable.
public struct FormField: Sendable {
    public var key: String
    public var label: String
    public var value: String
    public var choices: [String]?
    public var validate: @Sendable (String) -> String?

    public init(key: String, label: String, value: String, choices: [String]? = nil,
                validate: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.key = key
        self.label = label
        self.value = value
        self.choices = choices
        self.validate = validate
    }
}

/// A column of label/value fields: ↑/↓ select, Enter edits the selected value in a `LineEditor`
/// (Enter again accepts it if it validates, Esc cancels), ←/→ cycle a field with choices. A rejected
/// value leaves the editor open with the message shown under the form.
public struct Form: Sendable {
    public var fields: [FormField]
    public var selected = 0
    public private(set) var editor: LineEditor?
    public private(set) var message: String?
    /// When false, the form only displays (a followed run's settings, or while training runs).
    public var isEditable = true

    public init(fields: [FormField]) { self.fields = fields }

    public var isEditing: Bool { editor != nil }

    /// The value of the field named `key`.
    public subscript(key: String) -> String? { fields.first { $0.key == key }?.value }

    public static let keyBindings: [KeyBinding] = [
        KeyBinding([.up, .down], "select a setting"),
        KeyBinding([.enter], "edit the setting / accept the edit"),
        KeyBinding([.left, .right], "cycle a setting with fixed choices"),
        KeyBinding([.escape], "cancel the edit"),
    ]

    /// Handles a key; returns whether the form used it.
    public mutating func handle(_ key: Key) -> Bool {
        if var e = editor {
            switch key {
            case .escape:
                editor = nil
                message = nil
            case .enter:
                let text = e.text.trimmingCharacters(in: .whitespaces)
                if let problem = fields[selected].validate(text) {
                    message = "\(fields[selected].label): \(problem)"
                } else {
                    fields[selected].value = text
                    editor = nil
                    message = nil
                }
            default:
                // ↑/↓ would walk the editor's history; in a form they do nothing while editing.
                if key == .up || key == .down { return true }
                _ = e.handle(key)
                editor = e
            }
            return true
        }
        guard !fields.isEmpty else { return false }
        switch key {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(fields.count - 1, selected + 1)
        case .enter:
            guard isEditable else { return true }
            if fields[selected].choices != nil { cycle(by: 1) } else { editor = LineEditor(text: fields[selected].value) }
        case .left, .right:
            guard isEditable, fields[selected].choices != nil else { return false }
            cycle(by: key == .right ? 1 : -1)
        default: return false
        }
        return true
    }

    private mutating func cycle(by step: Int) {
        guard let choices = fields[selected].choices, !choices.isEmpty else { return }
        let i = choices.firstIndex(of: fields[selected].value) ?? 0
        fields[selected].value = choices[(i + step + choices.count) % choices.count]
    }

    /// Draws one field a row, labels right-aligned to the widest, the message (if any) at the bottom of `rect`.
    public func draw(into grid: inout Grid, in rect: Rect, focused: Bool = true) {
        guard !rect.isEmpty else { return }
        let labelWidth = min(fields.map { Grid.displayWidth(of: $0.label) }.max() ?? 0, rect.width / 2)
        // The message wraps under the fields, up to three rows.
        let messageLines = message.map { TextView.wrap(StyledParagraph(text: $0, role: .error), width: rect.width) } ?? []
        let messageRows = min(messageLines.count, 3, rect.height - 1)
        let rowsForFields = rect.height - messageRows
        // Keep the selected field visible when the form is taller than the rectangle.
        let first = max(0, min(selected - rowsForFields + 1, fields.count - rowsForFields))
        for (row, i) in (first..<fields.count).enumerated() where row < rowsForFields {
            let f = fields[i]
            let y = rect.y + row
            let isSelected = focused && i == selected
            let pad = String(repeating: " ", count: max(0, labelWidth - Grid.displayWidth(of: f.label)))
            let valueX = grid.put(pad + f.label + " ", x: rect.x, y: y, role: isSelected ? .highlight : .dim, clip: rect)
            if isSelected, let editor {
                editor.draw(into: &grid, in: Rect(x: valueX, y: y, width: rect.maxX - valueX, height: 1), prompt: "")
            } else {
                let shown = f.choices == nil ? f.value : "‹ \(f.value) ›"
                grid.put(shown, x: valueX, y: y, role: isSelected ? .selection : .text,
                         attributes: isSelected ? .bold : [], clip: rect)
            }
        }
        for (i, line) in messageLines.prefix(messageRows).enumerated() {
            grid.put(line.text, x: rect.x, y: rect.maxY - messageRows + i, role: .error, clip: rect)
        }
    }
}
