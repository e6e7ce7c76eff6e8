import ArgumentParser
import Engine
import Foundation

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

    static func main() {
        // A blocked signal mask survives exec: a parent that blocked SIGTERM, SIGHUP or SIGWINCH
        // (test runners do) would leave us deaf to being stopped or resized. Start with none blocked.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        BLAS.idleThreadsSleepAtOnce()
        main(nil)
    }
}
