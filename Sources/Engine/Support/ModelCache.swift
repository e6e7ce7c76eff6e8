import Foundation

/// Where TuneBench keeps downloaded models: `${TUNEBENCH_HOME:-~/.cache/tunebench}/models/`.
public enum ModelCache {
    public static let defaultModelFile = "SmolLM2-135M-Instruct.Q4_1.gguf"

    public static var home: URL {
        if let custom = ProcessInfo.processInfo.environment["TUNEBENCH_HOME"], !custom.isEmpty {
            return URL(fileURLWithPath: custom, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/tunebench", isDirectory: true)
    }

    public static var modelsDirectory: URL { home.appendingPathComponent("models", isDirectory: true) }

    public static var defaultModel: URL { modelsDirectory.appendingPathComponent(defaultModelFile) }

    /// The cached `.gguf` files, sorted by name.
    public static func cachedModels() -> [URL] {
        let items = (try? FileManager.default.contentsOfDirectory(at: modelsDirectory, includingPropertiesForKeys: [.fileSizeKey])) ?? []
        return items.filter { $0.pathExtension == "gguf" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Resolves a `--model` argument: a path, a file name in the cache, or nil for the default model.
    public static func resolve(_ argument: String?) -> URL {
        guard let argument, !argument.isEmpty else { return defaultModel }
        let direct = URL(fileURLWithPath: (argument as NSString).expandingTildeInPath)
        if FileManager.default.fileExists(atPath: direct.path) { return direct }
        let cached = modelsDirectory.appendingPathComponent(argument)
        if FileManager.default.fileExists(atPath: cached.path) { return cached }
        return direct
    }
}
