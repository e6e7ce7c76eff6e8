import Foundation

/// One labelled value of a `Form`. Values are edited as text; `choices` makes a field cycle through
/// fixed values with ←/→ instead, and `step` lets ←/→ change a typed value by a step (a context
/// length doubles); `validate` returns a message a user can act on, or nil when the text is
/// acceptable.
public struct FormField: Sendable {
    public var key: String
    public var label: String
    public var value: String
    public var choices: [String]?
    public var validate: @Sendable (String) -> String?
    /// The value one step up (+1) or down (−1) from the given one; nil: no stepping.
    public var step: (@Sendable (String, Int) -> String)?
    /// A heading drawn above the first field of each group ("LoRA", "optimizer"); "" for none.
    public var group = ""

    public init(key: String, label: String, value: String, choices: [String]? = nil,
                validate: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.key = key
        self.label = label
        self.value = value
        self.choices = choices
        self.validate = validate
    }
}

/// A column of label/value fields, edited the same way in every pane: ↑/↓ select; Enter edits the
/// selected value in a `LineEditor` that starts with the value selected (typing replaces it, an
/// arrow keeps it for editing, Backspace clears it); Enter again accepts it if it validates — if
/// not, the reason is shown under the form and the editor stays open —, Esc cancels; ←/→ (and
/// Enter) cycle a field with fixed choices.
public struct Form: Sendable, KeyTable {
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

    /// The keys that apply now: the editor's while a value is edited, else selecting, editing and
    /// (for a field with choices or a step) ←/→.
    public func keyBindings(_ edit: @escaping (_ change: (inout Form) -> Void) -> Void) -> [KeyBinding] {
        if let editor {
            return [
                KeyBinding([.enter], "accept the value (if it is valid)") { _ in edit { $0.accept() } },
                KeyBinding([.escape], "cancel the edit") { _ in edit { $0.cancel() } },
            ] + editor.keyBindings { change in edit { form in if form.editor != nil { change(&form.editor!) } } }
        }
        guard !fields.isEmpty else { return [] }
        var bindings = [KeyBinding([.up, .down], "select a setting") { key in edit { $0.moveSelection(key == .up ? -1 : 1) } }]
        guard isEditable else { return bindings }
        let field = fields[selected]
        if field.choices != nil {
            bindings.append(KeyBinding([.enter, .left, .right], "change the setting (fixed choices)") { key in
                edit { $0.change(by: key == .left ? -1 : 1) }
            })
        } else {
            bindings.append(KeyBinding([.enter], "edit the setting (typing replaces it)") { _ in edit { $0.startEditing() } })
            if field.step != nil {
                bindings.append(KeyBinding([.left, .right], "step the setting down / up") { key in edit { $0.change(by: key == .left ? -1 : 1) } })
            }
        }
        return bindings
    }

    private mutating func moveSelection(_ delta: Int) {
        selected = min(max(0, selected + delta), fields.count - 1)
    }

    private mutating func startEditing() {
        editor = LineEditor(text: fields[selected].value, selected: true)
        message = nil
    }

    private mutating func accept() {
        guard let editor else { return }
        let text = editor.text.trimmingCharacters(in: .whitespaces)
        if let problem = fields[selected].validate(text) {
            message = "\(fields[selected].label): \(problem)"
        } else {
            fields[selected].value = text
            self.editor = nil
            message = nil
        }
    }

    private mutating func cancel() {
        editor = nil
        message = nil
    }

    /// Cycles a field with choices, or steps one with a step if the result validates.
    private mutating func change(by direction: Int) {
        let field = fields[selected]
        if let choices = field.choices, !choices.isEmpty {
            let i = choices.firstIndex(of: field.value) ?? 0
            fields[selected].value = choices[(i + direction + choices.count) % choices.count]
        } else if let step = field.step {
            let next = step(field.value, direction)
            if field.validate(next) == nil { fields[selected].value = next }
        }
        message = nil
    }

    /// Draws one field a row, labels right-aligned to the widest (up to `labelWidth`, by default
    /// half of `rect`), the message (if any) at the bottom of `rect`.
    public func draw(into grid: inout Grid, in rect: Rect, focused: Bool = true, labelWidth widest: Int? = nil) {
        guard !rect.isEmpty else { return }
        let labelWidth = min(fields.map { Grid.displayWidth(of: $0.label) }.max() ?? 0, widest ?? rect.width / 2)
        // The message wraps under the fields, up to three rows.
        let messageLines = message.map { TextView.wrap(StyledParagraph(text: $0, role: .error), width: rect.width) } ?? []
        let messageRows = min(messageLines.count, 3, rect.height - 1)
        let rowsForFields = rect.height - messageRows
        // Rows: a heading where a group begins, then its fields. Keep the selected field (and its
        // group's heading when there is room) visible when the form is taller than the rectangle.
        enum Row { case heading(String), field(Int) }
        var rows: [Row] = []
        for (i, f) in fields.enumerated() {
            if !f.group.isEmpty, i == 0 || fields[i - 1].group != f.group { rows.append(.heading(f.group)) }
            rows.append(.field(i))
        }
        let selectedRow = rows.firstIndex { if case .field(selected) = $0 { true } else { false } } ?? 0
        let first = max(0, min(selectedRow - rowsForFields + 1, rows.count - rowsForFields))
        for (row, entry) in rows[first...].enumerated() where row < rowsForFields {
            let y = rect.y + row
            guard case .field(let i) = entry else {
                if case .heading(let title) = entry { grid.put(title, x: rect.x, y: y, role: .title, attributes: .bold, clip: rect) }
                continue
            }
            let f = fields[i]
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
