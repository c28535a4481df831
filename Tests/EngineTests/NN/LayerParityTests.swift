import Testing
import TestSupport
@testable import Engine

// Parity with PyTorch's float32 answer keys for single layers (reference keys b, e, f, h).
// Parameters come from the files (by name), the loss is L = Σ out·G as the generator made it.

/// Copies every reference tensor whose name is in the module's state dict into it.
func loadNNRefParameters(_ module: Module, from tensors: NNRef, prefix: String = "") throws {
    var dict: [(name: String, tensor: Tensor)] = []
    for name in tensors.keys where tensors[name]["role"].string == "parameter" {
        dict.append((String(name.dropFirst(prefix.count)), tensors[name].tensor))
    }
    try module.loadStateDict(dict, strict: false)
    let loaded = Set(dict.map(\.name))
    for (name, _) in module.namedParameters() {
        #expect(loaded.contains(name), "parameter \(name) has no reference value")
    }
}

/// `L = Σ out · G` and its backward.
func nnRefLoss(_ out: Tensor) -> Tensor {
    let loss = (out * NNRef.lossWeights(out.shape)).sum()
    loss.backward()
    return loss
}

@Suite struct NNLayerParityTests {
    @Test func layerNormMatchesPyTorch() throws {
        let ref = try NNRef.load("b_layernorm")
        let x = ref["tensors"]["x"].tensor
        x.requiresGrad = true
        let norm = LayerNorm(8)
        try loadNNRefParameters(norm, from: ref["tensors"])
        let out = norm(x)
        let loss = nnRefLoss(out)
        let expected = ref["results"]["float32"]
        expectClose(out.scalars, reference: expected["outputs"]["out"]["values"].doubles, "out")
        expectClose(loss.item, reference: expected["loss"].double, "loss")
        expectClose(x.grad!.scalars, reference: expected["grads"]["x"]["values"].doubles, "dx")
        expectClose(norm.weight!.grad!.scalars, reference: expected["grads"]["weight"]["values"].doubles, "dweight")
        expectClose(norm.bias!.grad!.scalars, reference: expected["grads"]["bias"]["values"].doubles, "dbias")
    }

    @Test(arguments: [0, 1])
    func multiheadAttentionMatchesPyTorch(caseIndex: Int) throws {
        let ref = try NNRef.load("e_multihead_attention")["cases"][caseIndex]
        let x = ref["tensors"]["x"].tensor
        x.requiresGrad = true
        var g = Generator(seed: 1)
        let mha = MultiheadAttention(embedDimensions: 8, numHeads: 2, generator: &g)
        try loadNNRefParameters(mha, from: ref["tensors"])
        let causal = ref["mask"].exists
        #expect(causal == (ref["name"].string == "self_attention_causal_mask"))
        let result = mha(x, x, x, attnMask: causal ? .causal(5) : nil)
        let loss = nnRefLoss(result.output)
        let expected = ref["results"]["float32"]
        let name = ref["name"].string ?? "?"
        let outputs = expected["outputs"]
        expectClose(result.output.scalars, reference: outputs["attn_output"]["values"].doubles, "\(name) output")
        expectClose(result.weights!.scalars, reference: outputs["attn_weights_avg"]["values"].doubles,
                    "\(name) weights")
        let perHead = outputs["attn_weights_per_head"]["values"].doubles
        expectClose(result.weightsPerHead!.scalars, reference: perHead, "\(name) per-head weights")
        expectClose(loss.item, reference: expected["loss"].double, "\(name) loss")
        expectClose(x.grad!.scalars, reference: expected["grads"]["x"]["values"].doubles, "\(name) dx")
        // The key bias's gradient is 0 in exact arithmetic: compare it with an absolute 1e-6 only.
        let keyBias = Set(8..<16)
        for (pname, p) in mha.namedParameters() {
            let e = expected["grads"][pname]["values"].doubles
            expectClose(p.grad!.scalars, reference: e, "\(name) d\(pname)",
                        skip: pname == "in_proj_bias" ? keyBias : [])
            if pname == "in_proj_bias" {
                for i in keyBias { #expect(Swift.abs(p.grad!.scalars[i]) < 1e-6, "key bias grad \(i)") }
            }
        }
    }

    @Test func transformerEncoderLayerMatchesPyTorch() throws {
        let ref = try NNRef.load("f_transformer_encoder_layer")
        let x = ref["tensors"]["x"].tensor
        x.requiresGrad = true
        var g = Generator(seed: 2)
        let layer = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                            dropout: 0, generator: &g)
        #expect(layer.namedParameters().map(\.name) == ref["parameter_order"].strings)
        try loadNNRefParameters(layer, from: ref["tensors"])
        let out = layer(x)
        let loss = nnRefLoss(out)
        let expected = ref["results"]["float32"]
        expectClose(out.scalars, reference: expected["outputs"]["out"]["values"].doubles, "out")
        expectClose(loss.item, reference: expected["loss"].double, "loss")
        // The intermediates, recomputed without the graph.
        withNoGrad {
            let attention = layer.selfAttentionBlock(x)
            let h1 = layer.norm1(x + attention)
            let outputs = expected["outputs"]
            expectClose(attention.scalars, reference: outputs["intermediate_self_attn"]["values"].doubles,
                        "self-attention")
            expectClose(h1.scalars, reference: outputs["intermediate_norm1"]["values"].doubles, "norm1")
            expectClose(layer.feedForwardBlock(h1).scalars, reference: outputs["intermediate_ffn"]["values"].doubles,
                        "ffn")
        }
        expectClose(x.grad!.scalars, reference: expected["grads"]["x"]["values"].doubles, "dx")
        for (name, p) in layer.namedParameters() {
            let skip: Set<Int> = name == "self_attn.in_proj_bias" ? Set(8..<16) : []
            expectClose(p.grad!.scalars, reference: expected["grads"][name]["values"].doubles, "d\(name)", skip: skip)
        }
    }

    @Test func positionalEncodingMatchesPyTorch() throws {
        let ref = try NNRef.load("h_positional_encoding")
        let expected = ref["results"]["float32"]
        let divTerm = PositionalEncoding.divTerm(modelDimensions: 8)
        expectClose(divTerm, reference: expected["div_term"]["values"].doubles, "div_term")
        let pe = PositionalEncoding(modelDimensions: 8, dropout: 0.1)
        #expect(pe.pe.shape == [1, 5000, 8])
        #expect(pe.stateDict().map(\.name) == ["pe"])
        #expect(pe.namedParameters().isEmpty)
        expectClose(Array(pe.pe.scalars[0..<48]), reference: expected["pe"]["values"].doubles, "pe")
        // The forward adds the first T rows to every batch entry (dropout off in eval mode).
        pe.eval()
        let x = Tensor.zeros([2, 6, 8])
        let y = pe(x)
        expectClose(Array(y.scalars[48..<96]), reference: expected["pe"]["values"].doubles, "x + pe, batch 1")
    }

    @Test func fullSizePositionalTableMatchesPyTorch() throws {
        // The seed's own size, D = 64 and 5000 rows: a few rows and whole-table checksums.
        //
        // One known difference: for D = 64, divTerm[3] = exp(-0.86346942) is 0.42169649837… exactly,
        // almost halfway between two Floats. glibc's expf rounds it correctly (0.42169648); PyTorch's
        // vectorised exp (Sleef) rounds up (0.42169651). The angle pos·divTerm[3] then differs by
        // pos × 3e-8, which is invisible at the seed's 5 positions but reaches ~1e-4 at position 4999
        // (columns 6 and 7 only). A model loaded from PyTorch's state dict takes PyTorch's table
        // (`pos_encoder.pe` is a buffer), so loaded models agree exactly.
        let ref = try NNRef.load("nn_extras")["positional_encoding_64"]
        let pe = PositionalEncoding(modelDimensions: 64).pe
        #expect(pe.shape == [1, 5000, 64])
        let rows = ref["rows"].ints
        let expected = ref["values"].doubles
        for (i, r) in rows.enumerated() {
            let ours = Array(pe.scalars[(r * 64)..<(r * 64 + 64)])
            let theirs = Array(expected[(i * 64)..<(i * 64 + 64)])
            let slack = Set([6, 7])                 // the columns that use divTerm[3]
            expectClose(ours, reference: theirs, "row \(r)", skip: r < 100 ? [] : slack)
            for j in slack {
                #expect(Swift.abs(Double(ours[j]) - theirs[j]) <= Double(r) * 4e-8 + 2e-6, "row \(r) column \(j)")
            }
        }
        let sum = pe.scalars.reduce(0.0) { $0 + Double($1) }
        let l2 = pe.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        expectClose(Float(sum), reference: ref["sum"].double, "sum")
        expectClose(Float(l2), reference: ref["l2"].double, "l2")
    }
}
