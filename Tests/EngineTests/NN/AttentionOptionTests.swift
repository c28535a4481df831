import Testing
import TestSupport
@testable import Engine

// MultiheadAttention's kdim/vdim, add_bias_kv, add_zero_attn and batch_first=False against PyTorch
// 2.15 (Tests/scripts/make_mha_options.py), with their gradients (parameters, inputs, float masks).
@Suite struct AttentionOptionTests {
    @Test(arguments: 0..<7)
    func optionsMatchPyTorch(caseIndex: Int) throws {
        let ref = try NNRef.load("mha_options")["cases"][caseIndex]
        let o = ref["options"]
        func flag(_ key: String) -> Bool { (o[key].value as? Bool) ?? false }
        let isSelf = flag("self")
        var g = Generator(seed: 5)
        let mha = MultiheadAttention(embedDimensions: 8, numHeads: 2, addBiasKV: flag("add_bias_kv"),
                                     addZeroAttn: flag("add_zero_attn"),
                                     keyDimensions: o["kdim"].exists ? Int(o["kdim"].double) : nil,
                                     valueDimensions: o["vdim"].exists ? Int(o["vdim"].double) : nil,
                                     batchFirst: o["batch_first"].exists ? flag("batch_first") : true, generator: &g)
        let parameters = ref["parameters"]
        #expect(Set(mha.namedParameters().map(\.name)) == Set(parameters.keys), "parameter names")
        try mha.loadStateDict(parameters.keys.map { (name: $0, tensor: nnRefTensor(parameters[$0])) })
        let query = nnRefTensor(ref["query"])
        query.requiresGrad = true
        let key = isSelf ? query : nnRefTensor(ref["key"]), value = isSelf ? query : nnRefTensor(ref["value"])
        key.requiresGrad = true
        value.requiresGrad = true
        var attnTensor: Tensor? = nil
        var attn: AttentionMask? = nil
        if ref["attn_mask"]["blocked"].exists {
            let blocked = ((ref["attn_mask"]["blocked"].value as? [Any]) ?? []).map { ($0 as? Bool) ?? false }
            attn = AttentionMask(blocked: blocked, shape: ref["attn_mask"]["shape"].ints)
        } else if ref["attn_mask"].exists {
            attnTensor = nnRefTensor(ref["attn_mask"])
            attnTensor!.requiresGrad = true
            attn = AttentionMask(additive: attnTensor!)
        }
        let blocked = ((ref["key_padding_mask"]["blocked"].value as? [Any]) ?? []).map { ($0 as? Bool) ?? false }
        let padding = ref["key_padding_mask"].exists
            ? AttentionMask(blocked: blocked, shape: ref["key_padding_mask"]["shape"].ints) : nil
        let result = mha(query, key, value, keyPaddingMask: padding, attnMask: attn)
        let name = "case \(caseIndex) \(o.keys)"
        #expect(result.output.shape == ref["out_shape"].ints, "\(name) output shape")
        #expect(result.weights!.shape == ref["weights_shape"].ints, "\(name) weights shape")
        _ = nnRefLoss(result.output)
        let grads = ref["grads64"]
        expectClose(result.output.scalars, reference: ref["out64"].doubles, "\(name) out")
        expectClose(result.weights!.scalars, reference: ref["weights64"].doubles, "\(name) weights")
        expectClose(query.grad!.scalars, reference: grads["query"].doubles, "\(name) dquery")
        if !isSelf {
            expectClose(key.grad!.scalars, reference: grads["key"].doubles, "\(name) dkey")
            expectClose(value.grad!.scalars, reference: grads["value"].doubles, "\(name) dvalue")
        }
        if let attnTensor {
            expectClose(attnTensor.grad!.scalars, reference: grads["attn_mask"].doubles, "\(name) dattn")
        }
        for (pname, p) in mha.namedParameters() {
            let skip: Set<Int> = pname == "in_proj_bias" ? Set(8..<16) : []     // dbk is 0 up to rounding
            expectClose(p.grad!.scalars, reference: grads[pname].doubles, "\(name) d\(pname)", skip: skip)
        }
    }

    /// Central differences through every option at once: separate projections, bias_k/bias_v,
    /// zero attention, sequence-first layout, a float mask.
    @Test func allOptionsPassGradCheck() {
        var g = Generator(seed: 6)
        let mha = MultiheadAttention(embedDimensions: 4, numHeads: 2, addBiasKV: true, addZeroAttn: true,
                                     keyDimensions: 3, valueDimensions: 2, batchFirst: false, generator: &g)
        let query = randomTensor([2, 2, 4], seed: 7), key = randomTensor([3, 2, 3], seed: 8)
        let value = randomTensor([3, 2, 2], seed: 9), mask = randomTensor([2, 3], seed: 10, scale: 0.5)
        let weights = randomTensor([2, 2, 4], seed: 11)
        expectGradCheck([query, key, value, mask, mha.biasK!, mha.kProjWeight!]) { xs in
            (mha(xs[0], xs[1], xs[2], attnMask: AttentionMask(additive: xs[3])).output * weights).sum()
        }
    }
}
