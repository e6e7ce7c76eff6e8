import ArgumentParser
import Engine

@main
struct TuneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunebench",
        abstract: "Fine-tune small language models on your own documents, on a CPU.",
        version: EngineInfo.version,
        subcommands: [
            ChatCommand.self, GenerateCommand.self, PerplexityCommand.self, TokenizeCommand.self,
            InspectCommand.self, ModelsCommand.self, ExtractCommand.self, PrepareCommand.self, MergeCommand.self,
        ])
}
