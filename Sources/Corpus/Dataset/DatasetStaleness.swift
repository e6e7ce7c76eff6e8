import Engine
import Foundation

/// Whether a prepared dataset still matches the settings and the input it would be prepared
/// from now: what differs, named with the value the dataset was prepared with.
public enum DatasetStaleness {
    /// `FNV1a64.hexDigest` of an input file's bytes, as `DatasetManifest.sourceChecksum` records it.
    public static func checksum(of data: Data) -> String {
        var hasher = FNV1a64()
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.hexDigest
    }

    /// What differs between `manifest` and the current settings and input, e.g.
    /// ["context 256", "min length 100"] for settings, ["pages.jsonl changed"] for the input;
    /// empty when the dataset is current. An input name or checksum the manifest lacks is not
    /// compared (manifests from before checksums were recorded).
    public static func differences(_ manifest: DatasetManifest, settings: DatasetSettings, input: String,
                                   inputChecksum: String?) -> [String] {
        let old = manifest.settings
        var prepared: [String] = []
        func compare<T: Equatable>(_ a: T, _ b: T, _ name: String, _ show: (T) -> String) {
            if a != b { prepared.append("\(name) \(show(a))") }
        }
        let onOff: (Bool) -> String = { $0 ? "on" : "off" }
        compare(old.contextLength, settings.contextLength, "context", String.init)
        compare(old.minLength, settings.minLength, "min length", String.init)
        compare(old.joinPages, settings.joinPages, "join pages", onOff)
        compare(old.eosAtParagraphEnds, settings.eosAtParagraphEnds, "EOS at paragraph ends", onOff)
        compare(old.newlinesToSpaces, settings.newlinesToSpaces, "newlines to spaces", onOff)
        compare(old.padLastWindow, settings.padLastWindow, "pad last window", onOff)
        compare(old.packConversations, settings.packConversations, "pack conversations", onOff)
        compare(old.testFraction, settings.testFraction, "test fraction", { "\($0)" })
        compare(old.seed, settings.seed, "seed", String.init)
        compare(old.shuffle, settings.shuffle, "shuffle", onOff)
        var found = prepared.isEmpty ? [] : ["prepared with " + prepared.joined(separator: ", ")]
        if manifest.source != input {
            found.append("prepared from \(manifest.source)")
        } else if let recorded = manifest.sourceChecksum, let inputChecksum, recorded != inputChecksum {
            found.append("\(input) changed since")
        }
        return found
    }

    /// "out of date: prepared with context 256" (nil when current), the line the Dataset pane shows.
    public static func message(_ manifest: DatasetManifest, settings: DatasetSettings, input: String,
                               inputChecksum: String?) -> String? {
        let found = differences(manifest, settings: settings, input: input, inputChecksum: inputChecksum)
        return found.isEmpty ? nil : "out of date: " + found.joined(separator: "; ")
    }
}
