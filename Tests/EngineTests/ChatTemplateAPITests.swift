import Foundation
import Testing

@testable import Engine

@Suite struct ChatTemplateAPITests {
    @Test func syntaxErrorsCarryLineAndColumn() {
        #expect(throws: ChatTemplateError.syntax(message: "unexpected '}}' in expression", line: 3, column: 8)) {
            _ = try ChatTemplate(source: "line one\n{% if x %}\n{{ 1 + }}{% endif %}")
        }
        #expect(throws: ChatTemplateError.syntax(message: "missing {% else %} or {% endfor %} before the end of the template", line: 1, column: 24)) {
            _ = try ChatTemplate(source: "{% for m in messages %}")
        }
        #expect(throws: ChatTemplateError.syntax(message: "unsupported tag 'include'", line: 2, column: 4)) {
            _ = try ChatTemplate(source: "ok\n{% include 'other.jinja' %}")
        }
        #expect(throws: ChatTemplateError.syntax(message: "tag opened here is not closed with }}", line: 1, column: 3)) {
            _ = try ChatTemplate(source: "a {{ x ")
        }
    }

    @Test func loadOrFallbackUsesTheModelTemplateWhenItParses() throws {
        let source = "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"
        let (template, warning) = ChatTemplate.loadOrFallback(source: source)
        #expect(warning == nil)
        #expect(template.source == source)
    }

    @Test func loadOrFallbackFallsBackToChatMLWithAReason() throws {
        let (missing, missingWarning) = ChatTemplate.loadOrFallback(source: nil)
        #expect(missing.source == ChatTemplate.chatML.source)
        #expect(missingWarning?.contains("no chat template") == true)

        let (broken, brokenWarning) = ChatTemplate.loadOrFallback(source: "{% for m in messages %}{{ m.content }")
        #expect(broken.source == ChatTemplate.chatML.source)
        let warning = try #require(brokenWarning)
        #expect(warning.contains("line 1") && warning.contains("ChatML"))
    }

    @Test func runtimeErrorsNameTheLine() {
        let template = try? ChatTemplate(source: "a\nb\n{{ messages | frobnicate }}")
        #expect(throws: ChatTemplateError.runtime(message: "unknown filter 'frobnicate'", line: 3)) {
            _ = try template?.render(messages: [], addGenerationPrompt: false)
        }
    }

    @Test func extraVariablesAndToolsReachTheTemplate() throws {
        let template = try ChatTemplate(source: "{{ tools is none }} {{ custom }} {{ strftime_now('%d %b %Y') }}")
        let rendered = try template.render(
            messages: [], addGenerationPrompt: false, extra: ["custom": .array([.int(1), .string("a")])], dateString: "01 Jan 2025")
        #expect(rendered == "True [1, 'a'] 01 Jan 2025")
    }

    @Test func jsonTextKeepsKeyOrderAndRejectsGarbage() throws {
        let value = try JinjaValue(jsonText: #"{"b": 1, "a": [true, null, 2.5, "\u00e9\n"]}"#)
        #expect(value == .object(["b": .int(1), "a": .array([.bool(true), .none, .double(2.5), .string("é\n")])]))
        #expect(throws: JinjaJSONError.self) { _ = try JinjaValue(jsonText: "{\"a\": }") }
    }

    @Test func floatsPrintAsPythonRepr() {
        // Expected strings are Python's repr() of the same floats.
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (0.1, "0.1"), (1e15, "1000000000000000.0"), (1e16, "1e+16"), (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"), (123456789.125, "123456789.125"), (-2.5, "-2.5"), (1e100, "1e+100"),
        ]
        for (value, python) in cases { #expect(PythonFormat.float(value) == python) }
    }
}
