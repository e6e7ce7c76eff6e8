import Foundation
import Testing

@testable import Engine

/// Renderings compared with Python jinja2 as Hugging Face configures it (fixture made by
/// bench/chat_template_reference.py; the goldens in Tests/Fixtures/golden by the project's reference run).
@Suite struct ChatTemplateReferenceTests {
    @Test func smolLM2TemplateMatchesEveryGoldenRendering() throws {
        let golden = try #require(ChatTemplateFixtures.golden)
        let template = try ChatTemplate(source: try #require(golden["template"]?.stringValue))
        let cases = try #require(golden["cases"]).arrayValue
        #expect(cases.count == 3)
        for c in cases {
            let rendered = try template.render(
                messages: try #require(c["messages"]).chatMessages,
                addGenerationPrompt: try #require(c["add_generation_prompt"]?.boolValue))
            #expect(rendered == c["rendered"]?.stringValue)
        }
    }

    @Test(arguments: ChatTemplateFixtures.reference?["templates"]?.arrayValue.compactMap { $0["name"]?.stringValue } ?? [])
    func modelTemplateMatchesJinja2(name: String) throws {
        let entry = try #require(ChatTemplateFixtures.reference?["templates"]?.arrayValue.first { $0["name"]?.stringValue == name })
        let template = try ChatTemplate(source: try #require(entry["source"]?.stringValue))
        for c in entry["cases"]?.arrayValue ?? [] {
            let label = "\(name) / \(c["conversation"]?.stringValue ?? "?") / gen=\(c["add_generation_prompt"]?.boolValue ?? false)"
            let render = {
                try template.render(
                    messages: try #require(c["messages"]).chatMessages,
                    addGenerationPrompt: try #require(c["add_generation_prompt"]?.boolValue),
                    bosToken: entry["bos_token"]?.stringValue ?? "", eosToken: entry["eos_token"]?.stringValue ?? "")
            }
            if let expected = c["rendered"]?.stringValue {
                let rendered = try render()
                #expect(rendered == expected, "\(label)")
            } else {
                // jinja2 raised (raise_exception in the template): we must raise the same message.
                let message = try #require(c["error"]?.stringValue)
                #expect(throws: ChatTemplateError.raised(message: message), "\(label)") { _ = try render() }
            }
        }
    }

    @Test(arguments: ChatTemplateFixtures.reference?["features"]?.arrayValue.compactMap { $0["name"]?.stringValue } ?? [])
    func featureMatchesJinja2(name: String) throws {
        let entry = try #require(ChatTemplateFixtures.reference?["features"]?.arrayValue.first { $0["name"]?.stringValue == name })
        let template = try ChatTemplate(source: try #require(entry["source"]?.stringValue))
        var context: [String: JinjaValue] = [:]
        for e in entry["context"]?.objectEntries ?? [] { context[e.key] = e.value }
        if let expected = entry["rendered"]?.stringValue {
            let rendered = try template.render(context: context, dateString: "26 Jul 2024")
            #expect(rendered == expected)
        } else {
            let error = try #require(entry["error"]?.stringValue)
            do {
                let got = try template.render(context: context)
                Issue.record("expected an error like jinja2's \(error), rendered \(got)")
            } catch let e as ChatTemplateError {
                if entry["error_type"]?.stringValue == "TemplateError" {
                    #expect(e == .raised(message: error))
                } else if case .runtime(let message, _) = e {
                    #expect(message == error)
                } else {
                    Issue.record("expected a runtime error \(error), got \(e)")
                }
            }
        }
    }

    @Test func mistralRaisesOurErrorForNonAlternatingRoles() throws {
        let entry = try #require(ChatTemplateFixtures.reference?["templates"]?.arrayValue.first { $0["name"]?.stringValue == "mistral-v0.1" })
        let template = try ChatTemplate(source: try #require(entry["source"]?.stringValue))
        let messages = [ChatMessage(role: "user", content: "a"), ChatMessage(role: "user", content: "b")]
        #expect(throws: ChatTemplateError.raised(message: "Conversation roles must alternate user/assistant/user/assistant/...")) {
            _ = try template.render(messages: messages, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
        }
        // And the same template renders an alternating conversation.
        let ok = try template.render(
            messages: [ChatMessage(role: "user", content: "a"), ChatMessage(role: "assistant", content: "b")],
            addGenerationPrompt: false, bosToken: "<s>", eosToken: "</s>")
        #expect(ok == "<s>[INST] a [/INST]b</s>")
    }

    @Test func builtInChatMLIsTheReferenceChatMLTemplate() throws {
        let entry = try #require(ChatTemplateFixtures.reference?["templates"]?.arrayValue.first { $0["name"]?.stringValue == "chatml" })
        #expect(ChatTemplate.chatML.source == entry["source"]?.stringValue)
    }
}
