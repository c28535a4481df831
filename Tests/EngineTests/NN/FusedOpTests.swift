import Testing
@testable import Engine

// The fused ops against their unfused forms: same values, and gradients that pass gradCheck.

/// Layer norm from primitives: (x - μ) / √(σ² + eps) · w + b over the last dimension.
fileprivate func compositeLayerNorm(_ x: Tensor, _ w: Tensor?, _ b: Tensor?, eps: Float = 1e-5) -> Tensor {
    let mean = x.mean(dim: -1, keepdim: true)
    let variance = x.variance(dims: [-1], unbiased: false, keepdim: true)
    var y = (x - mean) / (variance + eps).sqrt()
    if let w { y = y * w }
    if let b { y = y + b }
    return y
}

@Suite struct NNFusedOpTests {
    @Test func fusedLayerNormMatchesItsCompositeForm() {
        var g = Generator(seed: 31)
        let x = Tensor.randn([2, 3, 6], generator: &g) * 3 + 1
        let w = Tensor.randn([6], generator: &g), b = Tensor.randn([6], generator: &g)
        let fused = x.layerNorm(weight: w, bias: b)
        let composite = compositeLayerNorm(x, w, b)
        for (a, c) in zip(fused.scalars, composite.scalars) { #expect(Swift.abs(a - c) < 1e-5) }
        for r in gradCheck([x, w, b], { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }) { #expect(r.passed, "\(r)") }
        for r in gradCheck([x], { $0[0].layerNorm(weight: nil, bias: nil) }) { #expect(r.passed, "\(r)") }
        // Fused and composite backward agree closely (tighter than finite differences can tell).
        let xs = [x.copy(), x.copy()], ws = [w.copy(), w.copy()], bs = [b.copy(), b.copy()]
        for t in xs + ws + bs { t.requiresGrad = true }
        let weights = NNRef.lossWeights([2, 3, 6])
        (xs[0].layerNorm(weight: ws[0], bias: bs[0]) * weights).sum().backward()
        (compositeLayerNorm(xs[1], ws[1], bs[1]) * weights).sum().backward()
        for (fused, composite) in [(xs[0], xs[1]), (ws[0], ws[1]), (bs[0], bs[1])] {
            for (a, c) in zip(fused.grad!.scalars, composite.grad!.scalars) { #expect(Swift.abs(a - c) < 1e-4) }
        }
    }

    @Test func layerNormOfAConstantRowIsFinite() {
        let y = Tensor.full([2, 4], value: 7).layerNorm(weight: nil, bias: nil)
        #expect(y.scalars == [Float](repeating: 0, count: 8))
    }

    @Test func attentionPassesGradCheckWithAndWithoutMask() {
        var g = Generator(seed: 32)
        let q = Tensor.randn([3, 4, 5], generator: &g), k = Tensor.randn([3, 6, 5], generator: &g)
        let v = Tensor.randn([3, 6, 2], generator: &g)
        var blocked = [Bool](repeating: false, count: 24)
        blocked[5] = true; blocked[17] = true
        let mask = AttentionMask(blocked: blocked, shape: [4, 6]).additive
        for m in [nil, mask] {
            let results = gradCheck([q, k, v]) { t in
                var scratch = Generator(seed: 0)
                return Tensor.scaledDotProductAttention(query: t[0], key: t[1], value: t[2], mask: m,
                                                        generator: &scratch).output
            }
            for r in results { #expect(r.passed, "\(r)") }
        }
        // Rows sum to 1, blocked positions get 0.
        var scratch = Generator(seed: 0)
        let weights = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: mask,
                                                       generator: &scratch).weights
        for row in 0..<12 {
            let sum = weights.scalars[(row * 6)..<(row * 6 + 6)].reduce(0, +)
            #expect(Swift.abs(sum - 1) < 1e-6)
        }
        #expect(weights.scalars[5] == 0 && weights.scalars[24 + 17] == 0)
    }

    @Test func fusedAttentionMatchesItsCompositeForm() {
        var g = Generator(seed: 33)
        let q = Tensor.randn([4, 3, 5], generator: &g), k = Tensor.randn([4, 6, 5], generator: &g)
        let v = Tensor.randn([4, 6, 2], generator: &g)
        let shared = Tensor.randn([3, 6], generator: &g), perProblem = Tensor.randn([4, 3, 6], generator: &g)
        for (mask, dropout) in [(nil, Float(0)), (shared, 0), (perProblem, 0), (shared, 0.4)] {
            var results: [(out: Tensor, w: Tensor, grads: [[Float]])] = []
            for fused in [true, false] {
                let inputs = [q, k, v] + (mask.map { [$0] } ?? []).map { $0.copy() }
                let leaves = inputs.map { $0.copy() }
                for t in leaves { t.requiresGrad = true }
                var stream = Generator(seed: 8)
                let attention = fused
                    ? Tensor.scaledDotProductAttention(query: leaves[0], key: leaves[1], value: leaves[2],
                                                       mask: leaves.count > 3 ? leaves[3] : nil, dropout: dropout,
                                                       generator: &stream)
                    : Tensor.scaledDotProductAttentionComposite(query: leaves[0], key: leaves[1], value: leaves[2],
                                                                mask: leaves.count > 3 ? leaves[3] : nil,
                                                                dropout: dropout, generator: &stream)
                ((attention.output * NNRef.lossWeights([4, 3, 2])).sum()
                    + (attention.weights * NNRef.lossWeights([4, 3, 6])).sum()).backward()
                results.append((attention.output, attention.weights, leaves.map { $0.grad!.scalars }))
            }
            let label = "mask \(mask?.shape ?? []), dropout \(dropout)"
            let (out0, out1) = (results[0].out.scalars, results[1].out.scalars)
            #expect(zip(out0, out1).allSatisfy { Swift.abs($0 - $1) < 1e-5 }, "\(label)")
            let (w0, w1) = (results[0].w.scalars, results[1].w.scalars)
            #expect(zip(w0, w1).allSatisfy { Swift.abs($0 - $1) < 1e-6 }, "\(label)")
            for (a, b) in zip(results[0].grads, results[1].grads) {
                #expect(zip(a, b).allSatisfy { Swift.abs($0 - $1) < 1e-5 }, "\(label)")
            }
        }
        // The mask's own gradient passes gradCheck as well.
        let results = gradCheck([q, k, perProblem]) { t in
            var scratch = Generator(seed: 0)
            return Tensor.attentionWeights(query: t[0], key: t[1], mask: t[2], generator: &scratch)
        }
        for r in results { #expect(r.passed, "\(r)") }
    }

    @Test func causalMaskBlocksTheFuture() {
        let mask = AttentionMask.causal(3).additive
        let inf = -Float.infinity
        #expect(mask.scalars == [0, inf, inf, 0, 0, inf, 0, 0, 0])
        #expect(AttentionMask.causal(1).additive.scalars == [0])
    }
}
