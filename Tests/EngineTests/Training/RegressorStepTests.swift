// Key l's optimizer step: the seed's architecture at d_model 8 (dropout 0), parameters from the
// reference, one forward and backward with the MSE, clip_grad_norm_(1.0), one AdamW(1e-3, wd 1e-4)
// step; every parameter after the step at rel 1e-5 / abs 2e-6.
import Testing
@testable import Engine

@Test func smallRegressorClipAndAdamWStepMatchesPyTorch() throws {
    let key = try OptRef.load("l_small_regressor_step")
    func config(_ name: String) -> Int { (OptRef.at(key, "config", name) as! Int) }
    var g = Generator(seed: 9)
    let model = TransformerEncoderRegressor(
        inputDimensions: config("input_dim"), modelDimensions: config("d_model"), numHeads: config("nhead"),
        feedForwardDimensions: config("dim_feedforward"), numLayers: config("num_layers"),
        sequenceLength: config("seq_length"), hiddenDimensions: config("hidden"), dropout: 0, generator: &g)
    let parameters = key["parameters"] as! [String: Any]
    let named = parameters.keys.map { (name: $0, tensor: OptRefTensor(parameters[$0]).tensor()) }
    let loaded = try model.loadStateDict(named, strict: false)
    #expect(loaded.missing == ["pos_encoder.pe"] && loaded.unexpected.isEmpty)

    let x = OptRefTensor(key["x"]).tensor(), y = OptRefTensor(key["y"]).tensor()
    let optimizer = AdamW(model.parameters(), learningRate: 1e-3, weightDecay: 1e-4)
    optimizer.zeroGrad()
    let loss = Tensor.mseLoss(model(x), y)
    loss.backward()
    let norm = clipGradNorm(model.parameters(), maxNorm: 1.0)
    optimizer.step()

    let expected = OptRef.at(key, "results", "float32") as! [String: Any]
    optRefExpectClose([loss.item], [OptRef.double(expected["mse_loss"])], "mse")
    optRefExpectClose([norm], [OptRef.double(expected["total_grad_norm_before_clip"])], "grad norm before clip")
    let after = expected["params_after_clip_and_adamw_step"] as! [String: Any]
    #expect(Set(after.keys) == Set(model.namedParameters().map(\.name)))
    for (name, p) in model.namedParameters() {
        let want = OptRefTensor(after[name])
        if name.hasSuffix("self_attn.in_proj_bias") {
            // The key bias [D, 2D) has an exactly-zero gradient made of rounding noise, which AdamW's
            // first step turns into moves of up to lr: abs 1e-3 there (the reference README's caveat).
            let d = p.count / 3
            optRefExpectClose(Array(p.scalars[0..<d]), Array(want.values[0..<d]), "\(name) [query]")
            optRefExpectClose(Array(p.scalars[d..<2 * d]), Array(want.values[d..<2 * d]), abs: 1e-3, "\(name) [key]")
            optRefExpectClose(Array(p.scalars[(2 * d)...]), Array(want.values[(2 * d)...]), "\(name) [value]")
        } else {
            optRefExpectClose(p.scalars, want.values, name)
        }
    }
    #expect(optimizer.stepCount == 1)
}
