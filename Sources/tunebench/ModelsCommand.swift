import ArgumentParser
import Engine
import Foundation

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models in the cache (${TUNEBENCH_HOME:-~/.cache/tunebench}/models).",
        discussion: ExitStatus.help())

    func run() throws {
        let models = ModelCache.cachedModels()
        print("cache: \(ModelCache.modelsDirectory.path)")
        if models.isEmpty {
            print("no models cached; scripts/fetch-model.sh downloads the default one (\(ModelCache.defaultModelFile))")
            return
        }
        for url in models {
            let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            var line = url.lastPathComponent + String(format: "  %.1f MB", Double(size) / 1e6)
            if let file = try? GGUFFile(path: url.path) {
                let arch = file["general.architecture"]?.stringValue ?? "?"
                let name = file["general.name"]?.stringValue ?? ""
                line += "  \(arch)  \(name)"
            } else {
                line += "  (unreadable)"
            }
            if url.lastPathComponent == ModelCache.defaultModelFile { line += "  [default]" }
            print(line)
        }
    }
}
