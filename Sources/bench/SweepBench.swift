import Dispatch
import Engine

// The scaling sweep (`bench --sweep`): how the seed's workload's cost grows with the work. One knob
// at a time, the others at the seed's values (batch 32, width D = 64 with a feed-forward of 4·D,
// sequence length T = 5, 3 encoder layers), exactly as `scripts/pytorch_seed_bench.py --sweep`.

/// The knobs and the values the sweep tries (the same list as the PyTorch script's `SWEEP`).
let sweepKnobs: [(knob: String, values: [Int])] = [
    ("batch", [8, 32, 128, 256]), ("width", [32, 64, 128, 256]), ("seq", [5, 16, 64]), ("layers", [1, 3, 6]),
]

/// One point of the sweep.
struct SweepPoint {
    var knob: String, value: Int
    var samplesPerSecond: Double
}

/// Trains the seed's workload with one knob changed, `epochs` epochs, and returns samples per second
/// (setup excluded, as on the PyTorch side).
func sweepRun(knob: String, value: Int, epochs: Int, seed: UInt64) -> Double {
    let batch = knob == "batch" ? value : 32, width = knob == "width" ? value : 64
    let seq = knob == "seq" ? value : 5, layers = knob == "layers" ? value : 3
    var generator = Generator(seed: seed)
    let dataset = makeSeedDataset(sequenceLength: seq, generator: &generator)
    let model = TransformerEncoderRegressor(modelDimensions: width, feedForwardDimensions: 4 * width,
                                            numLayers: layers, sequenceLength: seq, generator: &generator)
    let loader = DataLoader(dataset, batchSize: batch, shuffle: true, generator: generator)
    let criterion = MSELoss()
    let parameters = model.parameters()
    let optimizer = AdamW(parameters, learningRate: 1e-3, weightDecay: 1e-4)
    model.train()
    var samples = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<epochs {
        for (x, y) in loader {
            trainingStep(parameters, optimizer: optimizer, clipMaxNorm: 1.0) { criterion(model(x), y) }
            samples += x.shape[0]
        }
    }
    return Double(samples) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// Every point of the sweep, each the median of `runs` runs (seeds 0, 1, …).
func benchSweep(epochs: Int, runs: Int) -> [SweepPoint] {
    sweepKnobs.flatMap { knob, values in
        values.map { value in
            let rates = (0..<runs).map { sweepRun(knob: knob, value: value, epochs: epochs, seed: UInt64($0)) }
            return SweepPoint(knob: knob, value: value, samplesPerSecond: median(rates))
        }
    }
}

/// The sweep as a table: one line per point.
func sweepTable(_ points: [SweepPoint]) -> String {
    var lines = ["Scaling sweep (one knob at a time; the others: batch 32, width 64, T 5, 3 layers)",
                 padded("knob", -8) + padded("value", 6) + padded("samples/s", 12)]
    for p in points {
        lines.append(padded(p.knob, -8) + padded("\(p.value)", 6) + formatted(p.samplesPerSecond, digits: 0, width: 12))
    }
    return lines.joined(separator: "\n")
}

/// The `"sweep"` JSON array.
func sweepJSON(_ points: [SweepPoint]) -> String {
    let entries = points.map {
        "{\"knob\": \(jsonString($0.knob)), \"value\": \($0.value), "
            + "\"samples_per_second\": \(formatted($0.samplesPerSecond, width: 0))}"
    }
    return "\"sweep\": [" + entries.joined(separator: ", ") + "]"
}
