import Dispatch
import Engine

/// What one timing of the seed's workload measured.
struct SeedBenchResult {
    let epochs: Int
    let samples: Int
    let seconds: Double
    let finalLoss: Double
    /// Seconds per step in each phase: data (the loader's batch), forward, backward, clipping, optimizer.
    let phases: [(name: String, seconds: Double)]
    /// What the calibration chose by the end of the run: each kind of work with its thread count.
    let threadChoices: [(kind: String, threads: Int)]
    var samplesPerSecond: Double { Double(samples) / seconds }
    var secondsPerEpoch: Double { seconds / Double(epochs) }
}

/// Times the seed's training workload exactly as `scripts/seed_train.py` runs it: 1,000 samples of
/// [5, 10], the seed's Transformer regressor (191,873 parameters, dropout 0.1), MSE, AdamW(1e-3,
/// weight decay 1e-4), gradient clipping at 1.0, ReduceLROnPlateau(patience 5) on the epoch's mean
/// loss, batch 32 shuffled. Setup (data, model) is excluded from the time, as on the PyTorch side.
func benchSeedWorkload(epochs: Int, seed: UInt64) -> SeedBenchResult {
    var generator = Generator(seed: seed)
    let dataset = makeSeedDataset(generator: &generator)
    let model = TransformerEncoderRegressor(generator: &generator)
    let loader = DataLoader(dataset, batchSize: 32, shuffle: true, generator: generator)
    let criterion = MSELoss()
    let parameters = model.parameters()
    let optimizer = AdamW(parameters, learningRate: 1e-3, weightDecay: 1e-4)
    let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: 5)
    model.train()

    var samples = 0
    var lastEpochLoss = 0.0
    let times = StepTimes()
    var dataSeconds = 0.0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<epochs {
        var total = 0.0
        var batches = 0
        var batchesOfEpoch = loader.makeIterator()
        while true {
            let before = DispatchTime.now().uptimeNanoseconds
            guard let (x, y) = batchesOfEpoch.next() else { break }
            dataSeconds += Double(DispatchTime.now().uptimeNanoseconds - before) / 1e9
            let step = trainingStep(parameters, optimizer: optimizer, clipMaxNorm: 1.0, times: times) {
                criterion(model(x), y)
            }
            total += Double(step.loss)
            batches += 1
            samples += x.shape[0]
        }
        lastEpochLoss = total / Double(batches)
        scheduler.step(lastEpochLoss)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let steps = Double(max(times.steps, 1))
    let phases = [("data", dataSeconds), ("forward", times.forward), ("backward", times.backward),
                  ("clipping", times.clipping), ("optimizer", times.optimizer)]
        .map { (name: $0.0, seconds: $0.1 / steps) }
    return SeedBenchResult(epochs: epochs, samples: samples, seconds: seconds, finalLoss: lastEpochLoss,
                           phases: phases, threadChoices: calibratedThreadChoices())
}

/// Runs the seed's workload `runs` times (seeds 0, 1, …) and returns every result, so the caller can
/// report the median: one run on a shared machine can be slowed by anything else that runs.
func benchSeedWorkload(epochs: Int, runs: Int) -> [SeedBenchResult] {
    (0..<runs).map { benchSeedWorkload(epochs: epochs, seed: UInt64($0)) }
}

/// The median of `values` (the middle one; the mean of the two middle ones for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// A readable table of the seed-workload runs and their median.
func seedTable(_ results: [SeedBenchResult]) -> String {
    var lines = ["Seed workload (1,000 samples of [5, 10], batch 32, 191,873 parameters, AdamW, clip 1.0)",
                 "run  epochs   seconds  s/epoch  samples/s  last epoch loss"]
    for (i, r) in results.enumerated() {
        lines.append(padded("\(i)", 3) + padded("\(r.epochs)", 8) + formatted(r.seconds, digits: 2, width: 10)
                     + formatted(r.secondsPerEpoch, digits: 3, width: 9) + formatted(r.samplesPerSecond, width: 11)
                     + formatted(r.finalLoss, digits: 4, width: 17))
    }
    lines.append("median: \(formatted(median(results.map(\.samplesPerSecond)), width: 0)) samples/s, "
                 + "\(formatted(median(results.map(\.secondsPerEpoch)), digits: 3, width: 0)) s/epoch")
    lines.append("ms per step by phase (medians over the runs): " + phaseMedians(results).map {
        "\($0.name) \(formatted(1000 * $0.seconds, digits: 3, width: 0))"
    }.joined(separator: ", "))
    if let last = results.last {
        let two = last.threadChoices.filter { $0.threads == 2 }.map(\.kind)
        let one = last.threadChoices.filter { $0.threads != 2 }.map(\.kind)
        lines.append("threads chosen by calibration in the last run (ThreadCalibration.swift; 1 for every kind "
                     + "with --threads 1): \(two.count) kinds of work on 2 threads, \(one.count) on 1")
        for (kind, threads) in last.threadChoices {
            lines.append("  \(threads == 0 ? "calibrating" : "\(threads) thread" + (threads == 1 ? "" : "s")): \(kind)")
        }
    }
    return lines.joined(separator: "\n")
}

/// Each phase's median seconds per step over the runs.
func phaseMedians(_ results: [SeedBenchResult]) -> [(name: String, seconds: Double)] {
    guard let first = results.first else { return [] }
    return first.phases.indices.map { i in
        (name: first.phases[i].name, seconds: median(results.map { $0.phases[i].seconds }))
    }
}

/// The seed-workload fields of the `--json` object.
func seedJSON(_ results: [SeedBenchResult]) -> String {
    let rates = results.map { formatted($0.samplesPerSecond, width: 0) }.joined(separator: ", ")
    return "\"epochs\": \(results.first?.epochs ?? 0), "
        + "\"seed_samples_per_second\": \(formatted(median(results.map(\.samplesPerSecond)), width: 0)), "
        + "\"seed_seconds_per_epoch\": \(formatted(median(results.map(\.secondsPerEpoch)), digits: 4, width: 0)), "
        + "\"seed_runs_samples_per_second\": [\(rates)], "
        + "\"threads_chosen\": {" + (results.last?.threadChoices ?? []).map {
            "\(jsonString($0.kind)): \($0.threads)"
        }.joined(separator: ", ") + "}, "
        + "\"ms_per_step\": {" + phaseMedians(results).map {
            "\(jsonString($0.name)): \(formatted(1000 * $0.seconds, digits: 4, width: 0))"
        }.joined(separator: ", ") + "}"
}
