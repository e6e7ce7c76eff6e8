import Foundation
import Testing
@testable import Engine

/// Renderings from jinja2 (trim_blocks + lstrip_blocks, as Hugging Face renders chat templates):
/// the model's own template in ../shared/golden/chat-template.json, and the common templates in
/// Fixtures/chat-templates.json (made by bench/chat_template_reference.py).
@Suite struct ChatTemplateTests {
    static func messages(_ any: Any?) -> [ChatMessage] {
        (any as? [[String: String]] ?? []).map { ChatMessage(role: $0["role"] ?? "", content: $0["content"] ?? "") }
    }

    @Test func smolLM2TemplateMatchesJinja2() throws {
        let root = try #require(try TestPaths.json(TestPaths.golden.appendingPathComponent("chat-template.json")) as? [String: Any])
        let template = try ChatTemplate(source: try #require(root["template"] as? String))
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count == 3)
        for c in cases {
            let rendered = try template.render(messages: Self.messages(c["messages"]), addGenerationPrompt: c["add_generation_prompt"] as? Bool ?? false)
            #expect(rendered == c["rendered"] as? String)
        }
    }

    @Test func theModelFileCarriesTheSameTemplate() throws {
        let gguf = try GGUFFile(path: TestPaths.model.path)
        let root = try #require(try TestPaths.json(TestPaths.golden.appendingPathComponent("chat-template.json")) as? [String: Any])
        #expect(gguf["tokenizer.chat_template"]?.stringValue == root["template"] as? String)
        let (_, warning) = ChatTemplate.loadOrFallback(source: gguf["tokenizer.chat_template"]?.stringValue)
        #expect(warning == nil)
    }

    @Test func commonTemplatesMatchJinja2() throws {
        let root = try #require(try TestPaths.json(TestPaths.fixtures.appendingPathComponent("chat-templates.json")) as? [String: Any])
        let sources = try #require(root["templates"] as? [String: String])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count >= 24)
        var templates: [String: ChatTemplate] = [:]
        for (name, source) in sources { templates[name] = try ChatTemplate(source: source) }
        for c in cases {
            let name = try #require(c["template"] as? String)
            let template = try #require(templates[name])
            let messages = Self.messages(c["messages"])
            let result = Result { try template.render(messages: messages, addGenerationPrompt: c["add_generation_prompt"] as? Bool ?? false, bosToken: "<s>", eosToken: "</s>") }
            if let expected = c["rendered"] as? String {
                let got = try? result.get()
                #expect(got == expected, "\(name) with \(messages.count) messages:\n got \(got.debugDescription)\nwant \(expected.debugDescription)")
            } else {
                let expectedError = try #require(c["error"] as? String)
                switch result {
                case .success(let text): Issue.record("\(name) rendered \(text.debugDescription) where jinja2 raised '\(expectedError)'")
                case .failure(let error):
                    let e = try #require(error as? JinjaError)
                    #expect(e.raisedByTemplate && e.message == expectedError)
                }
            }
        }
    }

    @Test func unsupportedTemplateFallsBackToChatML() throws {
        let (template, warning) = ChatTemplate.loadOrFallback(source: "{% for m in messages %}{% call foo() %}{% endcall %}{% endfor %}")
        #expect(warning?.contains("unsupported statement") == true)
        #expect(try template.render(messages: [ChatMessage(role: "user", content: "x")], addGenerationPrompt: true)
            == "<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n")
        #expect(ChatTemplate.loadOrFallback(source: nil).warning != nil)
        #expect(throws: JinjaError.self) { try ChatTemplate(source: "{% if x %}never closed") }
        #expect(throws: JinjaError.self) { try ChatTemplate(source: "{{ 'unterminated }}") }
    }

    /// A template is downloaded data: every attempt to make it run away ends in an error, quickly.
    @Test(arguments: [
        "{% for i in range(100000000) %}x{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "{{ 'a' * 1000000000 }}",
        "{% set ns = namespace(s='aaaaaaaaaa') %}{% for i in range(1000) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}",
        "{% for i in range(1000000) %}xxxxxxxxxx{% endfor %}",
        "{{ " + String(repeating: "(", count: 10000) + "1" + String(repeating: ")", count: 10000) + " }}",
        "{{ " + String(repeating: "not ", count: 10000) + "1 }}",
        "{{ " + String(repeating: "-", count: 10000) + "1 }}",
        String(repeating: "{% if true %}", count: 5000) + String(repeating: "{% endif %}", count: 5000),
        "{{ 2 ** 100000 }}",
        "{{ [1] * 1000000000 }}",
    ])
    func hostileTemplatesEndWithAnError(source: String) {
        let start = Date()
        do {
            let template = try ChatTemplate(source: source)
            let text = try template.render(messages: [ChatMessage(role: "user", content: "hi")], addGenerationPrompt: true)
            Issue.record("rendered \(text.utf8.count) bytes instead of stopping")
        } catch {
            #expect(error is JinjaError)
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
