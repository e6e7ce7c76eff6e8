import Foundation
import Testing

@testable import Engine

/// Hostile templates (a chat template is downloaded with the model): each must fail with a clear
/// error quickly, never hang or crash. The time bound only catches runaway work; it is generous.
@Suite struct ChatTemplateSandboxTests {
    static let quick: Duration = .seconds(10)

    /// Renders `source` and returns the error it throws, with how long it took.
    private func failure(_ source: String) -> (error: ChatTemplateError?, elapsed: Duration) {
        let clock = ContinuousClock()
        var caught: ChatTemplateError? = nil
        let elapsed = clock.measure {
            do {
                let template = try ChatTemplate(source: source)
                _ = try template.render(messages: [ChatMessage(role: "user", content: "hi")], addGenerationPrompt: true)
            } catch let e as ChatTemplateError {
                caught = e
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
        return (caught, elapsed)
    }

    private func expectLimit(_ source: String, mentioning word: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (error, elapsed) = failure(source)
        guard case .limitExceeded(let message)? = error else {
            Issue.record("expected a limit error, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(message.contains(word), "\(message)", sourceLocation: sourceLocation)
        #expect(elapsed < Self.quick, sourceLocation: sourceLocation)
    }

    /// Issue 13's findings: a range whose length overflowed past the limit, the one integer
    /// quotient that traps, and indents built before the output limit was applied.
    @Test(arguments: [
        ("{{ range(-9223372036854775807-1, 9223372036854775807)|length }}", "range()"),
        ("{% for i in range(-9223372036854775807-1, 9223372036854775807, 3) %}{% endfor %}", "range()"),
        ("{{ (-9223372036854775807 - 1) // -1 }}", "overflow"),
        ("{{ (-9223372036854775807 - 1) % -1 }}", "overflow"),
        ("{{ 'x\ny'|indent(10**12) }}", "bytes"),
        ("{{ 'x\ny'|indent(10**12, true) }}", "bytes"),
        ("{{ [1]|tojson(indent=10**12) }}", "bytes"),
        ("{{ ('\n' * 500000)|indent(100, true, true) }}", "bytes"),
    ])
    func overflowingSizesAreRefused(source: String, word: String) {
        expectLimit(source, mentioning: word)
    }

    /// Issue 13: O(n) built-ins on large values inside loops ran for minutes to hours; their work
    /// now counts against the render's budget.
    @Test(arguments: [
        "{% set l = range(100000)|list %}{% for i in range(100000) %}{{ 99999 in l }}{% endfor %}",
        "{% set l = range(100000)|list %}{% for i in range(10000) %}{{ (l|sort)[0] }}{% endfor %}",
        "{{ range(100000)|unique|length }}",
        "{% set l = range(100000)|list %}{% for i in range(100000) %}{{ l|max }}{% endfor %}",
        "{% set l = range(100000)|list %}{% for i in range(100000) %}{{ l == l }}{% endfor %}",
        "{% set s = 'a ' * 400000 %}{% for i in range(100000) %}{{ s.split()|length }}{% endfor %}",
        "{% set s = 'a ' * 400000 %}{% for i in range(100000) %}{{ (s|title)[0] }}{% endfor %}",
        "{% set s = 'a' * 800000 %}{% for i in range(100000) %}{{ 'b' in s }}{% endfor %}",
        "{% macro f(l) %}{{ 5 in l }}{% endmacro %}{% set l = range(100000)|list %}{% for i in range(100000) %}{{ f(l) }}{% endfor %}",
    ])
    func linearBuiltinsInLoopsAreCharged(source: String) {
        expectLimit(source, mentioning: "built-ins")
    }

    /// Extreme but small ranges are fine: Python gives [9223372036854775807, -1].
    @Test func aRangeWithExtremeBoundsButFewItemsIsComputed() throws {
        let template = try ChatTemplate(source: "{{ range(9223372036854775807, -9223372036854775807-1, -9223372036854775807-1)|list }}")
        #expect(try template.render(messages: [], addGenerationPrompt: false) == "[9223372036854775807, -1]")
    }

    @Test func hugeRangeIsRefused() {
        expectLimit("{% for i in range(10**9) %}{{ i }}{% endfor %}", mentioning: "range()")
    }

    @Test func nestedLoopsStopAtTheIterationBudget() {
        expectLimit(
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
            mentioning: "loop iterations")
    }

    @Test func selfRecursiveMacroStopsAtTheDepthLimit() {
        expectLimit("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", mentioning: "nested deeper")
    }

    @Test func exponentialMacroFanOutStopsAtTheCallBudget() {
        expectLimit(
            "{% macro f(n) %}{% if n < 100 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
            mentioning: "macro calls")
    }

    @Test func hugeStringMultiplicationIsRefusedBeforeAllocating() {
        expectLimit("{{ 'a' * 10**9 }}", mentioning: "bytes")
        expectLimit("{{ [1] * 10**9 }}", mentioning: "items")
    }

    @Test func outputSizeIsBounded() {
        expectLimit("{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}", mentioning: "output")
    }

    @Test func quadraticStringGrowthIsBounded() {
        expectLimit(
            "{% set ns = namespace(s='') %}{% for i in range(100000) %}{% set ns.s = ns.s ~ 'xxxxxxxxxx' %}{% endfor %}",
            mentioning: "bytes")
    }

    @Test func integerOverflowIsAnErrorNotACrash() {
        expectLimit("{{ 2 ** 100 }}", mentioning: "overflow")
        expectLimit("{{ 9223372036854775807 + 1 }}", mentioning: "overflow")
    }

    /// Hostile nesting, by name (the sources themselves are too long to print as test arguments).
    static let deepSources: [String: String] = [
        "10,000 parentheses": "{{ " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000) + " }}",
        "10,000 unclosed parentheses": "{{ " + String(repeating: "(", count: 10_000),
        "10,000 brackets": "{{ " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + " }}",
        "10,000 additions": "{{ 1" + String(repeating: " + 1", count: 10_000) + " }}",
        "10,000 filters": "{{ x" + String(repeating: " | trim", count: 10_000) + " }}",
        "10,000 nots": "{{ " + String(repeating: "not ", count: 10_000) + "x }}",
        "10,000 minus signs": "{{ " + String(repeating: "-", count: 10_000) + "1 }}",
        "10,000 nested ifs": String(repeating: "{% if true %}", count: 10_000) + String(repeating: "{% endif %}", count: 10_000),
    ]

    @Test(arguments: deepSources.keys.sorted())
    func deepNestingIsASyntaxErrorNotAStackOverflow(name: String) throws {
        let source = try #require(Self.deepSources[name])
        let clock = ContinuousClock()
        var caught: ChatTemplateError? = nil
        let elapsed = clock.measure {
            do { _ = try ChatTemplate(source: source) } catch let e as ChatTemplateError { caught = e } catch {}
        }
        guard case .syntax(let message, _, _)? = caught else {
            Issue.record("expected a syntax error, got \(String(describing: caught))")
            return
        }
        #expect(message.contains("nests deeper") || message.contains("not closed"), "\(message)")
        #expect(elapsed < Self.quick)
    }

    @Test func reasonableNestingStillParses() throws {
        let source = "{{ " + String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40) + " }}"
        #expect(try ChatTemplate(source: source).render(context: [:]) == "1")
    }

    @Test func listsAreImmutableAsInHFsSandbox() {
        let (error, _) = failure("{% set xs = [] %}{{ xs.append(1) }}")
        guard case .runtime(let message, _)? = error else {
            Issue.record("expected a runtime error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("cannot be modified"))
    }
}
