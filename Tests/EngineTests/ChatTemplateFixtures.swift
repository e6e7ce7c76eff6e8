import Foundation
import Testing

@testable import Engine

/// Loads test data by path from the package root (no Package.swift resources needed).
enum ChatTemplateFixtures {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    /// Parsed with our own order-keeping JSON reader (Foundation's loses dict order, which tojson shows).
    static func load(_ path: URL) throws -> JinjaValue {
        try JinjaValue(jsonText: String(contentsOf: path, encoding: .utf8))
    }

    /// Made by bench/chat_template_reference.py with Python jinja2 (see its docstring).
    static let reference: JinjaValue? = try? load(
        packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures/chat-templates.json"))

    /// The shared golden for SmolLM2 (jinja2 renderings of the GGUF's template).
    static let golden: JinjaValue? = try? load(packageRoot.appendingPathComponent("Tests/Fixtures/golden/chat-template.json"))
}

extension JinjaValue {
    subscript(key: String) -> JinjaValue? {
        guard case .object(let entries) = self else { return nil }
        return entries.last { $0.key == key }?.value
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var arrayValue: [JinjaValue] {
        if case .array(let a) = self { return a }
        return []
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var objectEntries: [JinjaEntry] {
        if case .object(let e) = self { return e }
        return []
    }

    var chatMessages: [ChatMessage] {
        arrayValue.compactMap { m in
            guard let role = m["role"]?.stringValue, let content = m["content"]?.stringValue else { return nil }
            return ChatMessage(role: role, content: content)
        }
    }
}
