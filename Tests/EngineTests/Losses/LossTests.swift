import Testing
import TestSupport
@testable import Engine

// Every loss with every reduction against PyTorch (Tests/scripts/make_nn_extras.py), plus gradient
// checks. For reduction "none" the reference's gradient is that of Σ out·G.

fileprivate func reduction(_ name: String?) -> Reduction { Reduction(rawValue: name ?? "") ?? .mean }

@Suite struct NNLossTests {
    @Test func regressionAndBCELossesMatchPyTorch() throws {
        let cases = try NNRef.load("nn_extras")["losses"]
        var checked = 0
        for i in 0..<cases.count where cases[i]["name"].string != "cross_entropy" {
            let c = cases[i]
            let name = "\(c["name"].string ?? "?") \(c["reduction"].string ?? "?")"
            let shape = c["shape"].ints
            let x = Tensor(c["input"].doubles.map { Float($0) }, shape: shape, requiresGrad: true)
            let yRaw = Tensor(c["target"].doubles.map { Float($0) }, shape: shape, requiresGrad: true)
            let r = reduction(c["reduction"].string)
            let out: Tensor
            var y = yRaw
            switch c["name"].string {
            case "mse": out = MSELoss(reduction: r)(x, y)
            case "l1": out = L1Loss(reduction: r)(x, y)
            case "huber_0.5": out = HuberLoss(delta: 0.5, reduction: r)(x, y)
            case "smooth_l1_0.5": out = SmoothL1Loss(beta: 0.5, reduction: r)(x, y)
            case "bce_logits":
                y = (yRaw + 1.5) / 3.2                     // targets in [0, 1], made as in the script
                out = BCEWithLogitsLoss(reduction: r)(x, y)
            default: Issue.record("unknown loss \(name)"); continue
            }
            expectClose(out.scalars, reference: c["out"].doubles, "\(name) value")
            (r == .none ? (out * NNRef.lossWeights(out.shape)).sum() : out).backward()
            expectClose(x.grad!.scalars, reference: c["grad_input"].doubles, "\(name) d input")
            expectClose(yRaw.grad!.scalars, reference: c["grad_target"].doubles, "\(name) d target")
            checked += 1
        }
        #expect(checked == 15)
    }

    @Test func crossEntropyMatchesPyTorch() throws {
        let cases = try NNRef.load("nn_extras")["losses"]
        var checked = 0
        for i in 0..<cases.count where cases[i]["name"].string == "cross_entropy" {
            let c = cases[i]
            let r = reduction(c["reduction"].string)
            let logits = Tensor(c["input"].doubles.map { Float($0) }, shape: c["shape"].ints, requiresGrad: true)
            let out = CrossEntropyLoss(reduction: r)(logits, c["targets"].ints)
            expectClose(out.scalars, reference: c["out"].doubles, "cross-entropy \(r) value")
            (r == .none ? (out * NNRef.lossWeights(out.shape)).sum() : out).backward()
            expectClose(logits.grad!.scalars, reference: c["grad_input"].doubles, "cross-entropy \(r) d logits")
            checked += 1
        }
        #expect(checked == 3)
    }

    @Test func lossGradientsPassGradCheck() {
        var g = Generator(seed: 21)
        let x = Tensor.randn([3, 4], generator: &g), y = Tensor.randn([3, 4], generator: &g)
        let probabilities = Tensor.rand([3, 4], generator: &g)
        for r in [Reduction.mean, .sum, .none] {
            let checks: [[GradCheckResult]] = [
                gradCheck([x, y]) { Tensor.mseLoss($0[0], $0[1], reduction: r) },
                gradCheck([x, y]) { Tensor.huberLoss($0[0], $0[1], delta: 0.7, reduction: r) },
                gradCheck([x, y]) { Tensor.smoothL1Loss($0[0], $0[1], beta: 0.7, reduction: r) },
                gradCheck([x, y]) { Tensor.l1Loss($0[0], $0[1], reduction: r) },
                gradCheck([x, probabilities]) { Tensor.binaryCrossEntropyWithLogits($0[0], $0[1], reduction: r) },
                gradCheck([x]) { Tensor.crossEntropy($0[0], targets: [1, 3, 0], reduction: r) },
            ]
            for results in checks { for result in results { #expect(result.passed, "\(r): \(result)") } }
        }
    }

    @Test func crossEntropyIsStableForHugeLogits() {
        let logits = Tensor([1000, -1000, 0, 50_000, 50_001, 49_999], shape: [2, 3])
        let loss = Tensor.crossEntropy(logits, targets: [0, 1], reduction: .none)
        #expect(loss.scalars[0] == 0)
        #expect(Swift.abs(loss.scalars[1] - 0.40760596) < 1e-5)    // log(1 + e + e⁻¹) - 1
        let bce = Tensor.binaryCrossEntropyWithLogits(Tensor([200, -200]), Tensor([1, 1]), reduction: .none)
        #expect(bce.scalars == [0, 200])
    }
}
