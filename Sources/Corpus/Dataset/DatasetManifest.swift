import Engine

/// `manifest.json` of a prepared dataset directory.
///
/// Each split is one binary file of `windows` records, each `contextLength × tokenBytes` bytes of
/// little-endian token ids (UInt16 when the vocabulary has fewer than 65536 tokens, else UInt32)
/// followed by `contextLength` mask bytes (0 context, 1 trained, 2 padding; see `TokenWindow`).
public struct DatasetManifest: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public static let fileName = "manifest.json"

    public struct SplitFile: Codable, Sendable, Equatable {
        /// File name inside the dataset directory (`train.bin`, `test.bin`).
        public var file: String
        public var windows: Int
        /// Size of the file in bytes.
        public var bytes: Int
        /// `FNV1a64.hexDigest` of the file.
        public var checksum: String
    }

    public var formatVersion: Int
    /// The program that wrote it, e.g. "tunebench 0.1.0".
    public var createdBy: String
    /// Input file name and the shape it was read as.
    public var source: String
    public var sourceFormat: DatasetFormat
    /// `FNV1a64.hexDigest` of the input file's bytes, to tell whether the input changed since
    /// (nil in manifests written before it was recorded).
    public var sourceChecksum: String?
    public var tokenizer: TokenizerIdentity
    public var contextLength: Int
    /// 2 or 4.
    public var tokenBytes: Int
    public var settings: DatasetSettings
    public var stats: DatasetStats
    public var train: SplitFile
    public var test: SplitFile

    public func file(for split: DatasetSplit) -> SplitFile {
        switch split {
        case .train: train
        case .test: test
        }
    }

    /// Bytes one window takes in a split file.
    public var windowBytes: Int { contextLength * (tokenBytes + 1) }

    /// Token width for a vocabulary: UInt16 while every id fits.
    public static func tokenBytes(vocabularySize: Int) -> Int { vocabularySize <= 65536 ? 2 : 4 }
}
