import Foundation
import Testing
import TestSupport
@testable import Engine

// The seed's whole model against PyTorch (reference keys l and m): the forward output, the MSE, and
// every parameter's gradient, with all dropouts at 0 and the model in training mode.

/// Builds the regressor of a reference file's `config`, loads its parameters by name, runs one
/// forward and backward with the MSE, and returns the model, its output and the loss.
func runNNRefRegressor(_ ref: NNRef) throws -> (TransformerEncoderRegressor, Tensor, Tensor) {
    let config = ref["config"]
    var g = Generator(seed: 3)
    let model = TransformerEncoderRegressor(
        inputDimensions: Int(config["input_dim"].double), modelDimensions: Int(config["d_model"].double),
        numHeads: Int(config["nhead"].double), feedForwardDimensions: Int(config["dim_feedforward"].double),
        numLayers: Int(config["num_layers"].double), sequenceLength: Int(config["seq_length"].double),
        hiddenDimensions: Int(config["hidden"].double), dropout: 0, generator: &g)
    #expect(model.namedParameters().map(\.name) == ref["parameter_order"].strings)
    let parameters = ref["parameters"]
    let stateDict = parameters.keys.map { (name: $0, tensor: parameters[$0].tensor) }
    let skipped = try model.loadStateDict(stateDict, strict: false)
    #expect(skipped == LoadStateDictResult(missing: ["pos_encoder.pe"], unexpected: []))
    model.train()
    let x = ref["x"].tensor, y = ref["y"].tensor
    let output = model(x)
    let loss = Tensor.mseLoss(output, y)
    loss.backward()
    return (model, output, loss)
}

/// √(Σ grad²) over every parameter, in Double.
func nnRefGradNorm(_ model: Module) -> Double {
    var total = 0.0
    for p in model.parameters() { for v in p.grad!.scalars { total += Double(v) * Double(v) } }
    return total.squareRoot()
}

@Suite struct NNRegressorParityTests {
    @Test func smallRegressorStepMatchesPyTorch() throws {
        let ref = try NNRef.load("l_small_regressor_step")
        let (model, output, loss) = try runNNRefRegressor(ref)
        let expected = ref["results"]["float32"]
        expectClose(output.scalars, reference: expected["output"]["values"].doubles, "output")
        expectClose(loss.item, reference: expected["mse_loss"].double, "mse")
        expectClose(Float(nnRefGradNorm(model)), reference: expected["total_grad_norm_before_clip"].double, "grad norm")
        let names = model.namedParameters().map(\.name)
        #expect(Set(expected["grads"].keys) == Set(names))
        for (name, p) in model.namedParameters() {
            // The key bias, in_proj_bias[D..<2D], has a gradient of 0 up to rounding noise: skipped.
            let third = p.count / 3
            let skip: Set<Int> = name.hasSuffix("in_proj_bias") ? Set(third..<(2 * third)) : []
            expectClose(p.grad!.scalars, reference: expected["grads"][name]["values"].doubles, "d\(name)", skip: skip)
        }
    }

    @Test func fullRegressorStepMatchesPyTorchChecksums() throws {
        let ref = try NNRef.load("m_full_regressor_step_checksums")
        let (model, output, loss) = try runNNRefRegressor(ref)
        #expect(model.parameterCount() == 191_873)
        let expected = ref["results"]["float32"]
        expectClose(output.scalars, reference: expected["output"]["values"].doubles, "output")
        expectClose(loss.item, reference: expected["mse_loss"].double, "mse")
        expectClose(Float(nnRefGradNorm(model)), reference: expected["total_grad_norm_before_clip"].double, "grad norm")
        for (name, p) in model.namedParameters() {
            let checksum = expected["grad_checksums"][name]
            #expect(checksum["shape"].ints == p.shape, "\(name) shape")
            let grad = p.grad!.scalars
            let sum = grad.reduce(0.0) { $0 + Double($1) }
            let l2 = grad.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            // A sum of n float32 gradients carries rounding of order 1e-6 · Σ|g| ≤ 1e-6 · l2 · √n
            // (Cauchy–Schwarz). Where the exact sum is 0 (e.g. linear2.weight feeding a LayerNorm,
            // whose gradient sums to 0 per row) that rounding is all there is, so the bound, not
            // 2e-6, is the honest absolute tolerance; PyTorch's own float32 sums sit inside it too.
            let roundingBound = 1e-6 * checksum["l2"].double * Double(grad.count).squareRoot()
            expectClose(Float(sum), reference: ref["results"]["float64"]["grad_checksums"][name]["sum"].double,
                             "sum d\(name)", abs: max(2e-6, roundingBound))
            expectClose(Float(l2), reference: checksum["l2"].double, "l2 d\(name)")
            expectClose(Array(grad.prefix(4)), reference: checksum["first4"].doubles, "first4 d\(name)")
        }
    }

    @Test func regressorStateDictFollowsTheSeedsRegistrationOrder() {
        var g = Generator(seed: 4)
        let model = TransformerEncoderRegressor(generator: &g)
        #expect(model.parameterCount() == 191_873)
        let names = model.stateDict().map(\.name)
        #expect(names.count == 43)
        #expect(names.first == "input_proj.weight")
        #expect(names.last == "pos_encoder.pe")
        #expect(names[2] == "encoder.layers.0.self_attn.in_proj_weight")
        #expect(names[38] == "output_layer.0.weight")
        #expect(names[41] == "output_layer.3.bias")
        #expect(model.stateDict().last!.tensor.shape == [1, 5000, 64])
    }
}
