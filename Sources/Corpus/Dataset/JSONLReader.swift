import Foundation

/// What `JSONLReader` found in a file.
public struct JSONLReadResult: Sendable {
    /// The records, in file order (a page-map line with several keys gives one record per page, by page number).
    public var records: [DatasetRecord]
    /// The shape that was read (the detected one when `auto` was asked for).
    public var format: DatasetFormat
    /// Lines that were skipped, with why (empty lines are neither records nor bad lines).
    public var badLines: [BadLine]
    /// Lines in the file.
    public var lineCount: Int
}

/// Reads JSONL datasets in the shapes of `DatasetFormat`. Each line is parsed with
/// `JSONSerialization`; a line that is not JSON, not an object, or lacks the shape's fields is a
/// `BadLine`: skipped and counted, or thrown with `strict`.
public struct JSONLReader: Sendable {
    public var format: DatasetFormat
    public var strict: Bool

    public init(format: DatasetFormat = .auto, strict: Bool = false) {
        self.format = format
        self.strict = strict
    }

    public func read(contentsOf url: URL) throws(DatasetError) -> JSONLReadResult {
        try read(data: try Self.contents(of: url), path: url.path)
    }

    /// The bytes of an input file, or `.unreadable` with a one-line reason.
    public static func contents(of url: URL) throws(DatasetError) -> Data {
        // A FIFO or a pipe (`<(…)`, /dev/stdin) is no file of known size (Foundation says "permission
        // denied"), and can be opened only once: read it to its end.
        var info = stat()
        if stat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFIFO || (info.st_mode & S_IFMT) == S_IFCHR {
            do {
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                return try handle.readToEnd() ?? Data()
            } catch { throw .unreadable(path: url.path, reason: reason(error)) }
        }
        do { return try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: reason(error))
        }
    }

    /// Parses `data` (UTF-8 JSONL; `\n` or `\r\n` line ends). `path` is only used in messages.
    public func read(data: Data, path: String = "<input>") throws(DatasetError) -> JSONLReadResult {
        var records: [DatasetRecord] = []
        var badLines: [BadLine] = []
        var format = self.format
        var lineNumber = 0
        let bytes = [UInt8](data)
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let next = end + 1
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            defer { start = next }
            let line = bytes[start..<end]
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }

            let object: [String: Any]
            do {
                // Said as what it is: JSON's parser calls bad UTF-8 "not valid JSON".
                guard String(validating: line, as: UTF8.self) != nil else { throw BadLine(line: lineNumber, reason: "not valid UTF-8 text") }
                let value = try JSONSerialization.jsonObject(with: Data(line), options: [])
                guard let dictionary = value as? [String: Any] else {
                    throw BadLine(line: lineNumber, reason: "not a JSON object")
                }
                object = dictionary
                if format == .auto {
                    guard let detected = Self.detect(keys: Array(object.keys)) else {
                        throw DatasetError.unknownFormat(line: lineNumber, keys: object.keys.sorted())
                    }
                    format = detected
                }
                records.append(contentsOf: try Self.records(from: object, format: format, line: lineNumber))
            } catch let error as DatasetError {
                throw error
            } catch {
                let bad = (error as? BadLine) ?? BadLine(line: lineNumber, reason: "not valid JSON")
                if strict { throw .badLine(bad) }
                badLines.append(bad)
            }
        }
        if records.isEmpty { throw .noRecords(path: path, badLines: badLines.count, first: badLines.first) }
        return JSONLReadResult(records: records, format: format, badLines: badLines, lineCount: lineNumber)
    }

    /// The shape a record's keys suggest, or nil.
    public static func detect(keys: [String]) -> DatasetFormat? {
        let set = Set(keys)
        if set.contains("messages") { return .chat }
        if set.contains("instruction") && set.contains("output") { return .alpaca }
        if set.contains("prompt") && set.contains("completion") { return .promptCompletion }
        if set.contains("text") { return .text }
        if !set.isEmpty && set.allSatisfy(isPageNumber) { return .pages }
        return nil
    }

    private static func isPageNumber(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 9 && key.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    private static func records(from object: [String: Any], format: DatasetFormat, line: Int) throws -> [DatasetRecord] {
        func string(_ key: String) throws -> String {
            guard let value = object[key] else { throw BadLine(line: line, reason: "missing \"\(key)\"") }
            guard let text = value as? String else { throw BadLine(line: line, reason: "\"\(key)\" is not a string") }
            return text
        }
        switch format {
        case .auto:
            preconditionFailure("format is detected before records are read")
        case .pages:
            guard !object.isEmpty else { throw BadLine(line: line, reason: "empty object, expected {\"<page number>\": text}") }
            var pages: [(Int, String)] = []
            for key in object.keys {
                guard isPageNumber(key), let page = Int(key) else {
                    throw BadLine(line: line, reason: "key \"\(key)\" is not a page number")
                }
                pages.append((page, try string(key)))
            }
            return pages.sorted { $0.0 < $1.0 }.map { DatasetRecord(line: line, content: .text($0.1), pages: $0.0...$0.0) }
        case .text:
            return [DatasetRecord(line: line, content: .text(try string("text")))]
        case .promptCompletion:
            let messages = [ChatMessage(role: "user", content: try string("prompt")),
                            ChatMessage(role: "assistant", content: try string("completion"))]
            return [DatasetRecord(line: line, content: .conversation(messages))]
        case .alpaca:
            let instruction = try string("instruction")
            let input = object["input"] == nil || object["input"] is NSNull ? "" : try string("input")
            // The Alpaca prompt puts the input after the instruction, separated by a blank line.
            let prompt = input.isEmpty ? instruction : instruction + "\n\n" + input
            let messages = [ChatMessage(role: "user", content: prompt),
                            ChatMessage(role: "assistant", content: try string("output"))]
            return [DatasetRecord(line: line, content: .conversation(messages))]
        case .chat:
            guard let list = object["messages"] as? [Any] else {
                throw BadLine(line: line, reason: object["messages"] == nil ? "missing \"messages\"" : "\"messages\" is not an array")
            }
            var messages: [ChatMessage] = []
            for (index, item) in list.enumerated() {
                guard let message = item as? [String: Any] else {
                    throw BadLine(line: line, reason: "message \(index + 1) is not an object")
                }
                guard let role = message["role"] as? String, let content = message["content"] as? String else {
                    throw BadLine(line: line, reason: "message \(index + 1) needs string \"role\" and \"content\"")
                }
                messages.append(ChatMessage(role: role, content: content))
            }
            guard messages.contains(where: { $0.role == "assistant" }) else {
                throw BadLine(line: line, reason: "no assistant message to learn from")
            }
            return [DatasetRecord(line: line, content: .conversation(messages))]
        }
    }

    /// A one-line reason for a Foundation file error ("no such file", "No space left on device").
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileWriteOutOfSpace: return "no space left on device"
            case .fileWriteVolumeReadOnly: return "read-only file system"
            default: break
            }
        }
        return nsError.localizedDescription
    }
}

extension BadLine: Error {}
