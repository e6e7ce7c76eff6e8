import Corpus

/// The editable dataset settings, one `Form` field each: numbers are typed (or stepped with ←/→),
/// switches cycle on/off.
enum DatasetField: Int, CaseIterable, Sendable {
    case contextLength, minLength, eosAtParagraphEnds, newlinesToSpaces, padLastWindow, testFraction, seed, shuffle

    var label: String {
        switch self {
        case .contextLength: "context length"
        case .minLength: "min length"
        case .eosAtParagraphEnds: "EOS at paragraph ends"
        case .newlinesToSpaces: "newlines to spaces"
        case .padLastWindow: "pad last window"
        case .testFraction: "test fraction"
        case .seed: "seed"
        case .shuffle: "shuffle"
        }
    }

    /// The form field's key.
    var key: String { "\(self)" }

    var isNumeric: Bool { ![.eosAtParagraphEnds, .newlinesToSpaces, .padLastWindow, .shuffle].contains(self) }

    func value(in s: DatasetSettings) -> String {
        switch self {
        case .contextLength: "\(s.contextLength)"
        case .minLength: "\(s.minLength)"
        case .eosAtParagraphEnds: s.eosAtParagraphEnds ? "on" : "off"
        case .newlinesToSpaces: s.newlinesToSpaces ? "on" : "off"
        case .padLastWindow: s.padLastWindow ? "on" : "off"
        case .testFraction: "\(Double(Int((s.testFraction * 1000).rounded())) / 1000)"
        case .seed: "\(s.seed)"
        case .shuffle: s.shuffle ? "on" : "off"
        }
    }

    /// One step: context length doubles or halves (powers of two are what models use), min length
    /// ±10 characters, test fraction ±0.05, seed ±1; switches toggle.
    func step(_ s: inout DatasetSettings, by direction: Int) {
        switch self {
        case .contextLength: s.contextLength = min(1 << 20, max(2, direction > 0 ? s.contextLength * 2 : s.contextLength / 2))
        case .minLength: s.minLength = max(0, s.minLength + 10 * direction)
        case .eosAtParagraphEnds: s.eosAtParagraphEnds.toggle()
        case .newlinesToSpaces: s.newlinesToSpaces.toggle()
        case .padLastWindow: s.padLastWindow.toggle()
        case .testFraction: s.testFraction = min(0.95, max(0, ((s.testFraction + 0.05 * Double(direction)) * 100).rounded() / 100))
        case .seed: s.seed = direction > 0 ? s.seed &+ 1 : (s.seed == 0 ? 0 : s.seed - 1)
        case .shuffle: s.shuffle.toggle()
        }
    }

    /// Sets a typed value (a switch's "on"/"off"); returns a one-line reason when it is not acceptable
    /// (the form puts the field's label before it).
    func set(_ s: inout DatasetSettings, from text: String) -> String? {
        var copy = s
        if !isNumeric {
            guard text == "on" || text == "off" else { return "on or off" }
            let on = text == "on"
            switch self {
            case .eosAtParagraphEnds: copy.eosAtParagraphEnds = on
            case .newlinesToSpaces: copy.newlinesToSpaces = on
            case .padLastWindow: copy.padLastWindow = on
            default: copy.shuffle = on
            }
            s = copy
            return nil
        }
        switch self {
        case .contextLength:
            guard let v = Int(text) else { return "enter a whole number" }
            copy.contextLength = v
        case .minLength:
            guard let v = Int(text) else { return "enter a whole number" }
            copy.minLength = v
        case .testFraction:
            guard let v = Double(text) else { return "enter a number in [0, 1)" }
            copy.testFraction = v
        case .seed:
            guard let v = UInt64(text) else { return "enter a whole number ≥ 0" }
            copy.seed = v
        default: return nil
        }
        do { try copy.validate() } catch { return error.description }
        s = copy
        return nil
    }
}

extension DatasetField {
    /// `settings` as a form. Each value is checked together with the others as they stand in
    /// `settings`; the pane makes the form again after every change it saves.
    static func form(for settings: DatasetSettings) -> Form {
        Form(fields: allCases.map { field in
            var formField = FormField(key: field.key, label: field.label, value: field.value(in: settings),
                                      choices: field.isNumeric ? nil : ["on", "off"]) { text in
                var s = settings
                return field.set(&s, from: text)
            }
            if field.isNumeric {
                formField.step = { text, direction in
                    var s = settings
                    _ = field.set(&s, from: text)
                    field.step(&s, by: direction)
                    return field.value(in: s)
                }
            }
            return formField
        })
    }

    /// The settings a form made by `form(for: base)` holds (values it could not use stay as in `base`).
    static func settings(from form: Form, base: DatasetSettings) -> DatasetSettings {
        var s = base
        for field in allCases {
            if let text = form[field.key] { _ = field.set(&s, from: text) }
        }
        return s
    }
}
