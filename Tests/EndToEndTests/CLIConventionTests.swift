import Foundation
import Testing

/// What every `tunebench` command has in common: one error line, exit codes, command names.
@Suite struct CLIConventionTests {
    @Test func aMistypedCommandIsABadCommandLineWithASuggestion() throws {
        let result = try Binary.run(["trian"])
        #expect(result.status == 64)
        #expect(result.stderr == "tunebench: error: unknown command 'trian'; did you mean 'train'?\n")
        #expect(result.stdout.isEmpty)
        // Nothing close: the commands are listed instead of a guess.
        let far = try Binary.run(["frobnicate"])
        #expect(far.status == 64)
        #expect(far.stderr.hasPrefix("tunebench: error: unknown command 'frobnicate'"), "\(far.stderr)")
        #expect(far.stderr.contains("open, init, chat") && !far.stderr.contains("did you mean"), "\(far.stderr)")
    }

    @Test func helpForAMistypedCommandIsAnErrorToo() throws {
        let result = try Binary.run(["help", "trian"])
        #expect(result.status == 64)
        #expect(result.stderr == "tunebench help: error: unknown command 'trian'; did you mean 'train'?\n")
        let known = try Binary.run(["help", "train"])
        #expect(known.status == 0)
        #expect(known.stdout.contains("USAGE: tunebench train"))
    }

    @Test func aFailingCommandSaysSoInOneLineNamingItself() throws {
        let result = try Binary.run(["train", "--dataset", "/nonexistent"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("tunebench train: error: /nonexistent"), "\(result.stderr)")
        // A bad command line: the same first line, then the usage; status 64.
        let usage = try Binary.run(["extract", "--out", "x.jsonl"])
        #expect(usage.status == 64)
        #expect(usage.stderr.hasPrefix("tunebench extract: error: Missing expected argument '<pdf>'\n"), "\(usage.stderr)")
        #expect(usage.stderr.contains("Usage: tunebench extract"))
    }

    @Test func helpAndVersionStillSucceedOnStandardOutput() throws {
        let help = try Binary.run(["--help"])
        #expect(help.status == 0 && help.stderr.isEmpty)
        #expect(help.stdout.contains("Exit codes:") && help.stdout.contains("64  bad command line"))
        let version = try Binary.run(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty)
        // Every subcommand's help states the exit codes.
        for command in ["open", "init", "generate", "quantize", "merge", "extract"] {
            let text = try Binary.run([command, "--help"]).stdout
            #expect(text.contains("Exit codes:") && text.contains("1  the command failed"), "\(command)")
        }
    }
}
