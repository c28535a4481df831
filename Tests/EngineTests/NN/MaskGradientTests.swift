import Testing
import TestSupport
@testable import Engine

// Issue 13's lost gradient: a float attn_mask or key_padding_mask that requires grad gets its
// gradient in every combination of masks, as in PyTorch (Tests/scripts/make_mask_gradients.py:
// attn none / float / bool, 2-D or 3-D, padding none / float / bool, self- and cross-attention).

/// A mask stored as `{"shape", "values", "neg_inf"}` (float) or `{"shape", "blocked"}` (bool).
private func storedMask(_ node: NNRef) -> (mask: AttentionMask, tensor: Tensor?) {
    let shape = node["shape"].ints
    if node["blocked"].exists {
        let blocked = ((node["blocked"].value as? [Any]) ?? []).map { ($0 as? Bool) ?? false }
        return (AttentionMask(blocked: blocked, shape: shape), nil)
    }
    var values = node["values"].doubles.map { Float($0) }
    for (i, blocked) in ((node["neg_inf"].value as? [Any]) ?? []).enumerated() where (blocked as? Bool) == true {
        values[i] = -.infinity
    }
    let t = Tensor(values, shape: shape, requiresGrad: true)
    return (AttentionMask(additive: t), t)
}

@Suite struct MaskGradientTests {
    @Test(arguments: 0..<30)
    func maskGradientsMatchPyTorch(caseIndex: Int) throws {
        let ref = try NNRef.load("mask_gradients")["cases"][caseIndex]
        let cross = (ref["cross"].value as? Bool) ?? false
        let name = "case \(caseIndex): attn \(ref["attn"].string!) \(ref["dims"].ints)-D, "
            + "padding \(ref["padding"].string!), \(cross ? "cross" : "self")"
        var g = Generator(seed: 3)
        let mha = MultiheadAttention(embedDimensions: 8, numHeads: 2, generator: &g)
        let parameters = ref["parameters"]
        try mha.loadStateDict(parameters.keys.map { (name: $0, tensor: nnRefTensor(parameters[$0])) })
        let query = nnRefTensor(ref["query"])
        query.requiresGrad = true
        let keyValue = cross ? nnRefTensor(ref["key_value"]) : query
        keyValue.requiresGrad = true
        let attn = ref["attn_mask"].exists ? storedMask(ref["attn_mask"]) : nil
        let padding = ref["key_padding_mask"].exists ? storedMask(ref["key_padding_mask"]) : nil
        let out = mha(query, keyValue, keyValue, keyPaddingMask: padding?.mask, attnMask: attn?.mask).output
        _ = nnRefLoss(out)
        let grads = ref["grads64"]
        expectClose(out.scalars, reference: ref["out64"].doubles, "\(name) out")
        expectClose(query.grad!.scalars, reference: grads["query"].doubles, "\(name) dquery")
        if cross { expectClose(keyValue.grad!.scalars, reference: grads["key_value"].doubles, "\(name) dkey_value") }
        if let t = attn?.tensor {
            #expect(t.grad != nil, "\(name): attn_mask.grad is nil")
            expectClose(t.grad?.scalars ?? [], reference: grads["attn_mask"].doubles, "\(name) dattn_mask")
        }
        if let t = padding?.tensor {
            #expect(t.grad != nil, "\(name): key_padding_mask.grad is nil")
            // PyTorch leaves 0 where the padding mask is -inf; so do we (the softmax weight there is 0).
            expectClose(t.grad?.scalars ?? [], reference: grads["key_padding_mask"].doubles,
                        "\(name) dkey_padding_mask")
        }
        for (pname, p) in mha.namedParameters() {
            let skip: Set<Int> = pname == "in_proj_bias" ? Set(8..<16) : []     // dbk is 0 up to rounding
            expectClose(p.grad!.scalars, reference: grads[pname].doubles, "\(name) d\(pname)", skip: skip)
        }
    }

    /// Central differences through both float masks at once, 3-D attn mask, cross-attention.
    @Test func bothFloatMasksPassGradCheck() {
        var g = Generator(seed: 4)
        let mha = MultiheadAttention(embedDimensions: 4, numHeads: 2, generator: &g)
        let query = randomTensor([2, 3, 4], seed: 5)
        let keyValue = randomTensor([2, 2, 4], seed: 6)
        let attn = randomTensor([4, 3, 2], seed: 7, scale: 0.5)
        let padding = randomTensor([2, 2], seed: 8, scale: 0.5)
        let weights = randomTensor([2, 3, 4], seed: 9)
        expectGradCheck([attn, padding]) { xs in
            let out = mha(query, keyValue, keyValue, keyPaddingMask: AttentionMask(additive: xs[1]),
                          attnMask: AttentionMask(additive: xs[0])).output
            return (out * weights).sum()
        }
    }

    /// The encoder layer passes a learnable `src_mask` with a padding mask and it learns.
    @Test func encoderLayerSourceMaskGetsGradientWithPadding() {
        var g = Generator(seed: 10)
        let layer = TransformerEncoderLayer(modelDimensions: 4, numHeads: 2, feedForwardDimensions: 8, dropout: 0,
                                            generator: &g)
        let x = randomTensor([2, 3, 4], seed: 11)
        let bias = randomTensor([3, 3], seed: 12, scale: 0.3)
        bias.requiresGrad = true
        let padding = AttentionMask(blocked: [false, false, false, false, false, true], shape: [2, 3])
        let weights = randomTensor([2, 3, 4], seed: 13)
        expectGradCheck([bias]) { xs in
            (layer(x, mask: AttentionMask(additive: xs[0]), keyPaddingMask: padding) * weights).sum()
        }
    }

    /// Through a two-layer encoder too: the same learnable bias feeds both layers.
    @Test func encoderSourceMaskGetsGradientWithPadding() {
        var g = Generator(seed: 14)
        let layer = TransformerEncoderLayer(modelDimensions: 4, numHeads: 2, feedForwardDimensions: 8, dropout: 0,
                                            generator: &g)
        let encoder = TransformerEncoder(layer, numLayers: 2)
        let x = randomTensor([2, 3, 4], seed: 15)
        let bias = randomTensor([3, 3], seed: 16, scale: 0.3)
        let padding = AttentionMask(blocked: [false, true, false, false, false, false], shape: [2, 3])
        let weights = randomTensor([2, 3, 4], seed: 17)
        bias.requiresGrad = true
        (encoder(x, mask: AttentionMask(additive: bias), keyPaddingMask: padding) * weights).sum().backward()
        #expect(bias.grad != nil && bias.grad!.scalars.contains { $0 != 0 })
        expectGradCheck([bias]) { xs in
            (encoder(x, mask: AttentionMask(additive: xs[0]), keyPaddingMask: padding) * weights).sum()
        }
    }
}
