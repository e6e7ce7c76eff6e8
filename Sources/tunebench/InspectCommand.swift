import ArgumentParser
import Engine
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a GGUF file's metadata and tensor table.",
        discussion: ExitStatus.help())

    @Argument(help: "The .gguf file.") var path: String
    @Flag(help: "Show every tensor (default: the first 40).") var allTensors = false

    func run() throws {
        let file = try GGUFFile(path: ModelCache.resolve(path).path)
        print("GGUF v\(file.version), \(file.metadata.count) metadata keys, \(file.tensors.count) tensors, alignment \(file.alignment), data at \(file.dataOffset)")
        print("")
        let width = file.metadata.map(\.key.count).max() ?? 0
        for (key, value) in file.metadata {
            print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value.summary())
        }
        print("")
        let nameWidth = max(4, file.tensors.map(\.name.count).max() ?? 0)
        print("name".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  type   shape               bytes")
        let shown = allTensors ? file.tensors[...] : file.tensors.prefix(40)
        for t in shown {
            let shape = t.dimensions.map(String.init).joined(separator: " × ")
            print(t.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + t.type.name.padding(toLength: 6, withPad: " ", startingAt: 0) + " "
                + shape.padding(toLength: 19, withPad: " ", startingAt: 0) + " \(t.byteCount)")
        }
        if shown.count < file.tensors.count { print("… \(file.tensors.count - shown.count) more (--all-tensors)") }
        var byType: [String: (Int, Int)] = [:]
        for t in file.tensors { byType[t.type.name, default: (0, 0)].0 += 1; byType[t.type.name, default: (0, 0)].1 += t.elementCount }
        print("")
        print("totals: " + byType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0) tensors (\($0.value.1) weights)" }.joined(separator: ", "))
    }
}
