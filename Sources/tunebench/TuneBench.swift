import ArgumentParser
import Engine

@main
struct TuneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunebench",
        abstract: "Fine-tune small language models on your own documents, on a CPU.",
        version: EngineInfo.version,
        subcommands: [
            OpenCommand.self, InitCommand.self,
            ChatCommand.self, GenerateCommand.self, PerplexityCommand.self, TokenizeCommand.self,
            InspectCommand.self, ModelsCommand.self, QuantizeCommand.self, ExtractCommand.self, PrepareCommand.self,
            TrainCommand.self, MergeCommand.self, BenchTrainCommand.self,
        ],
        defaultSubcommand: OpenCommand.self)
}
