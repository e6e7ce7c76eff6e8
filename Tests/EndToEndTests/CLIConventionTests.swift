import Foundation
import Testing
import Workspace

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
        #expect(lines.count == 1 && lines[0].hasPrefix("tunebench train: error: no prepared dataset at /nonexistent"), "\(result.stderr)")
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

    /// A fresh empty folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Two PDFs and no --pdf: an error naming both and saying what to pass, and no workspace.
    @Test func initInAFolderWithTwoPDFsAsksWhichOne() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["emma.pdf", "persuasion.pdf"] { FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data()) }
        let result = try Binary.run(["init", folder.path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("tunebench init: error: "), "\(result.stderr)")
        #expect(result.stderr.contains("emma.pdf, persuasion.pdf") && result.stderr.contains("--pdf"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(Workspace.fileName).path))
        // --pdf chooses; inside the folder it is stored relative to it.
        let chosen = try Binary.run(["init", "--pdf", folder.appendingPathComponent("persuasion.pdf").path, folder.path])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(try Workspace.open(at: folder).settings.pdf.path == "persuasion.pdf")
    }

    @Test func initWithAPDFOutsideTheFolderStoresItsAbsolutePath() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let book = folder.appendingPathComponent("library/emma.pdf")
        try FileManager.default.createDirectory(at: book.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: book.path, contents: Data())
        let workspace = folder.appendingPathComponent("workspace")
        let result = try Binary.run(["init", "--pdf", book.path, workspace.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Workspace.open(at: workspace).settings.pdf.path == book.standardizedFileURL.path)
        let missing = try Binary.run(["init", "--pdf", folder.appendingPathComponent("none.pdf").path, folder.appendingPathComponent("w2").path])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("tunebench init: error: no PDF at"), "\(missing.stderr)")
    }

    /// `tunebench init book.pdf`: the workspace is the PDF's folder, with that book (even beside another PDF).
    @Test func initOnAPDFMakesAWorkspaceInItsFolder() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["emma.pdf", "persuasion.pdf"] { FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data()) }
        let result = try Binary.run(["init", folder.appendingPathComponent("emma.pdf").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("book: emma.pdf"), "\(result.stdout)")
        #expect(try Workspace.open(at: folder).settings.pdf.path == "emma.pdf")
    }

    /// With standard error in a pipe (a log), progress is a few plain lines, not hundreds of
    /// `\r`-joined redraws of a bar.
    @Test func quantizeProgressInAPipeIsPlainLines() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("q4_0.gguf").path
        let result = try Binary.run(["quantize", "--type", "q4_0", "--allow-requantize", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("\r"))
        let progress = result.stderr.split(separator: "\n").filter { $0.hasPrefix("converting") }
        #expect(progress.count == 4, "\(result.stderr)")
        #expect(progress.last?.hasSuffix("tensors (100%)") == true, "\(result.stderr)")
        #expect(result.stderr.hasSuffix(" s\n") && result.stderr.contains("wrote \(out)"))
    }
}
