import Foundation
import Testing
@testable import Engine

// An optimizer's or scheduler's own `loadStateDict` checks every number before it uses any, so a
// state dict with a NaN, infinite, fractional or negative counter (or a NaN learning rate) is
// refused by name and leaves the object as it was: no `Int(Double)` trap, nothing half-loaded.

@Suite struct StateValidationTests {
    func adamAfterOneStep() -> (Adam, Tensor) {
        let w = Tensor([1, 2], requiresGrad: true)
        let adam = Adam([w], learningRate: 0.01)
        w.grad = Tensor([0.5, -0.5])
        adam.step()
        return (adam, w)
    }

    @Test func adamRefusesBadStepCountsAndRates() {
        for (key, value) in [("0.step", Double.nan), ("0.step", .infinity), ("0.step", 1e300), ("0.step", -3),
                             ("0.step", 2.5), ("lr", .nan), ("lr", -1)] {
            let (adam, _) = adamAfterOneStep()
            var saved = adam.stateDict()
            saved.numbers[key] = value
            let before = adam.stateDict()
            #expect(throws: CheckpointError.self, "\(key) = \(value)") { try adam.loadStateDict(saved) }
            do { try adam.loadStateDict(saved) } catch let error as CheckpointError {
                #expect(error.description.contains("optimizer.\(key)"), "\(error)")
            } catch { Issue.record("unexpected \(error)") }
            #expect(adam.stateDict().numbers == before.numbers, "\(key) = \(value) changed the optimizer")
        }
    }

    @Test func sgdRefusesANaNLearningRate() {
        let w = Tensor([1], requiresGrad: true)
        let sgd = SGD([w], learningRate: 0.1)
        var saved = sgd.stateDict()
        saved.numbers["lr"] = .nan
        #expect(throws: CheckpointError.self) { try sgd.loadStateDict(saved) }
        #expect(sgd.learningRate == 0.1)
    }

    @Test func schedulersRefuseBadCountersAndChangeNothing() {
        let w = Tensor([1], requiresGrad: true)
        let sgd = SGD([w], learningRate: 0.1)
        let plateau = ReduceLROnPlateau(sgd, patience: 2)
        plateau.step(1.0)
        for key in ["num_bad_epochs", "cooldown_counter", "last_epoch"] {
            var state = plateau.stateDict()
            state[key] = .nan
            #expect(throws: CheckpointError.self, "\(key)") { try plateau.loadStateDict(state) }
            #expect(plateau.stateDict()["last_epoch"] == 1 && plateau.stateDict()["best"] == 1.0)
        }
        var state = plateau.stateDict()
        state["best"] = .nan
        #expect(throws: CheckpointError.self) { try plateau.loadStateDict(state) }

        let stepLR = StepLR(sgd, stepSize: 2)
        #expect(throws: CheckpointError.self) { try stepLR.loadStateDict(["last_epoch": 1e300]) }
        try? stepLR.loadStateDict(["last_epoch": 3])
        #expect(stepLR.lastEpoch == 3)
    }
}

@Suite struct WeightsFileProblemTests {
    @Test func aFolderOrAMissingFileIsNamedInWords() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weights-folder-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try SafeTensors.load(contentsOf: folder)
            Issue.record("a folder loaded as a weights file")
        } catch let error as SafeTensorsError {
            #expect(error.kind == .io)
            #expect(error.description.contains("this is a folder, not a file"), "\(error)")
            #expect(!error.description.contains("NSCocoaErrorDomain"))
        }
        do {
            _ = try SafeTensors.load(contentsOf: folder.appendingPathComponent("missing.safetensors"))
            Issue.record("a missing file loaded")
        } catch let error as SafeTensorsError {
            #expect(error.description.contains("no such file"), "\(error)")
        }
    }

    @Test func aFailedWeightsSaveKeepsTheOldFileAndLeavesNoTemporaryFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weights-save-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("w.safetensors")
        try SafeTensors.save([("w", Tensor([1, 2, 3]))], to: url)
        let old = try Data(contentsOf: url)
        let bytes = try SafeTensors.encode([("w", Tensor([4, 5, 6]))], metadata: nil, fileName: url.path)
        #expect(throws: SafeTensorsError.self) {
            try SafeTensors.writeAtomically(bytes, to: url, failBeforeRename: true)
        }
        #expect(try Data(contentsOf: url) == old)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
