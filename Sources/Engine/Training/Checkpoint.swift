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
// same bits. The file is written atomically (temporary file, then rename): a crash while saving
// leaves the previous checkpoint intact.

/// A scheduler whose counters a checkpoint can save (`ReduceLROnPlateau`, `StepLR`, …).
public protocol CheckpointableScheduler: AnyObject {
    func stateDict() -> [String: Double]
    func loadStateDict(_ state: [String: Double]) throws
}

extension ReduceLROnPlateau: CheckpointableScheduler {}
extension StepLR: CheckpointableScheduler {}
extension CosineAnnealingLR: CheckpointableScheduler {}
extension LinearWarmup: CheckpointableScheduler {}

/// A checkpoint file that is not what `Checkpoint.load` expects.
public struct CheckpointError: Error, CustomStringConvertible {
    public let file: String
    public let detail: String
    public var description: String { "checkpoint \(file): \(detail)" }

    public init(file: String, detail: String) {
        self.file = file
        self.detail = detail
    }
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

    /// Saves a training run's whole state to `url` (atomically).
    ///
    /// - Parameters:
    ///   - model: its state dict is saved under `model.`.
    ///   - optimizer: its tensors under `optimizer.`, its numbers in the metadata.
    ///   - scheduler: its counters in the metadata (optional).
    ///   - epoch: the last finished epoch.
    ///   - generators: the random streams to restore, e.g. `["default": defaultGenerator]`.
    ///   - extra: any other strings to keep (settings, notes).
    public static func save(to url: URL, model: Module, optimizer: Optimizer, scheduler: CheckpointableScheduler? = nil,
                            epoch: Int, generators: [String: Generator], extra: [String: String] = [:]) throws {
        var tensors = model.stateDict().map { (name: "model." + $0.name, tensor: $0.tensor) }
        let optimizerState = optimizer.stateDict()
        tensors += optimizerState.tensors.keys.sorted().map { ("optimizer." + $0, optimizerState.tensors[$0]!) }

        var metadata = extra
        metadata["format"] = format
        metadata["epoch"] = String(epoch)
        for (key, value) in optimizerState.numbers { metadata["optimizer." + key] = "\(value)" }
        for (key, value) in scheduler?.stateDict() ?? [:] { metadata["scheduler." + key] = "\(value)" }
        for (name, g) in generators { metadata["generator." + name] = encode(g) }
        try SafeTensors.save(tensors, metadata: metadata, to: url)
    }

    /// Restores a checkpoint into `model`, `optimizer` and `scheduler`, which must be built with the
    /// same shapes as when it was saved. The generators are returned, not installed: assign them,
    /// e.g. `defaultGenerator = info.generators["default"]!`.
    @discardableResult
    public static func load(from url: URL, model: Module, optimizer: Optimizer,
                            scheduler: CheckpointableScheduler? = nil) throws -> CheckpointInfo {
        let file = try SafeTensors.load(contentsOf: url)
        func fail(_ detail: String) -> CheckpointError { CheckpointError(file: url.path, detail: detail) }
        let metadata = file.metadata
        guard metadata["format"] == format else {
            throw fail("not a \(format) file (format: \(metadata["format"] ?? "none"))")
        }
        guard let epoch = metadata["epoch"].flatMap({ Int($0) }) else { throw fail("no epoch in the metadata") }

        func numbers(_ prefix: String) throws -> [String: Double] {
            var result: [String: Double] = [:]
            for (key, text) in metadata where key.hasPrefix(prefix) {
                guard let value = Double(text) else { throw fail("\(key) = '\(text)' is not a number") }
                result[String(key.dropFirst(prefix.count))] = value
            }
            return result
        }
        func tensors(_ prefix: String) -> [(name: String, tensor: Tensor)] {
            file.tensors.filter { $0.name.hasPrefix(prefix) }
                .map { (String($0.name.dropFirst(prefix.count)), $0.tensor) }
        }

        try model.loadStateDict(tensors("model."))
        try optimizer.loadStateDict(OptimizerState(
            tensors: Dictionary(uniqueKeysWithValues: tensors("optimizer.")), numbers: try numbers("optimizer.")))
        if let scheduler { try scheduler.loadStateDict(try numbers("scheduler.")) }

        var generators: [String: Generator] = [:]
        for (key, text) in metadata where key.hasPrefix("generator.") {
            guard let g = decode(text) else { throw fail("\(key) = '\(text)' is not a generator state") }
            generators[String(key.dropFirst("generator.".count))] = g
        }
        let reserved = ["format", "epoch", "optimizer.", "scheduler.", "generator."]
        let extra = metadata.filter { key, _ in
            !reserved.contains { key == $0 || ($0.hasSuffix(".") && key.hasPrefix($0)) }
        }
        return CheckpointInfo(epoch: epoch, generators: generators, extra: extra)
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
