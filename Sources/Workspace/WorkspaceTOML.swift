import Corpus
import Engine
import Foundation
import TOMLKit

/// `tunebench.toml` ⇄ `WorkspaceSettings`. Reading checks every known key's type and range and
/// throws one `WorkspaceError.badValue` naming the first bad key; unknown keys and sections are
/// kept verbatim (so a newer TuneBench's settings survive a save) and reported as warnings.
public struct WorkspaceTOML: Sendable {
    public var settings: WorkspaceSettings
    /// Unknown entries as TOML text: keys of a known section under its name, top-level keys
    /// under "", whole unknown sections and sub-tables under their dotted name.
    public var unknown: [(section: String, text: String)] = []
    /// One line per unknown key or section.
    public var warnings: [String] = []

    public init(settings: WorkspaceSettings) { self.settings = settings }

    /// The sections in file order; a key outside them is unknown.
    static let sections = ["pdf", "dataset", "model", "lora", "training", "chat", "ui"]

    /// Parses TOML `text`; `path` is used in messages.
    public init(parsing text: String, path: String) throws(WorkspaceError) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw .syntax(path: path, line: error.source.begin.line, column: error.source.begin.column,
                          message: error.description)
        } catch {
            throw .syntax(path: path, line: 0, column: 0, message: "\(error)")
        }
        var settings = WorkspaceSettings()
        var unknown: [(section: String, text: String)] = []
        var warnings: [String] = []
        func collect(_ r: inout SectionReader) {
            for key in r.table.keys where !r.used.contains(key) {
                unknownEntry(section: r.section, key: key, value: r.table[key]!)
            }
        }
        func unknownEntry(section: String, key: String?, value: TOMLValueConvertible) {
            if let key, value.table == nil {
                // A plain key of a known section, written back inside it.
                unknown.append((section, TOMLTable([key: value]).convert().trimmingCharacters(in: .newlines)))
                warnings.append("\(path): unknown key \(section).\(key) (kept)")
            } else if let key {
                // A sub-table of a known section: written back as [section.key] at the end.
                let text = TOMLTable([section: TOMLTable([key: value])]).convert().trimmingCharacters(in: .newlines)
                unknown.append(("\(section).\(key)", text))
                warnings.append("\(path): unknown section \(section).\(key) (kept)")
            } else if value.table != nil {
                unknown.append((section, TOMLTable([section: value]).convert().trimmingCharacters(in: .newlines)))
                warnings.append("\(path): unknown section [\(section)] (kept)")
            } else {
                // A top-level key: it must stay above the first section.
                unknown.append(("", TOMLTable([section: value]).convert().trimmingCharacters(in: .newlines)))
                warnings.append("\(path): unknown key \(section) (kept)")
            }
        }
        for key in table.keys where !Self.sections.contains(key) {
            unknownEntry(section: key, key: nil, value: table[key]!)
        }
        func section(_ name: String) throws(WorkspaceError) -> SectionReader? {
            guard let value = table[name] else { return nil }
            guard let sub = value.table else {
                throw .badValue(path: path, key: name, reason: "must be a [\(name)] table")
            }
            return SectionReader(path: path, table: sub, section: name)
        }
        if var r = try section("pdf") {
            settings.pdf.path = try r.string("path").flatMap { $0.isEmpty ? nil : $0 }
            if let numbers = try r.numbers("crop", count: 4) {
                guard numbers[0] < numbers[2], numbers[1] < numbers[3] else {
                    throw r.bad("crop", "must be [x0, top, x1, bottom] with x0 < x1 and top < bottom")
                }
                settings.pdf.crop = CropBox(x0: numbers[0], top: numbers[1], x1: numbers[2], bottom: numbers[3])
            }
            if let pages = try r.numbers("body_pages", count: 2) {
                guard pages.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }), pages[0] <= pages[1] else {
                    throw r.bad("body_pages", "must be [first, last] page numbers from 1 with first ≤ last")
                }
                settings.pdf.bodyPages = Int(pages[0])...Int(pages[1])
            }
            settings.pdf.output = try r.string("output") ?? settings.pdf.output
            collect(&r)
        }
        if var r = try section("dataset") {
            var d = settings.dataset
            d.input = try r.string("input") ?? d.input
            if let f = try r.string("format") {
                guard let format = DatasetFormat(rawValue: f) else {
                    throw r.bad("format", "must be one of \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                d.format = format
            }
            d.output = try r.string("output") ?? d.output
            d.settings.contextLength = try r.int("context_length", in: 2...(1 << 20)) ?? d.settings.contextLength
            d.settings.minLength = try r.int("min_length", in: 0...Int.max) ?? d.settings.minLength
            d.settings.eosAtParagraphEnds = try r.bool("eos_at_paragraph_ends") ?? d.settings.eosAtParagraphEnds
            d.settings.newlinesToSpaces = try r.bool("newlines_to_spaces") ?? d.settings.newlinesToSpaces
            d.settings.padLastWindow = try r.bool("pad_last_window") ?? d.settings.padLastWindow
            d.settings.packConversations = try r.bool("pack_conversations") ?? d.settings.packConversations
            if let t = try r.double("test_fraction") {
                guard t >= 0 && t < 1 else { throw r.bad("test_fraction", "must be in [0, 1), not \(t)") }
                d.settings.testFraction = t
            }
            d.settings.seed = try r.seed("seed") ?? d.settings.seed
            d.settings.shuffle = try r.bool("shuffle") ?? d.settings.shuffle
            settings.dataset = d
            collect(&r)
        }
        if var r = try section("model") {
            settings.model.path = try r.string("path").flatMap { $0.isEmpty ? nil : $0 }
            collect(&r)
        }
        if var r = try section("lora") {
            var l = settings.lora
            l.rank = try r.int("rank", in: 1...4096) ?? l.rank
            if let a = try r.double("alpha") {
                guard a > 0 && a.isFinite else { throw r.bad("alpha", "must be a positive number, not \(a)") }
                l.alpha = Float(a)
            }
            if let d = try r.double("dropout") {
                guard d >= 0 && d < 1 else { throw r.bad("dropout", "must be in [0, 1), not \(d)") }
                l.dropout = Float(d)
            }
            if let names = try r.strings("targets") {
                var targets: [LoRATarget] = []
                for name in names {
                    guard let t = LoRATarget(name: name) else {
                        throw r.bad("targets", "has '\(name)'; use q, k, v, o, gate, up, down")
                    }
                    targets.append(t)
                }
                guard !targets.isEmpty else { throw r.bad("targets", "must name at least one projection") }
                l.targets = LoRATarget.allCases.filter(targets.contains)
            }
            l.useRSLoRA = try r.bool("rslora") ?? l.useRSLoRA
            settings.lora = l
            collect(&r)
        }
        if var r = try section("training") {
            var t = settings.training
            if let lr = try r.double("learning_rate") {
                guard lr > 0 && lr < 1 else { throw r.bad("learning_rate", "must be in (0, 1), not \(lr)") }
                t.learningRate = lr
            }
            if let s = try r.string("schedule") {
                guard let schedule = LearningRateSchedule(rawValue: s) else {
                    throw r.bad("schedule", "must be constant, linear or cosine, not '\(s)'")
                }
                t.schedule = schedule
            }
            t.warmupSteps = try r.int("warmup_steps", in: 0...Int.max) ?? t.warmupSteps
            t.epochs = try r.int("epochs", in: 1...100_000) ?? t.epochs
            t.maxSteps = try r.int("max_steps", in: 0...Int.max) ?? t.maxSteps
            t.batchSize = try r.int("batch_size", in: 1...4096) ?? t.batchSize
            t.gradAccumulation = try r.int("grad_accumulation", in: 1...4096) ?? t.gradAccumulation
            t.evalEvery = try r.int("eval_every", in: 0...Int.max) ?? t.evalEvery
            t.saveEvery = try r.int("save_every", in: 0...Int.max) ?? t.saveEvery
            if let w = try r.double("weight_decay") {
                guard w >= 0 && w.isFinite else { throw r.bad("weight_decay", "must be 0 or more, not \(w)") }
                t.weightDecay = w
            }
            t.seed = try r.seed("seed") ?? t.seed
            if let q = try r.string("base_quant") {
                guard q.isEmpty || BaseQuantization(rawValue: q) != nil else {
                    throw r.bad("base_quant", "must be \"\" (the model file's format), nf4, q8_0 or q4_0, not '\(q)'")
                }
                t.baseQuant = BaseQuantization(rawValue: q)
            }
            settings.training = t
            collect(&r)
        }
        if var r = try section("chat") {
            var c = settings.chat
            if let v = try r.double("temperature") {
                guard v >= 0 && v.isFinite else { throw r.bad("temperature", "must be 0 or more, not \(v)") }
                c.sampling.temperature = Float(v)
            }
            c.sampling.topK = try r.int("top_k", in: 0...Int.max) ?? c.sampling.topK
            if let v = try r.double("top_p") {
                guard v > 0 && v <= 1 else { throw r.bad("top_p", "must be in (0, 1], not \(v)") }
                c.sampling.topP = Float(v)
            }
            if let v = try r.double("min_p") {
                guard v >= 0 && v < 1 else { throw r.bad("min_p", "must be in [0, 1), not \(v)") }
                c.sampling.minP = Float(v)
            }
            if let v = try r.double("repeat_penalty") {
                guard v > 0 && v.isFinite else { throw r.bad("repeat_penalty", "must be positive, not \(v)") }
                c.sampling.repetitionPenalty = Float(v)
            }
            c.sampling.seed = try r.seed("seed") ?? c.sampling.seed
            c.maxTokens = try r.int("max_tokens", in: 1...1_000_000) ?? c.maxTokens
            c.systemPrompt = try r.string("system_prompt") ?? c.systemPrompt
            c.adapter = try r.string("adapter").flatMap { $0.isEmpty ? nil : $0 }
            settings.chat = c
            collect(&r)
        }
        if var r = try section("ui") {
            settings.ui.theme = try r.string("theme") ?? settings.ui.theme
            collect(&r)
        }
        self.settings = settings
        self.unknown = unknown
        self.warnings = warnings
    }

    /// The file's text: known sections in a fixed order with every key written (so a user sees all
    /// choices), then the kept unknown entries.
    public var text: String {
        let s = settings
        var out = "# TuneBench workspace: every choice made in the workbench. Paths are relative to this folder.\n"
        for entry in unknown where entry.section.isEmpty { out += entry.text + "\n" }
        func section(_ name: String, _ lines: [String]) {
            out += "\n[\(name)]\n"
            for line in lines { out += line + "\n" }
            for entry in unknown where entry.section == name { out += entry.text + "\n" }
        }
        section("pdf", [
            "path = \(quote(s.pdf.path ?? ""))",
            s.pdf.crop.map { "crop = [\(number($0.x0)), \(number($0.top)), \(number($0.x1)), \(number($0.bottom))]  # points: x0, top, x1, bottom" }
                ?? "# crop = [x0, top, x1, bottom]  # points from the top-left corner; unset keeps whole pages",
            s.pdf.bodyPages.map { "body_pages = [\($0.lowerBound), \($0.upperBound)]" } ?? "# body_pages = [first, last]",
            "output = \(quote(s.pdf.output))",
        ])
        let d = s.dataset
        section("dataset", [
            "input = \(quote(d.input))", "format = \(quote(d.format.rawValue))", "output = \(quote(d.output))",
            "context_length = \(d.settings.contextLength)", "min_length = \(d.settings.minLength)",
            "eos_at_paragraph_ends = \(d.settings.eosAtParagraphEnds)", "newlines_to_spaces = \(d.settings.newlinesToSpaces)",
            "pad_last_window = \(d.settings.padLastWindow)", "pack_conversations = \(d.settings.packConversations)",
            "test_fraction = \(number(d.settings.testFraction))", "seed = \(d.settings.seed)", "shuffle = \(d.settings.shuffle)",
        ])
        section("model", ["path = \(quote(s.model.path ?? ""))  # empty: the default model (\(ModelCache.defaultModelFile))"])
        section("lora", [
            "rank = \(s.lora.rank)", "alpha = \(number(Double(s.lora.alpha)))", "dropout = \(number(Double(s.lora.dropout)))",
            "targets = [\(s.lora.targets.map { quote($0.rawValue) }.joined(separator: ", "))]", "rslora = \(s.lora.useRSLoRA)",
        ])
        let t = s.training
        section("training", [
            "learning_rate = \(number(t.learningRate))", "schedule = \(quote(t.schedule.rawValue))",
            "warmup_steps = \(t.warmupSteps)", "epochs = \(t.epochs)", "max_steps = \(t.maxSteps)  # 0: run the epochs",
            "batch_size = \(t.batchSize)", "grad_accumulation = \(t.gradAccumulation)", "eval_every = \(t.evalEvery)",
            "save_every = \(t.saveEvery)", "weight_decay = \(number(t.weightDecay))", "seed = \(t.seed)",
            "base_quant = \(quote(t.baseQuant?.rawValue ?? ""))  # \"\": the model file's format; nf4, q8_0 or q4_0 requantizes the layers' projections at load",
        ])
        let c = s.chat
        section("chat", [
            "temperature = \(number(Double(c.sampling.temperature)))", "top_k = \(c.sampling.topK)",
            "top_p = \(number(Double(c.sampling.topP)))", "min_p = \(number(Double(c.sampling.minP)))",
            "repeat_penalty = \(number(Double(c.sampling.repetitionPenalty)))", "seed = \(c.sampling.seed)",
            "max_tokens = \(c.maxTokens)", "system_prompt = \(quote(c.systemPrompt))", "adapter = \(quote(c.adapter ?? ""))",
        ])
        section("ui", ["theme = \(quote(s.ui.theme))"])
        for entry in unknown where !entry.section.isEmpty && !Self.sections.contains(entry.section) { out += "\n" + entry.text + "\n" }
        return out
    }
}

/// A float as TOML writes it: always with a decimal point or exponent, shortest round-trip digits.
func number(_ value: Double) -> String {
    let text = "\(value)"
    return text.contains(".") || text.contains("e") ? text : text + ".0"
}

/// A TOML basic string.
func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\u%04X", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}

/// Typed access to one section's keys; remembers which were read so the rest count as unknown.
struct SectionReader {
    let path: String
    let table: TOMLTable
    let section: String
    var used: Set<String> = []

    init(path: String, table: TOMLTable, section: String) {
        self.path = path
        self.table = table
        self.section = section
    }

    func bad(_ key: String, _ reason: String) -> WorkspaceError {
        .badValue(path: path, key: "\(section).\(key)", reason: reason)
    }

    private mutating func value(_ key: String) -> TOMLValueConvertible? {
        used.insert(key)
        return table[key]
    }

    mutating func string(_ key: String) throws(WorkspaceError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw bad(key, "must be a string in quotes") }
        return s
    }

    mutating func bool(_ key: String) throws(WorkspaceError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else { throw bad(key, "must be true or false") }
        return b
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws(WorkspaceError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.int else { throw bad(key, "must be a whole number") }
        guard range.contains(i) else {
            throw bad(key, range.upperBound == Int.max ? "must be \(range.lowerBound) or more, not \(i)"
                      : "must be between \(range.lowerBound) and \(range.upperBound), not \(i)")
        }
        return i
    }

    mutating func seed(_ key: String) throws(WorkspaceError) -> UInt64? {
        try int(key, in: 0...Int.max).map { UInt64($0) }
    }

    mutating func double(_ key: String) throws(WorkspaceError) -> Double? {
        guard let v = value(key) else { return nil }
        if let d = v.double, d.isFinite { return d }
        if let i = v.int { return Double(i) }
        throw bad(key, "must be a number")
    }

    mutating func numbers(_ key: String, count: Int) throws(WorkspaceError) -> [Double]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array, array.count == count else { throw bad(key, "must be a list of \(count) numbers") }
        var out: [Double] = []
        for element in array {
            if let d = element.double, d.isFinite { out.append(d) } else if let i = element.int { out.append(Double(i)) } else {
                throw bad(key, "must be a list of \(count) numbers")
            }
        }
        return out
    }

    mutating func strings(_ key: String) throws(WorkspaceError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array else { throw bad(key, "must be a list of strings") }
        var out: [String] = []
        for element in array {
            guard let s = element.string else { throw bad(key, "must be a list of strings") }
            out.append(s)
        }
        return out
    }
}
