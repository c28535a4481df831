// Checkpoint files: what they hold, generator states that survive the round trip exactly, errors
// for files that are not checkpoints, numbers that would trap or mislead refused by name, loading
// as a transaction (a bad part leaves everything as it was, bit for bit), durable saving.
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
        do {
            try Checkpoint.load(from: url, model: model, optimizer: SGD(model.parameters(), learningRate: 0.1))
            Issue.record("plain weights loaded as a checkpoint")
        } catch let error as CheckpointError {
            #expect(error.code == "checkpoint.not-a-checkpoint")
            #expect(error.description == "checkpoint \(url.path): not a traininglab-checkpoint-1 file (format: none)")
        }
        for (path, code) in [(url.appendingPathExtension("missing"), "checkpoint.unreadable.not-found"),
                             (url.deletingLastPathComponent(), "checkpoint.unreadable.is-directory")] {
            do {
                try Checkpoint.load(from: path, model: model, optimizer: SGD(model.parameters(), learningRate: 0.1))
                Issue.record("\(path.path) loaded")
            } catch let error as CheckpointError {
                #expect(error.code == code && !error.description.contains("NSCocoaErrorDomain"))
            }
        }
        // Not safetensors at all: the reader's error, inside ours.
        do {
            try Checkpoint.load(bytes: Array("hello".utf8), file: "x.ckpt", model: model,
                                optimizer: SGD(model.parameters(), learningRate: 0.1))
            Issue.record("five bytes loaded")
        } catch let error as CheckpointError {
            #expect(error.code == "checkpoint.not-safetensors.truncated")
        }
    }

    // MARK: - Numbers and transactions

    /// A trained AdamW + ReduceLROnPlateau run on a two-weight model, with its checkpoint's tensors
    /// and metadata to edit.
    struct Run {
        let model = RegTinyModule()
        let optimizer: AdamW
        let scheduler: ReduceLROnPlateau
        init(_ weights: [Float], steps: Int) {
            model.weight.scalars = weights
            optimizer = AdamW(model.parameters(), learningRate: 0.01)
            scheduler = ReduceLROnPlateau(optimizer, patience: 1)
            for k in 0..<steps {
                model.weight.grad = Tensor([Float(k) + 1, -2])
                optimizer.step()
                scheduler.step(Double(k % 2) + 1)
            }
        }

        /// Every bit of the model's, the optimizer's and the scheduler's state.
        var bits: [String] {
            let tensors = optimizer.stateDict().tensors.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.scalars.map(\.bitPattern))" }
            let numbers = optimizer.stateDict().numbers.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.bitPattern)" }
            let scheduled = scheduler.stateDict().sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.bitPattern)" }
            return ["model \(model.weight.scalars.map(\.bitPattern))"] + tensors + numbers + scheduled
        }

        func checkpoint() throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
            let bytes = try Checkpoint.encode(model: model, optimizer: optimizer, scheduler: scheduler, epoch: 4,
                                              generators: ["default": Generator(seed: 1)], extra: [:], file: "r")
            let file = try SafeTensors.decode(bytes)
            return (file.tensors, file.metadata)
        }
    }

    /// Loads the edited checkpoint into `target`, expects `code` with `key` named in the message,
    /// and checks that `target` is bit for bit as before.
    func expectRefused(_ tensors: [(name: String, tensor: Tensor)], _ metadata: [String: String], into target: Run,
                       code: String, naming key: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = target.bits
        let bytes = try SafeTensors.encode(tensors, metadata: metadata)
        do {
            try Checkpoint.load(bytes: bytes, file: "bad.ckpt", model: target.model, optimizer: target.optimizer,
                                scheduler: target.scheduler)
            Issue.record("a bad checkpoint loaded (\(key))", sourceLocation: sourceLocation)
        } catch let error as CheckpointError {
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.description.contains(key), "\(error)", sourceLocation: sourceLocation)
        }
        #expect(target.bits == before, sourceLocation: sourceLocation)
    }

    @Test func numbersThatWouldTrapOrMisleadAreRefusedByName() throws {
        let saved = try Run([0.5, -1.5], steps: 3).checkpoint()
        let target = Run([2, 3], steps: 5)
        let cases: [(key: String, text: String, code: String)] = [
            ("optimizer.0.step", "nan", "checkpoint.invalid-number.not-a-number"),
            ("optimizer.0.step", "inf", "checkpoint.invalid-number.not-finite"),
            ("optimizer.0.step", "1e300", "checkpoint.invalid-number.out-of-range"),
            ("optimizer.0.step", "-3.0", "checkpoint.invalid-number.out-of-range"),
            ("optimizer.0.step", "2.5", "checkpoint.invalid-number.not-integral"),
            ("optimizer.0.step", "three", "checkpoint.invalid-number.not-a-number"),
            ("optimizer.lr", "nan", "checkpoint.invalid-number.not-a-number"),
            ("optimizer.lr", "-0.1", "checkpoint.invalid-number.out-of-range"),
            ("scheduler.num_bad_epochs", "1e300", "checkpoint.invalid-number.out-of-range"),
            ("scheduler.cooldown_counter", "-inf", "checkpoint.invalid-number.not-finite"),
            ("scheduler.last_epoch", "9.3e18", "checkpoint.invalid-number.out-of-range"),
            ("scheduler.best", "nan", "checkpoint.invalid-number.not-a-number"),
            ("epoch", "-1", "checkpoint.invalid-number.out-of-range"),
            ("epoch", "nan", "checkpoint.invalid-number.not-a-number"),
        ]
        for c in cases {
            var metadata = saved.metadata
            metadata[c.key] = c.text
            try expectRefused(saved.tensors, metadata, into: target, code: c.code, naming: "\(c.key) = '")
        }
        // A best of +inf (a scheduler that has seen nothing yet) is fine.
        var metadata = saved.metadata
        metadata["scheduler.best"] = "inf"
        let fresh = Run([1, 1], steps: 0)
        try Checkpoint.load(bytes: try SafeTensors.encode(saved.tensors, metadata: metadata), file: "ok.ckpt",
                            model: fresh.model, optimizer: fresh.optimizer, scheduler: fresh.scheduler)
        #expect(fresh.scheduler.best == .infinity && fresh.optimizer.stepCount == 3)
    }

    @Test func aBadOptimizerOrSchedulerPartLeavesEverythingAsItWas() throws {
        let source = Run([0.5, -1.5], steps: 3)
        let saved = try source.checkpoint()
        let target = Run([2, 3], steps: 5)
        // The model part is fine and is applied first; then the optimizer's tensor is missing.
        let noMoment = saved.tensors.filter { $0.name != "optimizer.0.exp_avg_sq" }
        try expectRefused(noMoment, saved.metadata, into: target, code: "checkpoint.optimizer-mismatch",
                          naming: "0.exp_avg_sq")
        // Wrong shape for the optimizer's moment.
        let wrongShape = saved.tensors.map { entry in
            entry.name == "optimizer.0.exp_avg" ? (name: entry.name, tensor: Tensor([1, 2, 3])) : entry
        }
        try expectRefused(wrongShape, saved.metadata, into: target, code: "checkpoint.optimizer-mismatch",
                          naming: "0.exp_avg")
        // Model and optimizer fine, the scheduler's counter missing.
        var metadata = saved.metadata
        metadata["scheduler.best"] = nil
        try expectRefused(saved.tensors, metadata, into: target, code: "checkpoint.scheduler-mismatch", naming: "best")
        // The model's tensor missing.
        let noModel = saved.tensors.filter { $0.name != "model.weight" }
        try expectRefused(noModel, saved.metadata, into: target, code: "checkpoint.model-mismatch", naming: "weight")
        // And the good checkpoint still loads into the same target, giving the source's bits.
        try Checkpoint.load(bytes: try SafeTensors.encode(saved.tensors, metadata: saved.metadata), file: "good.ckpt",
                            model: target.model, optimizer: target.optimizer, scheduler: target.scheduler)
        #expect(target.bits == source.bits)
    }

    @Test func settingsAndGeneratorsAreCheckedBeforeAnythingChanges() throws {
        let saved = try Run([0.5, -1.5], steps: 3).checkpoint()
        var metadata = saved.metadata
        metadata["lr_setting"] = "0.01"
        let bytes = try SafeTensors.encode(saved.tensors, metadata: metadata)
        let target = Run([2, 3], steps: 5)
        let before = target.bits
        for (settings, generators, code) in [(["lr_setting": "0.1"], [String](), "checkpoint.setting-mismatch"),
                                             (["patience": "3"], [], "checkpoint.setting-mismatch"),
                                             ([:], ["other"], "checkpoint.missing-key")] {
            do {
                try Checkpoint.load(bytes: bytes, file: "s.ckpt", model: target.model, optimizer: target.optimizer,
                                    scheduler: target.scheduler, expecting: settings, requiring: generators)
                Issue.record("loaded despite \(settings) \(generators)")
            } catch let error as CheckpointError {
                #expect(error.code == code)
            }
            #expect(target.bits == before)
        }
        let info = try Checkpoint.load(bytes: bytes, file: "s.ckpt", model: target.model, optimizer: target.optimizer,
                                       scheduler: target.scheduler, expecting: ["lr_setting": "0.01"],
                                       requiring: ["default"])
        #expect(info.generators["default"] == Generator(seed: 1) && info.extra == ["lr_setting": "0.01"])
    }

    @Test func everyIntegerKeyTheOptimizersUseIsACount() {
        // The keys Optim/ turns into Int (Adam's per-parameter step, the schedulers' counters).
        #expect(SavedStateKeys.optimizerMeaning("0.step") == .count)
        #expect(SavedStateKeys.optimizerMeaning("12.step") == .count)
        #expect(SavedStateKeys.optimizerMeaning("lr") == .rate)
        for key in ["last_epoch", "num_bad_epochs", "cooldown_counter"] {
            #expect(SavedStateKeys.schedulerMeaning(key) == .count)
        }
        #expect(SavedStateKeys.schedulerMeaning("best") == .bound)
        #expect(throws: Never.self) { try validCount(Double(1 << 53), name: "n", file: "f") }
        #expect(throws: CheckpointError.self) { try validCount(Double(1 << 53) * 2, name: "n", file: "f") }
        #expect(throws: CheckpointError.self) { try validCount(-0.5, name: "n", file: "f") }
        #expect((try? validCount(7, name: "n", file: "f")) == 7 && (try? validRate(0, name: "r", file: "f")) == 0)
    }

    // MARK: - Durable saving

    @Test func savingRemovesStaleTemporaryFilesAndKeepsTheOldFileOnFailure() throws {
        let url = try temporaryURL("run.safetensors")
        let folder = url.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = Run([0.5, -1.5], steps: 2)
        try Checkpoint.save(to: url, model: run.model, optimizer: run.optimizer, epoch: 1, generators: [:])
        let oldBytes = try Data(contentsOf: url)

        // Left by a killed save (no such process), by an earlier process with our pid (containers reuse
        // pids), by a live one (our parent), and files that only look alike.
        let dead = ".run.safetensors.2147483646.ab12.tmp", live = ".run.safetensors.\(getppid()).cd34.tmp"
        let ours = ".run.safetensors.\(getpid()).ef56.tmp"
        let others = [".run.safetensors.tmp", ".other.safetensors.2147483646.ab12.tmp", "run.safetensors.1.a.tmp"]
        for name in [dead, ours, live] + others {
            try Data("partial".utf8).write(to: folder.appendingPathComponent(name))
        }
        #expect(temporaryFileOwner(dead, target: url) == 2147483646)
        #expect(temporaryFileOwner(others[0], target: url) == nil)
        #expect(temporaryFileOwner(temporaryPath(for: url).lastPathComponent, target: url) == getpid())

        // A write that dies before the rename leaves the old file and no temporary file of its own.
        let newBytes = try Checkpoint.encode(model: Run([9, 9], steps: 1).model, optimizer: run.optimizer,
                                             scheduler: nil, epoch: 2, generators: [:], extra: [:], file: url.path)
        if case .success = writeUserFileDurably(newBytes, to: url, failBeforeRename: true) {
            Issue.record("the simulated failure succeeded")
        }
        #expect(try Data(contentsOf: url) == oldBytes)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(names == Set(["run.safetensors", live] + others))      // the stale ones are gone already

        // A successful save replaces the file; the live process's file stays.
        try Checkpoint.save(to: url, model: run.model, optimizer: run.optimizer, epoch: 2, generators: [:])
        #expect(try Data(contentsOf: url) != oldBytes)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == names)

        // A folder that does not exist: a typed error, nothing written.
        let missing = folder.appendingPathComponent("no/such/run.safetensors")
        do {
            try Checkpoint.save(to: missing, model: run.model, optimizer: run.optimizer, epoch: 2, generators: [:])
            Issue.record("saved into a missing folder")
        } catch let error as CheckpointError {
            #expect(error.code == "checkpoint.write-failed.not-found")
        }
    }
}
