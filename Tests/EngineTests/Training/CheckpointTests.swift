// Checkpoint files: what they hold, generator states that survive the round trip exactly, and
// errors for files that are not checkpoints.
import Foundation
import Testing
@testable import Engine

@Suite struct CheckpointTests {
    func temporaryURL(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    @Test func generatorStateRoundTripsExactly() {
        var g = Generator(seed: 42)
        _ = g.nextNormal()                         // leaves a spare normal cached
        let restored = Checkpoint.decode(Checkpoint.encode(g))
        #expect(restored == g)
        var a = g, b = restored!
        #expect((0..<10).map { _ in a.nextNormal() } == (0..<10).map { _ in b.nextNormal() })
        #expect(Checkpoint.decode("1 2 3") == nil && Checkpoint.decode("1 2 3 x -") == nil)
    }

    @Test func savesModelOptimizerSchedulerEpochAndGenerators() throws {
        let model = RegTinyModule()
        model.weight.scalars = [0.5, -1.5]
        let optimizer = AdamW(model.parameters(), learningRate: 0.01)
        let scheduler = ReduceLROnPlateau(optimizer, patience: 1)
        model.weight.grad = Tensor([1, 2]); optimizer.step()
        scheduler.step(1.0); scheduler.step(2.0)
        let url = try temporaryURL("run.safetensors")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var g = Generator(seed: 7)
        _ = g.next()
        try Checkpoint.save(to: url, model: model, optimizer: optimizer, scheduler: scheduler, epoch: 3,
                            generators: ["default": g], extra: ["note": "lesson 3"])

        let file = try SafeTensors.load(contentsOf: url)
        #expect(Set(file.tensors.map(\.name)) == ["model.weight", "optimizer.0.exp_avg", "optimizer.0.exp_avg_sq"])
        #expect(file.metadata["epoch"] == "3" && file.metadata["optimizer.0.step"] == "1.0")
        #expect(file.metadata["scheduler.num_bad_epochs"] == "1.0" && file.metadata["optimizer.lr"] == "0.01")

        let model2 = RegTinyModule()
        let optimizer2 = AdamW(model2.parameters(), learningRate: 0.5)
        let scheduler2 = ReduceLROnPlateau(optimizer2, patience: 1)
        let info = try Checkpoint.load(from: url, model: model2, optimizer: optimizer2, scheduler: scheduler2)
        #expect(info.epoch == 3 && info.generators["default"] == g && info.extra == ["note": "lesson 3"])
        #expect(model2.weight.scalars == model.weight.scalars)
        #expect(optimizer2.learningRate == 0.01 && optimizer2.stepCount == 1)
        #expect(optimizer2.expAvgSq[0].scalars == optimizer.expAvgSq[0].scalars)
        #expect(scheduler2.best == 1.0 && scheduler2.numBadEpochs == 1)
    }

    @Test func rejectsFilesThatAreNotCheckpoints() throws {
        let url = try temporaryURL("weights.safetensors")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let model = RegTinyModule()
        try model.saveSafeTensors(to: url)              // plain weights: no format, no epoch
        #expect(throws: CheckpointError.self) {
            try Checkpoint.load(from: url, model: model, optimizer: SGD(model.parameters(), learningRate: 0.1))
        }
        #expect(throws: SafeTensorsError.self) {
            try Checkpoint.load(from: url.appendingPathExtension("missing"), model: model,
                                optimizer: SGD(model.parameters(), learningRate: 0.1))
        }
    }
}
