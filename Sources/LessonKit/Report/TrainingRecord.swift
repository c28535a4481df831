import Foundation

/// A training run kept frame by frame (per epoch, or every few steps), so the report can replay
/// it: a slider and Step/Play buttons show the curves up to that frame, the learning rate, each
/// layer's gradient norm, each layer's weights and an attention map as they were then.
///
///     var record = TrainingRecord(title: "Training, frame by frame", layers: ["fc1", "fc2"])
///     for epoch in 1...epochs {
///         // ... train one epoch ...
///         record.add(epoch, loss: trainLoss, validationLoss: validLoss, learningRate: lr,
///                    gradientNorms: [g1, g2], weights: [fc1.weight.scalars, fc2.weight.scalars])
///     }
///     lesson.training(record)            // a step-through section in the --report page
///
/// Weights are kept as histograms (counts in `bins` bins), not copied whole, so a record of many
/// frames stays small.
public struct TrainingRecord: Sendable {
    /// Counts of values in equal bins between `low` and `high`.
    public struct Counts: Sendable, Equatable {
        public var low: Double
        public var high: Double
        public var counts: [Int]
        /// Values that were NaN or infinite, left out of the bins.
        public var nonFinite: Int
    }

    /// What the run looked like at one moment.
    public struct Frame: Sendable {
        /// The epoch or step.
        public var x: Double
        public var loss: Double
        public var validationLoss: Double?
        public var learningRate: Double?
        /// One gradient norm per layer, in the order of `layers`.
        public var gradientNorms: [Double]
        /// One weight histogram per layer (or none).
        public var weights: [Counts]
        /// One attention map (queries × keys), if the lesson keeps one.
        public var attention: [[Double]]?
    }

    public var title: String
    /// What a frame counts: "epoch" or "step".
    public var xLabel: String
    /// The layers' names, for the gradient bars and the histograms.
    public var layers: [String]
    public private(set) var frames: [Frame] = []

    public init(title: String, xLabel: String = "epoch", layers: [String] = []) {
        self.title = title
        self.xLabel = xLabel
        self.layers = layers
    }

    /// Adds a frame.
    /// - Parameters:
    ///   - x: the epoch or step (by default the frame's number, from 1).
    ///   - gradientNorms: one per layer in `layers` (or none).
    ///   - weights: each layer's weights (or none), kept as a histogram of `bins` bins.
    public mutating func add<V: BinaryFloatingPoint>(_ x: Double? = nil, loss: Double, validationLoss: Double? = nil,
                                                     learningRate: Double? = nil, gradientNorms: [Double] = [],
                                                     weights: [[V]] = [[Float]](), attention: [[Double]]? = nil,
                                                     bins: Int = 20) {
        precondition(gradientNorms.isEmpty || gradientNorms.count == layers.count,
                     "TrainingRecord: \(gradientNorms.count) gradient norms for \(layers.count) layers")
        precondition(weights.isEmpty || weights.count == layers.count,
                     "TrainingRecord: \(weights.count) weight arrays for \(layers.count) layers")
        let histograms = weights.map { Self.counts($0.map { Double($0) }, bins: bins) }
        frames.append(Frame(x: x ?? Double(frames.count + 1), loss: loss, validationLoss: validationLoss,
                            learningRate: learningRate, gradientNorms: gradientNorms, weights: histograms,
                            attention: attention))
    }

    /// The histogram of `values`, as `Histogram` bins them (the largest value in the last bin).
    static func counts(_ values: [Double], bins: Int) -> Counts {
        let finite = values.filter(\.isFinite)
        let (low, high) = widened(finite.min() ?? 0, finite.max() ?? 0)
        var counts = [Int](repeating: 0, count: bins)
        for v in finite { counts[min(bins - 1, Int((v - low) / (high - low) * Double(bins)))] += 1 }
        return Counts(low: low, high: high, counts: counts, nonFinite: values.count - finite.count)
    }

    /// The record as JSON for the page's script (NaN and infinities become `null`).
    func json() -> String {
        func number(_ v: Double?) -> String {
            guard let v, v.isFinite else { return "null" }
            return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.6g", v)
        }
        func string(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "<": out += "\\u003c"               // never `</script>` inside the script element
                case "\n": out += "\\n"
                default:
                    if scalar.value < 0x20 {
                        out += String(format: "\\u%04x", scalar.value)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        func list(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
        let frameJSON = frames.map { f in
            var fields = ["\"x\":\(number(f.x))", "\"loss\":\(number(f.loss))",
                          "\"valid\":\(number(f.validationLoss))", "\"lr\":\(number(f.learningRate))",
                          "\"grad\":" + list(f.gradientNorms.map { number($0) }),
                          "\"hist\":" + list(f.weights.map { h in
                              "{\"low\":\(number(h.low)),\"high\":\(number(h.high)),\"nonFinite\":\(h.nonFinite)," +
                                  "\"counts\":" + list(h.counts.map(String.init)) + "}"
                          })]
            if let a = f.attention { fields.append("\"attn\":" + list(a.map { list($0.map { number($0) }) })) }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "{\"title\":\(string(title)),\"xLabel\":\(string(xLabel)),\"layers\":" + list(layers.map(string)) +
            ",\"frames\":" + list(frameJSON) + "}"
    }
}
