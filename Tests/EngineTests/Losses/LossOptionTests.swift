import Testing
import TestSupport
@testable import Engine

// Issue 13's loss options against PyTorch 2.15 (Tests/scripts/make_loss_options.py): cross-entropy
// with class weights, label smoothing, probability targets and [N, C, d1, …] inputs with
// ignore_index; BCE on logits with pos_weight and weight; every reduction. Compared with the float64
// run; gradients also by central differences.

private func reduction(_ node: NNRef) -> Reduction { Reduction(rawValue: node["reduction"].string!)! }

/// Runs one stored case; returns the loss to back-propagate and the inputs that get gradients.
private func lossCase(_ ref: NNRef, _ inputs: (x: Tensor, t: Tensor?)) -> Tensor {
    let r = reduction(ref)
    if ref["loss"].string == "cross_entropy" {
        let weight = ref["weight"].exists ? Tensor(ref["weight"].doubles.map { Float($0) }) : nil
        let criterion = CrossEntropyLoss(weight: weight, reduction: r,
                                         labelSmoothing: Float(ref["label_smoothing"].double))
        if let t = inputs.t { return criterion(inputs.x, probabilities: t) }
        return criterion(inputs.x, ref["targets"].ints)
    }
    let weight = ref["weight"].exists ? nnRefTensor(ref["weight"]) : nil
    let posWeight = ref["pos_weight"].exists ? Tensor(ref["pos_weight"].doubles.map { Float($0) }) : nil
    return BCEWithLogitsLoss(weight: weight, reduction: r, posWeight: posWeight)(inputs.x, inputs.t!)
}

private func inputs(_ ref: NNRef) -> (x: Tensor, t: Tensor?) {
    let shape = ref["shape"].ints
    let x = Tensor(ref["input"].doubles.map { Float($0) }, shape: shape, requiresGrad: true)
    let key = ref["probabilities"].exists ? "probabilities" : (ref["target"].exists ? "target" : nil)
    let t = key.map { Tensor(ref[$0].doubles.map { Float($0) }, shape: shape, requiresGrad: true) }
    return (x, t)
}

@Suite struct LossOptionTests {
    @Test(arguments: 0..<36)
    func lossOptionsMatchPyTorch(caseIndex: Int) throws {
        let ref = try NNRef.load("loss_options")["cases"][caseIndex]
        let name = "case \(caseIndex) \(ref["loss"].string!) \(ref["shape"].ints) \(ref["reduction"].string!) "
            + "weight \(ref["weight"].exists) smoothing \(ref["label_smoothing"].double) "
            + "pos_weight \(ref["pos_weight"].exists) probabilities \(ref["probabilities"].exists)"
        let xs = inputs(ref)
        let out = lossCase(ref, xs)
        expectClose(out.scalars, reference: ref["out64"].doubles, "\(name) out")
        if out.rank == 0 { out.backward() } else { (out * NNRef.lossWeights(out.shape)).sum().backward() }
        expectClose(xs.x.grad!.scalars, reference: ref["grad_input64"].doubles, "\(name) dinput")
        if let t = xs.t {
            expectClose(t.grad!.scalars, reference: ref["grad_target64"].doubles, "\(name) dtarget")
        }
    }

    /// Central differences through a case with every cross-entropy option at once, and through BCE's.
    @Test(arguments: [3, 6, 10, 28, 31, 35])
    func lossOptionsPassGradCheck(caseIndex: Int) throws {
        let ref = try NNRef.load("loss_options")["cases"][caseIndex]
        let xs = inputs(ref)
        let all = [xs.x] + (xs.t.map { [$0] } ?? [])
        expectGradCheck(all) { ts in
            let out = lossCase(ref, (ts[0], ts.count > 1 ? ts[1] : nil))
            return out.rank == 0 ? out : (out * NNRef.lossWeights(out.shape)).sum()
        }
    }

    /// The plain calls keep their own code path: the options at their defaults give the same bits.
    @Test func defaultOptionsGiveThePlainBits() {
        let logits = randomTensor([6, 5], seed: 3)
        let targets = [0, 4, 2, -100, 1, 3]
        let plain = Tensor.crossEntropy(logits, targets: targets)
        let general = Tensor.crossEntropy(logits, targets: targets, weight: nil)
        expectClose(general.item, plain.item)
        let logits3 = randomTensor([2, 5, 3], seed: 4)
        let nd = Tensor.crossEntropy(logits3, targets: [0, 1, 2, 3, 4, 0])
        let byHand = Tensor.crossEntropy(logits3.permute([0, 2, 1]).reshape([6, 5]), targets: [0, 1, 2, 3, 4, 0])
        expectClose(nd.item, byHand.item)
    }
}
