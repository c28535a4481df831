import Testing
import TestSupport
@testable import Engine

// TransformerEncoderLayer's options beyond the defaults, against PyTorch 2.15
// (Tests/scripts/make_encoder_layer_options.py): `bias: false` (no bias anywhere in the layer, and
// PyTorch's state-dict names without them) and activations PyTorch takes as a callable (F.silu,
// torch.tanh), which here are cases of the one `Activation` vocabulary.

@Suite struct EncoderLayerOptionTests {
    @Test(arguments: [0, 1, 2, 3])
    func optionsMatchPyTorch(caseIndex: Int) throws {
        let ref = try NNRef.load("encoder_layer_options")["cases"][caseIndex]
        let activation = try #require(Activation(rawValue: ref["activation"].string ?? ""))
        let bias = (ref["bias"].value as? Bool) ?? true
        let normFirst = (ref["norm_first"].value as? Bool) ?? false
        let causal = (ref["causal"].value as? Bool) ?? false
        var g = Generator(seed: 5)
        let layer = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16, dropout: 0,
                                            activation: activation, normFirst: normFirst, bias: bias, generator: &g)
        #expect(layer.stateDict().map { $0.name } == ref["state_dict_names"].strings)
        let parameters = ref["parameters"]
        try layer.loadStateDict(parameters.keys.map { (name: $0, tensor: nnRefTensor(parameters[$0])) })
        let x = nnRefTensor(ref["x"])
        x.requiresGrad = true
        let out = layer(x, mask: causal ? AttentionMask.causal(5) : nil)
        _ = nnRefLoss(out)
        let name = "case \(caseIndex) (bias \(bias), \(activation), normFirst \(normFirst), causal \(causal))"
        expectClose(out.scalars, reference: ref["out64"].doubles, "\(name) out")
        expectClose(x.grad!.scalars, reference: ref["grads64"]["x"].doubles, "\(name) dx")
        for (pname, p) in layer.namedParameters() {
            let skip: Set<Int> = pname == "self_attn.in_proj_bias" ? Set(8..<16) : []
            expectClose(p.grad!.scalars, reference: ref["grads64"][pname].doubles, "\(name) d\(pname)", skip: skip)
        }
    }

    @Test func aCopyKeepsBiasFalse() {
        var g = Generator(seed: 1)
        let layer = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                            bias: false, generator: &g)
        let twin = layer.copy()
        #expect(twin.stateDict().map(\.name) == layer.stateDict().map(\.name))
        #expect(twin.parameterCount() == layer.parameterCount())
        #expect(layer.parameterCount() == 3 * 64 + 64 + 8 * 16 * 2 + 8 * 2)
    }
}
