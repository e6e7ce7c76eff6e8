import Engine
import Foundation
import Testing
@testable import Pipeline

/// Resuming a run from the Train pane's runs list uses the settings the run recorded.
@Suite struct ResumeSpecTests {
    @Test func aRunsRecordedConfigGivesBackItsJob() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var training = TrainingSettings.fineTuneDefaults
        training.learningRate = 3e-4
        training.maxSteps = 30
        training.evalEvery = 0
        var lora = LoRAConfig()
        lora.rank = 8
        var spec = FineTuneSpec(modelPath: "/models/m.gguf", datasetDirectory: URL(fileURLWithPath: "/ws/dataset"),
                                runDirectory: dir, lora: lora, training: training)
        spec.adapterSeed = 99
        spec.dequantizeBase = true
        let encoder = JSONEncoder()
        try encoder.encode(RunConfig(spec: spec, totalSteps: 30)).write(to: dir.appendingPathComponent("config.json"))

        // No checkpoint yet: nothing to resume, said in one line.
        #expect(throws: FineTuneError.self) { try FineTuneSpec(recordedIn: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("last").path, withDestinationPath: "checkpoint-12")
        let resumed = try FineTuneSpec(recordedIn: dir)
        #expect(resumed.resume && resumed.runDirectory == dir)
        #expect(resumed.modelPath == "/models/m.gguf" && resumed.datasetDirectory.path == "/ws/dataset")
        #expect(resumed.lora == lora && resumed.training == training)
        #expect(resumed.adapterSeed == 99 && resumed.dequantizeBase)
    }
}
