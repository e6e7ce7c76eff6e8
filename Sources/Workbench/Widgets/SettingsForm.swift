import Foundation
import Workspace

/// A `Form` over workspace settings: one field per `WorkspaceSettings.schema` entry of the chosen
/// sections, parsed and checked by the schema (a value is refused, with the reason, when it leaves
/// its section unusable), and written back to `tunebench.toml` as soon as an edit is accepted.
/// The Train pane edits `[lora]` and `[training]` through it, the Dataset pane `[dataset]`.
public struct SettingsForm {
    public internal(set) var form: Form
    public let settings: [Setting]
    private let model: WorkspaceModel

    /// `steps`: for fields that ←/→ should step (by dotted key), the value one step up (+1) or
    /// down (−1) from the given text.
    public init(model: WorkspaceModel, sections: [String], excluding excluded: Set<String> = [],
                steps: [String: @Sendable (String, Int) -> String] = [:]) {
        self.model = model
        settings = WorkspaceSettings.schema.filter { sections.contains($0.section) && !excluded.contains($0.dottedKey) }
        form = Form(fields: settings.map { setting in
            var field = Self.field(for: setting, model: model)
            field.step = steps[setting.dottedKey]
            field.group = setting.group
            return field
        })
    }

    static func field(for setting: Setting, model: WorkspaceModel) -> FormField {
        let choices: [String]? = switch setting.kind {
        case .choice(let values): values
        case .flag: ["on", "off"]
        default: nil
        }
        return FormField(key: setting.dottedKey, label: setting.label, value: setting.text(in: model.settings), choices: choices) { text in
            do {
                _ = try setting.applying(text: text, to: model.settings)
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    /// When false the form only displays (while a run goes, or a followed run's settings).
    public var isEditable: Bool {
        get { form.isEditable }
        set { form.isEditable = newValue }
    }


    /// Runs one of the form's key actions on it (then `commit` takes accepted values in).
    public mutating func edit(_ change: (inout Form) -> Void) { change(&form) }

    /// Takes every field whose text differs from the workspace into it and saves; returns the
    /// reason when a value could not be taken or the file not written.
    @discardableResult
    public mutating func commit() -> String? {
        var changed = false
        for (i, setting) in settings.enumerated() where form.fields[i].value != setting.text(in: model.settings) {
            do {
                model.settings = try setting.applying(text: form.fields[i].value, to: model.settings)
                changed = true
            } catch {
                form.fields[i].value = setting.text(in: model.settings)
                return "\(setting.label): \(error.description)"
            }
        }
        if changed, !model.save() { return model.lastError }
        return nil
    }


}
