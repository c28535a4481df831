import Foundation

// Checkpoints: everything needed to stop a run and later continue it exactly as if it had never
// stopped, in one safetensors file.
//
//     tensors        "model.<name>"       the model's state dict (parameters and buffers)
//                    "optimizer.<key>"    the optimizer's tensors (exp_avg, momentum buffers, …)
//     __metadata__   "epoch", "optimizer.<key>" (lr, step counts), "scheduler.<key>" (best, bad
//                    epochs, …), "generator.<name>" (the random streams' 256-bit state), "format"
//
// Numbers are written with Swift's shortest round-trip spelling, so reading them back gives the
// same bits. The file is written durably (temporary file, fsync, rename, fsync of the folder): a
// crash while saving leaves the previous checkpoint intact. Loading validates every number before
// use and is all-or-nothing: a bad file leaves the model, optimizer and scheduler as they were.

/// A scheduler whose counters a checkpoint can save (`ReduceLROnPlateau`, `StepLR`, …).
public protocol CheckpointableScheduler: AnyObject {
    func stateDict() -> [String: Double]
    func loadStateDict(_ state: [String: Double]) throws
}

extension ReduceLROnPlateau: CheckpointableScheduler {}
extension StepLR: CheckpointableScheduler {}
extension CosineAnnealingLR: CheckpointableScheduler {}
extension LinearWarmup: CheckpointableScheduler {}

/// Why a checkpoint could not be saved or loaded. The kinds are data, so a lesson can word them in
/// any language; each has a stable `code`.
public struct CheckpointError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The file cannot be opened or read (no such file, a folder, permission denied, …).
        case unreadable(FileProblem)
        /// The file is not a valid safetensors file (the reader's error says where).
        case notSafeTensors(SafeTensorsError)
        /// A safetensors file, but not a checkpoint: its `format` is missing or another.
        case notACheckpoint(format: String?)
        case missingKey(String)
        /// A number in the metadata that cannot be used (see StateValidation.swift).
        case invalidNumber(key: String, text: String, problem: NumberProblem)
        case invalidGenerator(key: String, text: String)
        /// The model's tensors do not fit the model (missing, unexpected or wrong-shaped names).
        case modelMismatch(String)
        /// The optimizer's or scheduler's state does not fit them.
        case optimizerMismatch(String)
        case schedulerMismatch(String)
        /// The file could not be written (the old one, if any, is intact).
        case writeFailed(FileProblem)
        /// A setting saved in the extra metadata differs from the one this run expects.
        case settingMismatch(key: String, saved: String?, expected: String)
        /// Anything else, in words (e.g. a run's settings that differ from the saved ones).
        case other(String)
    }

    public let file: String
    public let kind: Kind

    public init(file: String, kind: Kind) {
        self.file = file
        self.kind = kind
    }

    public init(file: String, detail: String) {
        self.init(file: file, kind: .other(detail))
    }

    /// A stable short name for the kind, e.g. `"checkpoint.invalid-number.not-finite"`.
    public var code: String {
        switch kind {
        case .unreadable(let problem): return "checkpoint.unreadable." + problem.code
        case .notSafeTensors(let error): return "checkpoint.not-safetensors." + error.kind.rawValue
        case .notACheckpoint: return "checkpoint.not-a-checkpoint"
        case .missingKey: return "checkpoint.missing-key"
        case .invalidNumber(_, _, let problem): return "checkpoint.invalid-number." + problem.code
        case .invalidGenerator: return "checkpoint.invalid-generator"
        case .modelMismatch: return "checkpoint.model-mismatch"
        case .optimizerMismatch: return "checkpoint.optimizer-mismatch"
        case .schedulerMismatch: return "checkpoint.scheduler-mismatch"
        case .writeFailed(let problem): return "checkpoint.write-failed." + problem.code
        case .settingMismatch: return "checkpoint.setting-mismatch"
        case .other: return "checkpoint.other"
        }
    }

    /// What is wrong, in English, without the file's name.
    public var detail: String {
        switch kind {
        case .unreadable(let problem): return "cannot read the file: \(problem.description)"
        case .notSafeTensors(let error): return error.description
        case .notACheckpoint(let format):
            return "not a \(Checkpoint.format) file (format: \(format.map { "'\($0)'" } ?? "none"))"
        case .missingKey(let key): return "'\(key)' is missing"
        case .invalidNumber(let key, let text, let problem):
            let why: String
            switch problem {
            case .notANumber: why = "is not a number"
            case .notFinite: why = "is not finite"
            case .notIntegral: why = "is not a whole number"
            case .outOfRange(let range): why = "is outside \(range)"
            }
            return "\(key) = '\(text)' \(why)"
        case .invalidGenerator(let key, let text): return "\(key) = '\(text)' is not a generator state"
        case .modelMismatch(let words): return "the model's tensors do not fit: \(words)"
        case .optimizerMismatch(let words): return "the optimizer's state does not fit: \(words)"
        case .schedulerMismatch(let words): return "the scheduler's state does not fit: \(words)"
        case .writeFailed(let problem): return "cannot write it: \(problem.description) (any old file is intact)"
        case .settingMismatch(let key, let saved, let expected):
            return "saved with \(key) = \(saved ?? "none"), this run has \(expected)"
        case .other(let words): return words
        }
    }

    public var description: String { "checkpoint \(file): \(detail)" }
}

/// What a checkpoint restores besides the model, optimizer and scheduler.
public struct CheckpointInfo {
    /// The last finished epoch; continue with `epoch + 1`.
    public let epoch: Int
    /// The saved random streams by name (e.g. `"default"` for `defaultGenerator`).
    public let generators: [String: Generator]
    /// Any extra metadata saved by the caller (keys without the reserved prefixes).
    public let extra: [String: String]
}

public enum Checkpoint {
    static let format = "traininglab-checkpoint-1"

    /// Saves a training run's whole state to `url`, durably: a crash or power cut at any moment
    /// leaves the old file or the new one, complete (see UserFile.swift). Temporary files left by
    /// an earlier killed save to the same file are removed.
    ///
    /// - Parameters:
    ///   - model: its state dict is saved under `model.`.
    ///   - optimizer: its tensors under `optimizer.`, its numbers in the metadata.
    ///   - scheduler: its counters in the metadata (optional).
    ///   - epoch: the last finished epoch.
    ///   - generators: the random streams to restore, e.g. `["default": defaultGenerator]`.
    ///   - extra: any other strings to keep (settings, notes).
    /// - Throws: `CheckpointError` with `.writeFailed` (the old file is intact).
    public static func save(to url: URL, model: Module, optimizer: Optimizer, scheduler: CheckpointableScheduler? = nil,
                            epoch: Int, generators: [String: Generator], extra: [String: String] = [:]) throws {
        let bytes = try encode(model: model, optimizer: optimizer, scheduler: scheduler, epoch: epoch,
                               generators: generators, extra: extra, file: url.path)
        if case .failure(let problem) = writeUserFileDurably(bytes, to: url) {
            throw CheckpointError(file: url.path, kind: .writeFailed(problem))
        }
    }

    /// The bytes `save` writes.
    static func encode(model: Module, optimizer: Optimizer, scheduler: CheckpointableScheduler?, epoch: Int,
                       generators: [String: Generator], extra: [String: String], file: String) throws -> [UInt8] {
        var tensors = model.stateDict().map { (name: "model." + $0.name, tensor: $0.tensor) }
        let optimizerState = optimizer.stateDict()
        tensors += optimizerState.tensors.keys.sorted().map { ("optimizer." + $0, optimizerState.tensors[$0]!) }

        var metadata = extra
        metadata["format"] = format
        metadata["epoch"] = String(epoch)
        for (key, value) in optimizerState.numbers { metadata["optimizer." + key] = "\(value)" }
        for (key, value) in scheduler?.stateDict() ?? [:] { metadata["scheduler." + key] = "\(value)" }
        for (name, g) in generators { metadata["generator." + name] = encode(g) }
        return try SafeTensors.encode(tensors, metadata: metadata, fileName: file)
    }

    /// Restores a checkpoint into `model`, `optimizer` and `scheduler`, which must be built with the
    /// same shapes as when it was saved. The generators are returned, not installed: assign them,
    /// e.g. `defaultGenerator = info.generators["default"]!`.
    ///
    /// A transaction: every number is validated first (StateValidation.swift), and if any part
    /// fails to load, the model, optimizer and scheduler are put back exactly as they were.
    ///
    /// - Parameters:
    ///   - settings: extra metadata the checkpoint must hold with these values (a run's settings);
    ///     checked before anything is changed.
    ///   - generators: generator names the checkpoint must hold (e.g. `["default"]`).
    /// - Throws: `CheckpointError`, whose kind says what is wrong and where.
    @discardableResult
    public static func load(from url: URL, model: Module, optimizer: Optimizer,
                            scheduler: CheckpointableScheduler? = nil, expecting settings: [String: String] = [:],
                            requiring generators: [String] = []) throws -> CheckpointInfo {
        switch readUserFile(url.path) {
        case .failure(let problem): throw CheckpointError(file: url.path, kind: .unreadable(problem))
        case .success(let bytes):
            return try load(bytes: bytes, file: url.path, model: model, optimizer: optimizer, scheduler: scheduler,
                            expecting: settings, requiring: generators)
        }
    }

    /// `load` from the bytes of a checkpoint file; `file` names it in errors.
    @discardableResult
    public static func load(bytes: [UInt8], file: String, model: Module, optimizer: Optimizer,
                            scheduler: CheckpointableScheduler? = nil, expecting settings: [String: String] = [:],
                            requiring requiredGenerators: [String] = []) throws -> CheckpointInfo {
        func fail(_ kind: CheckpointError.Kind) -> CheckpointError { CheckpointError(file: file, kind: kind) }
        let contents: SafeTensorsFile
        do {
            contents = try SafeTensors.decode(bytes, fileName: file)
        } catch let error as SafeTensorsError {
            throw fail(.notSafeTensors(error))
        }

        // 1. Decode and validate everything before touching anything.
        let metadata = contents.metadata
        guard metadata["format"] == format else { throw fail(.notACheckpoint(format: metadata["format"])) }
        guard let epochText = metadata["epoch"] else { throw fail(.missingKey("epoch")) }
        guard let epochValue = Double(epochText) else {
            throw fail(.invalidNumber(key: "epoch", text: epochText, problem: .notANumber))
        }
        let epoch = try validCount(epochValue, name: "epoch", file: file)

        func numbers(_ prefix: String, meaning: (String) -> NumberMeaning) throws -> [String: Double] {
            var result: [String: Double] = [:]
            for (key, text) in metadata where key.hasPrefix(prefix) {
                let name = String(key.dropFirst(prefix.count))
                guard let value = Double(text) else {
                    throw fail(.invalidNumber(key: key, text: text, problem: .notANumber))
                }
                result[name] = try validNumber(value, meaning: meaning(name), name: key, file: file)
            }
            return result
        }
        let optimizerNumbers = try numbers("optimizer.", meaning: SavedStateKeys.optimizerMeaning)
        let schedulerNumbers = try numbers("scheduler.", meaning: SavedStateKeys.schedulerMeaning)
        var generators: [String: Generator] = [:]
        for (key, text) in metadata where key.hasPrefix("generator.") {
            guard let g = decode(text) else { throw fail(.invalidGenerator(key: key, text: text)) }
            generators[String(key.dropFirst("generator.".count))] = g
        }
        func tensors(_ prefix: String) -> [(name: String, tensor: Tensor)] {
            contents.tensors.filter { $0.name.hasPrefix(prefix) }
                .map { (String($0.name.dropFirst(prefix.count)), $0.tensor) }
        }
        var optimizerTensors: [String: Tensor] = [:]
        for (name, tensor) in tensors("optimizer.") { optimizerTensors[name] = tensor }

        for name in requiredGenerators where generators[name] == nil { throw fail(.missingKey("generator." + name)) }
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) where metadata[key] != value {
            throw fail(.settingMismatch(key: key, saved: metadata[key], expected: value))
        }

        // 2. Apply all three; on any failure put back the snapshot.
        let snapshot = Snapshot(model: model, optimizer: optimizer, scheduler: scheduler)
        do {
            do { try model.loadStateDict(tensors("model.")) } catch { throw fail(.modelMismatch("\(error)")) }
            do {
                try optimizer.loadStateDict(OptimizerState(tensors: optimizerTensors, numbers: optimizerNumbers))
            } catch {
                throw fail(.optimizerMismatch("\(error)"))
            }
            if let scheduler {
                do {
                    try scheduler.loadStateDict(schedulerNumbers)
                } catch {
                    throw fail(.schedulerMismatch("\(error)"))
                }
            }
        } catch {
            snapshot.restore(model: model, optimizer: optimizer, scheduler: scheduler)
            throw error
        }

        let reserved = ["format", "epoch", "optimizer.", "scheduler.", "generator."]
        let extra = metadata.filter { key, _ in
            !reserved.contains { key == $0 || ($0.hasSuffix(".") && key.hasPrefix($0)) }
        }
        return CheckpointInfo(epoch: epoch, generators: generators, extra: extra)
    }

    /// Copies of a model's, an optimizer's and a scheduler's state, to put back after a failed load.
    struct Snapshot {
        let model: [(name: String, tensor: Tensor)]
        let optimizer: OptimizerState
        let scheduler: [String: Double]?

        init(model: Module, optimizer: Optimizer, scheduler: CheckpointableScheduler?) {
            // Copies: the live tensors are changed in place by a load.
            self.model = model.stateDict().map { ($0.name, $0.tensor.copy()) }
            var state = optimizer.stateDict()
            state.tensors = state.tensors.mapValues { $0.copy() }
            self.optimizer = state
            self.scheduler = scheduler?.stateDict()
        }

        func restore(model: Module, optimizer: Optimizer, scheduler: CheckpointableScheduler?) {
            // Each state was taken from the same object a moment ago, so loading it back cannot fail.
            _ = try? model.loadStateDict(self.model)
            try? optimizer.loadStateDict(self.optimizer)
            if let scheduler, let saved = self.scheduler { try? scheduler.loadStateDict(saved) }
        }
    }

    /// `"s0 s1 s2 s3 spare"`: the four state words in decimal, then the cached Box–Muller normal's
    /// bit pattern in hexadecimal, or `-` when there is none.
    static func encode(_ g: Generator) -> String {
        let words = [g.state.0, g.state.1, g.state.2, g.state.3].map { String($0) }
        let spare = g.spareNormal.map { String($0.bitPattern, radix: 16) } ?? "-"
        return (words + [spare]).joined(separator: " ")
    }

    static func decode(_ text: String) -> Generator? {
        let parts = text.split(separator: " ")
        guard parts.count == 5 else { return nil }
        let words = parts.prefix(4).compactMap { UInt64($0) }
        guard words.count == 4 else { return nil }
        var g = Generator(seed: 0)
        g.state = (words[0], words[1], words[2], words[3])
        if parts[4] == "-" {
            g.spareNormal = nil
        } else {
            guard let bits = UInt32(parts[4], radix: 16) else { return nil }
            g.spareNormal = Float(bitPattern: bits)
        }
        return g
    }
}
