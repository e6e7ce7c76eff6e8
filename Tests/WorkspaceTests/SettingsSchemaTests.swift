import Corpus
import Engine
import Foundation
import Testing
@testable import Workspace

/// The one settings schema: every field of the job types is in it, each reads and writes
/// `tunebench.toml` losslessly, and values are written as typed.
@Suite struct SettingsSchemaTests {
    /// The stored properties of a value, by name, as text (to see which one a setting changed).
    private func fields(of value: Any) -> [String: String] {
        Dictionary(uniqueKeysWithValues: Mirror(reflecting: value).children.map { ($0.label ?? "?", "\($0.value)") })
    }

    /// A value of the setting's kind that differs from `current` and is valid on its own.
    private func otherValue(for setting: Setting, current: SettingValue) -> SettingValue {
        switch (setting.kind, current) {
        case (.integer, .integer(let i)): return .integer(i == 0 ? 3 : i + (setting.key == "context_length" ? i : 1))
        case (.real, .real(let d)): return .real(d == 0 ? 0.125 : d / 2)
        case (.single, .single(let f)): return .single(f == 0 ? 0.125 : f / 2)
        case (.flag, .flag(let b)): return .flag(!b)
        case (.text, .text(let t)): return .text(t.isEmpty ? "runs/x" : t + "-2")
        case (.list, _): return .list(["k", "down"])
        case (.choice(let choices), .text(let t)): return .text(choices.first { $0 != t }!)
        default: Issue.record("\(setting.dottedKey): value \(current) does not match kind \(setting.kind)"); return current
        }
    }

    /// Each training and LoRA field is set by exactly one setting, and every field has one: the
    /// Train form (made from the schema) edits everything a run records.
    @Test func everyJobFieldHasExactlyOneSetting() {
        let base = WorkspaceSettings()
        for (section, root) in [("lora", { (s: WorkspaceSettings) -> Any in s.lora }), ("training", { $0.training }),
                                ("chat", { $0.chat.sampling }), ("dataset", { $0.dataset.settings })] {
            var covered: Set<String> = []
            for setting in WorkspaceSettings.schema where setting.section == section {
                guard let changed = try? setting.applying(otherValue(for: setting, current: setting.value(in: base)), to: base) else {
                    Issue.record("\(setting.dottedKey) refused a valid value")
                    continue
                }
                let before = fields(of: root(base)), after = fields(of: root(changed))
                let touched = before.keys.filter { before[$0] != after[$0] }
                #expect(touched.count <= 1, "\(setting.dottedKey) changed \(touched)")
                covered.formUnion(touched)
            }
            // The repetition window is the sampler's own constant, not a user setting.
            let expected = Set(fields(of: root(base)).keys).subtracting(["repetitionWindow"])
            #expect(covered == expected, "\(section): fields without a setting: \(expected.subtracting(covered).sorted())")
        }
    }

    /// Every setting, changed, survives a save and an open; the file has no key the reader does
    /// not know.
    @Test func everySettingRoundTripsThroughTheFile() throws {
        var settings = WorkspaceSettings()
        for setting in WorkspaceSettings.schema {
            settings = try setting.applying(otherValue(for: setting, current: setting.value(in: settings)), to: settings)
        }
        #expect(settings != WorkspaceSettings())
        let text = WorkspaceTOML(settings: settings).text
        let read = try WorkspaceTOML(parsing: text, path: "t.toml")
        #expect(read.settings == settings)
        #expect(read.warnings.isEmpty, "\(read.warnings)")
    }

    /// Floats are written with their own shortest digits, as a user types them: a Float 0.05 is not
    /// `0.05000000074505806`, 2e-4 reads back exactly.
    @Test(arguments: [("lora", "dropout", "0.05", "dropout = 0.05"), ("lora", "alpha", "32", "alpha = 32.0"),
                      ("training", "learning_rate", "2e-4", "learning_rate = 0.0002"),
                      ("chat", "temperature", "0.3", "temperature = 0.3"), ("chat", "top_p", "0.9", "top_p = 0.9")])
    func typedNumbersAreWrittenAsTyped(section: String, key: String, typed: String, line: String) throws {
        let setting = try #require(WorkspaceSettings.setting(section, key))
        let settings = try setting.applying(text: typed, to: WorkspaceSettings())
        let text = WorkspaceTOML(settings: settings).text
        #expect(text.split(separator: "\n").contains { $0 == line || $0.hasPrefix(line + "  #") }, "\(text)")
        #expect(try WorkspaceTOML(parsing: text, path: "t.toml").settings == settings)
    }

    /// A typed value that would leave its section unusable is refused with the engine's reason,
    /// and the settings are unchanged.
    @Test func unusableValuesAreRefusedWithTheReason() throws {
        let base = WorkspaceSettings()
        let rank = try #require(WorkspaceSettings.setting("lora", "rank"))
        #expect(throws: SettingError.invalid("LoRA rank must be between 1 and 4096, not 0")) { _ = try rank.applying(text: "0", to: base) }
        #expect(throws: SettingError.invalid("enter a whole number")) { _ = try rank.applying(text: "8.5", to: base) }
        let targets = try #require(WorkspaceSettings.setting("lora", "targets"))
        #expect(try targets.applying(text: "v, q_proj,gate", to: base).lora.targets == [.query, .value, .gate])
        #expect(throws: SettingError.self) { _ = try targets.applying(text: "wq", to: base) }
        let quant = try #require(WorkspaceSettings.setting("training", "base_quant"))
        #expect(try quant.applying(text: "nf4", to: base).training.baseQuant == .nf4)
        #expect(try quant.applying(.text(""), to: base).training.baseQuant == nil)  // files written before "as stored"
    }

    /// A fresh workspace starts from `TrainingSettings.fineTuneDefaults`, which `tunebench train`
    /// without a workspace uses too.
    @Test func aFreshWorkspaceTrainsWithTheFineTuneDefaults() {
        #expect(WorkspaceSettings().training == TrainingSettings.fineTuneDefaults)
        #expect(TrainingSettings.fineTuneDefaults.schedule == .cosine && TrainingSettings.fineTuneDefaults.evalEvery == 50)
    }
}
