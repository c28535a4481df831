import Testing
import TestSupport
@testable import Engine

// Parity with PyTorch for the options the shared keys do not cover (Tests/scripts/make_nn_extras.py):
// pre-norm and GELU encoder layers, causal and key-padding masks, cross-attention. Compared with
// PyTorch's float64 run on the same float32-rounded values (see the script for why).

func nnRefTensor(_ node: NNRef) -> Tensor {
    Tensor(node["values"].doubles.map { Float($0) }, shape: node["shape"].ints)
}

func nnRefKeyPadding(_ node: NNRef) -> AttentionMask {
    let rows = (0..<node.count).map { i in ((node[i].value as? [Any]) ?? []).map { ($0 as? Bool) ?? false } }
    return AttentionMask(blocked: rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
}

@Suite struct NNExtraParityTests {
    @Test(arguments: [0, 1, 2])
    func encoderLayerOptionsMatchPyTorch(caseIndex: Int) throws {
        let ref = try NNRef.load("nn_extras")["encoder_layers"][caseIndex]
        let activation: Activation = ref["activation"].string == "gelu" ? .gelu : .relu
        let normFirst = (ref["norm_first"].value as? Bool) ?? false
        var g = Generator(seed: 9)
        let layer = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16, dropout: 0,
                                            activation: activation, normFirst: normFirst, generator: &g)
        let parameters = ref["parameters"]
        try layer.loadStateDict(parameters.keys.map { (name: $0, tensor: nnRefTensor(parameters[$0])) })
        let x = nnRefTensor(ref["x"])
        x.requiresGrad = true
        let causal = (ref["causal"].value as? Bool) ?? false
        let padding = ref["key_padding"].exists ? nnRefKeyPadding(ref["key_padding"]) : nil
        let out = layer(x, mask: causal ? .causal(5) : nil, keyPaddingMask: padding)
        _ = nnRefLoss(out)
        let name = "case \(caseIndex) (normFirst \(normFirst), \(activation), causal \(causal), "
            + "padding \(padding != nil))"
        expectClose(out.scalars, reference: ref["out64"].doubles, "\(name) out")
        expectClose(x.grad!.scalars, reference: ref["grads64"]["x"].doubles, "\(name) dx")
        for (pname, p) in layer.namedParameters() {
            let skip: Set<Int> = pname == "self_attn.in_proj_bias" ? Set(8..<16) : []
            expectClose(p.grad!.scalars, reference: ref["grads64"][pname].doubles, "\(name) d\(pname)", skip: skip)
        }
    }

    @Test func crossAttentionWithKeyPaddingMatchesPyTorch() throws {
        let ref = try NNRef.load("nn_extras")["cross_attention"]
        var g = Generator(seed: 10)
        let mha = MultiheadAttention(embedDimensions: 8, numHeads: 2, generator: &g)
        let parameters = ref["parameters"]
        try mha.loadStateDict(parameters.keys.map { (name: $0, tensor: nnRefTensor(parameters[$0])) })
        let query = nnRefTensor(ref["query"]), keyValue = nnRefTensor(ref["key_value"])
        query.requiresGrad = true
        keyValue.requiresGrad = true
        let result = mha(query, keyValue, keyValue, keyPaddingMask: nnRefKeyPadding(ref["key_padding"]))
        _ = nnRefLoss(result.output)
        expectClose(result.output.scalars, reference: ref["out64"].doubles, "out")
        expectClose(result.weights!.scalars, reference: ref["weights64"].doubles, "weights")
        expectClose(result.weightsPerHead!.scalars, reference: ref["weights_per_head64"].doubles, "weights per head")
        // Padded keys get exactly zero weight.
        #expect(result.weights!.scalars[4] == 0)
        expectClose(query.grad!.scalars, reference: ref["grads64"]["query"].doubles, "dquery")
        expectClose(keyValue.grad!.scalars, reference: ref["grads64"]["key_value"].doubles, "dkey_value")
        for (pname, p) in mha.namedParameters() {
            let skip: Set<Int> = pname == "in_proj_bias" ? Set(8..<16) : []
            expectClose(p.grad!.scalars, reference: ref["grads64"][pname].doubles, "d\(pname)", skip: skip)
        }
    }
}
