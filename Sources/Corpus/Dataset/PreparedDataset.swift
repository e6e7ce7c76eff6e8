import Engine
import Foundation

/// The windows of one split, held as two flat arrays.
public struct WindowSet: RandomAccessCollection, Sendable {
    public let contextLength: Int
    /// `count × contextLength` token ids.
    public let tokens: [Int32]
    /// `count × contextLength` mask values (`TokenWindow.ignored`, `.trained`, `.padding`).
    public let mask: [UInt8]

    public var startIndex: Int { 0 }
    public var endIndex: Int { contextLength == 0 ? 0 : tokens.count / contextLength }

    public subscript(index: Int) -> TokenWindow {
        let range = index * contextLength..<(index + 1) * contextLength
        return TokenWindow(tokens: Array(tokens[range]), mask: Array(mask[range]))
    }
}

/// A dataset directory written by `DatasetWriter` (`tunebench prepare`), loaded and checked: the
/// manifest's version, each split file's size and checksum, and (when given) the tokenizer.
public struct PreparedDataset: Sendable {
    public let directory: URL
    public let manifest: DatasetManifest
    public let train: WindowSet
    public let test: WindowSet

    /// - Parameter expectedTokenizer: the tokenizer training will use; a dataset made with a
    ///   different token list is refused.
    public init(directory: URL, expectedTokenizer: TokenizerIdentity? = nil) throws(DatasetError) {
        self.directory = directory
        let manifestURL = directory.appendingPathComponent(DatasetManifest.fileName)
        let manifestData: Data
        do { manifestData = try Data(contentsOf: manifestURL) } catch {
            throw .corrupt(path: directory.path, reason: "no readable \(DatasetManifest.fileName) (\(JSONLReader.reason(error)))")
        }
        if let version = (try? JSONSerialization.jsonObject(with: manifestData) as? [String: Any])?["formatVersion"] as? Int,
           version != DatasetManifest.currentVersion {
            throw .unsupportedVersion(path: manifestURL.path, version: version)
        }
        let manifest: DatasetManifest
        do { manifest = try JSONDecoder().decode(DatasetManifest.self, from: manifestData) } catch {
            throw .corrupt(path: manifestURL.path, reason: "malformed manifest (\(error))")
        }
        guard manifest.tokenBytes == 2 || manifest.tokenBytes == 4, manifest.contextLength > 0 else {
            throw .corrupt(path: manifestURL.path, reason: "bad tokenBytes or contextLength")
        }
        if let expectedTokenizer, !expectedTokenizer.isCompatible(with: manifest.tokenizer) {
            throw .tokenizerMismatch(expected: expectedTokenizer, found: manifest.tokenizer)
        }
        self.manifest = manifest
        train = try Self.load(manifest.train, manifest: manifest, directory: directory)
        test = try Self.load(manifest.test, manifest: manifest, directory: directory)
    }

    public func windows(_ split: DatasetSplit) -> WindowSet {
        switch split {
        case .train: train
        case .test: test
        }
    }

    private static func load(_ file: DatasetManifest.SplitFile, manifest: DatasetManifest, directory: URL)
        throws(DatasetError) -> WindowSet
    {
        let url = directory.appendingPathComponent(file.file)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .corrupt(path: url.path, reason: "cannot read (\(JSONLReader.reason(error)))")
        }
        let expected = file.windows * manifest.windowBytes
        guard data.count == expected, file.bytes == expected else {
            throw .corrupt(path: url.path, reason: "\(data.count) bytes, expected \(expected) for \(file.windows) windows")
        }
        var hasher = FNV1a64()
        data.withUnsafeBytes { hasher.update($0) }
        guard hasher.hexDigest == file.checksum else {
            throw .corrupt(path: url.path, reason: "checksum \(hasher.hexDigest) does not match the manifest's \(file.checksum)")
        }

        let context = manifest.contextLength
        let width = manifest.tokenBytes
        var tokens = [Int32](repeating: 0, count: file.windows * context)
        var mask = [UInt8](repeating: 0, count: file.windows * context)
        var badValue: (window: Int, what: String)?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            tokens.withUnsafeMutableBufferPointer { tokens in
                mask.withUnsafeMutableBufferPointer { mask in
                    for window in 0..<file.windows {
                        var offset = window * manifest.windowBytes
                        for position in 0..<context {
                            var value = UInt32(raw[offset]) | UInt32(raw[offset + 1]) << 8
                            if width == 4 { value |= UInt32(raw[offset + 2]) << 16 | UInt32(raw[offset + 3]) << 24 }
                            if value >= manifest.tokenizer.vocabularySize, badValue == nil {
                                badValue = (window, "token id \(value) outside the vocabulary")
                            }
                            tokens[window * context + position] = Int32(bitPattern: value)
                            offset += width
                        }
                        for position in 0..<context {
                            let value = raw[offset + position]
                            if value > TokenWindow.padding, badValue == nil { badValue = (window, "mask value \(value)") }
                            mask[window * context + position] = value
                        }
                    }
                }
            }
        }
        if let badValue { throw .corrupt(path: url.path, reason: "window \(badValue.window): \(badValue.what)") }
        return WindowSet(contextLength: context, tokens: tokens, mask: mask)
    }
}
