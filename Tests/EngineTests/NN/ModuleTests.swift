import Testing
@testable import Engine

// Modules: names, initialisation, modes, copying, loading, tracing.

@Suite struct NNModuleTests {
    @Test func linearFollowsPyTorchsLayoutAndInitBounds() {
        var g = Generator(seed: 41)
        let layer = Linear(10, 4, generator: &g)
        #expect(layer.weight.shape == [4, 10] && layer.bias!.shape == [4])
        #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
        let bound = 1 / Float(10).squareRoot()
        #expect(layer.weight.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(layer.bias!.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(layer.weight.scalars.contains { Swift.abs($0) > bound / 2 })      // really spread out
        #expect(Linear(3, 2, bias: false, generator: &g).namedParameters().map(\.name) == ["weight"])
        let x = Tensor.randn([2, 5, 10], generator: &g)
        #expect(layer(x).shape == [2, 5, 4])
        // Same seed, same weights; the default generator follows manualSeed.
        var g1 = Generator(seed: 7), g2 = Generator(seed: 7)
        #expect(Linear(3, 3, generator: &g1).weight.scalars == Linear(3, 3, generator: &g2).weight.scalars)
    }

    @Test func multiheadAttentionInitialisesAsPyTorch() {
        var g = Generator(seed: 42)
        let mha = MultiheadAttention(embedDimensions: 8, numHeads: 2, generator: &g)
        #expect(mha.namedParameters().map(\.name)
                == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        #expect(mha.inProjWeight.shape == [24, 8])
        let xavier = (6 / Float(24 + 8)).squareRoot()
        #expect(mha.inProjWeight.scalars.allSatisfy { Swift.abs($0) <= xavier })
        #expect(mha.inProjWeight.scalars.contains { Swift.abs($0) > 1 / Float(8).squareRoot() })   // not Linear's bound
        #expect(mha.inProjBias!.scalars.allSatisfy { $0 == 0 })
        #expect(mha.outProj.bias!.scalars.allSatisfy { $0 == 0 })
        #expect(mha.outProj.weight.scalars.allSatisfy { Swift.abs($0) <= 1 / Float(8).squareRoot() })
    }

    @Test func sequentialNamesChildrenByPosition() {
        var g = Generator(seed: 43)
        let head = Sequential(Linear(6, 4, generator: &g), ReLU(), Dropout(p: 0.1), Linear(4, 1, generator: &g))
        #expect(head.namedParameters().map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias"])
        #expect(head(Tensor.randn([5, 6], generator: &g)).shape == [5, 1])
        let activations: [any Layer] = [LeakyReLU(negativeSlope: 0.2), GELU(), GELU(approximate: .tanh), Tanh(),
                                        Sigmoid()]
        let x = Tensor([-2, 0.5])
        let expected: [[Float]] = [[-0.4, 0.5], x.gelu().scalars, x.gelu(approximate: .tanh).scalars, x.tanh().scalars,
                                   x.sigmoid().scalars]
        for (layer, e) in zip(activations, expected) { #expect(layer(x).scalars == e) }
    }

    @Test func trainAndEvalReachEveryModule() {
        var g = Generator(seed: 44)
        let model = TransformerEncoderRegressor(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                                hiddenDimensions: 16, generator: &g)
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.module.training })
        model.train()
        #expect(model.namedModules().allSatisfy { $0.module.training })
        let paths = model.namedModules().map(\.name)
        #expect(paths.contains("encoder.layers.2.self_attn.out_proj"))
        #expect(paths.contains("output_layer.2") && paths.contains("pos_encoder.dropout"))
    }

    @Test func dropoutIsReproducibleAndOffInEval() {
        let x = Tensor.ones([1000])
        let a = Dropout(p: 0.25, generator: Generator(seed: 1)), b = Dropout(p: 0.25, generator: Generator(seed: 1))
        let ya = a(x), yb = b(x)
        #expect(ya.scalars == yb.scalars)
        let zeros = ya.scalars.filter { $0 == 0 }.count
        #expect(zeros > 180 && zeros < 320)
        #expect(ya.scalars.allSatisfy { $0 == 0 || $0 == Float(1) / 0.75 })
        #expect(a(x).scalars != ya.scalars)                 // the module's stream moves on
        a.eval()
        #expect(a(x).scalars == x.scalars)
        // Without its own generator it draws from the thread's default generator.
        manualSeed(5)
        let first = Dropout(p: 0.5)(x).scalars
        manualSeed(5)
        #expect(Dropout(p: 0.5)(x).scalars == first)
    }

    @Test func encoderLayersStartIdenticalButAreIndependentCopies() {
        var g = Generator(seed: 45)
        let template = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                               generator: &g)
        let encoder = TransformerEncoder(template, numLayers: 3)
        #expect(encoder.namedParameters().count == 36)
        #expect(encoder.namedParameters()[0].name == "layers.0.self_attn.in_proj_weight")
        let first = encoder.layers[0].stateDict(), second = encoder.layers[2].stateDict()
        for ((name, a), (_, b)) in zip(first, second) {
            #expect(a.scalars == b.scalars, "\(name)")
            #expect(a !== b, "\(name) must be a copy, not shared")
        }
        #expect(encoder.layers[0].linear1.weight !== template.linear1.weight)
        encoder.layers[0].linear1.weight.scalars[0] += 1
        #expect(encoder.layers[1].linear1.weight.scalars[0] != encoder.layers[0].linear1.weight.scalars[0])
        let withNorm = TransformerEncoder(template, numLayers: 1, norm: LayerNorm(8))
        #expect(withNorm.namedParameters().suffix(2).map(\.name) == ["norm.weight", "norm.bias"])
        #expect(withNorm(Tensor.randn([2, 3, 8], generator: &g)).shape == [2, 3, 8])
    }

    @Test func loadStateDictReportsEveryProblemByName() throws {
        var g = Generator(seed: 46)
        let model = Sequential(Linear(3, 2, generator: &g), ReLU(), Linear(2, 1, generator: &g))
        let before = model.stateDict().map(\.tensor.scalars)
        let bad: [(name: String, tensor: Tensor)] = [
            ("0.weight", Tensor.zeros([2, 3])), ("0.bias", Tensor.zeros([3])),       // wrong shape
            ("2.weight", Tensor.zeros([1, 2])), ("extra.weight", Tensor.zeros([1])), // unexpected; 2.bias missing
        ]
        do {
            try model.loadStateDict(bad)
            Issue.record("a bad state dict loaded")
        } catch let error as StateDictError {
            #expect(error.missing == ["2.bias"])
            #expect(error.unexpected == ["extra.weight"])
            #expect(error.wrongShape.map(\.name) == ["0.bias"])
            #expect(error.description.contains("size mismatch for 0.bias"))
            #expect(error.description.contains("missing keys: 2.bias"))
            #expect(error.description.contains("unexpected keys: extra.weight"))
        }
        #expect(model.stateDict().map(\.tensor.scalars) == before)     // nothing changed
        // Non-strict: missing and unexpected are returned; a wrong shape still throws.
        let partial = try model.loadStateDict([("0.weight", Tensor.ones([2, 3])), ("other", Tensor.ones([1]))],
                                              strict: false)
        #expect(partial == LoadStateDictResult(missing: ["0.bias", "2.weight", "2.bias"], unexpected: ["other"]))
        #expect(model.stateDict()[0].tensor.scalars == [1, 1, 1, 1, 1, 1])
        #expect(throws: StateDictError.self) { try model.loadStateDict([("0.bias", Tensor.ones([5]))], strict: false) }
    }

    @Test func shapeTraceNamesEveryModuleBoundary() {
        var g = Generator(seed: 47)
        let model = TransformerEncoderRegressor(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                                hiddenDimensions: 16, generator: &g)
        let x = Tensor.randn([4, 5, 10], generator: &g)
        let (y, trace) = withShapeTrace(model) { model(x) }
        #expect(y.shape == [4, 1])
        let byPath = Dictionary(trace.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["input_proj"]?.outputShape == [4, 5, 8])
        #expect(byPath["encoder.layers.1.self_attn"]?.inputShape == [4, 5, 8])
        #expect(byPath["encoder.layers.0.linear1"]?.outputShape == [4, 5, 16])
        #expect(byPath["output_layer.0"]?.inputShape == [4, 40])
        #expect(byPath["output_layer"]?.outputShape == [4, 1])
        #expect(trace.last?.path == "(root)" && trace.last?.type == "TransformerEncoderRegressor")
        #expect(trace.first?.description == "input_proj (Linear): [4, 5, 10] -> [4, 5, 8]")
        // Outside withShapeTrace nothing is recorded.
        let (_, empty) = withShapeTrace { 1 }
        _ = model(x)
        #expect(empty.isEmpty)
    }

    @Test func encoderLayerDropoutSitsWherePyTorchPutsIt() {
        // Switching one dropout to p = 1 (everything dropped) reveals what it wraps.
        var g = Generator(seed: 48)
        let layer = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                            dropout: 0, generator: &g)
        for p in [layer.linear1.bias!, layer.linear2.bias!] {
            for i in 0..<p.count { p.scalars[i] = Float(i % 3) - 0.7 }
        }
        let x = Tensor.randn([2, 5, 8], generator: &g)
        func close(_ a: Tensor, _ b: Tensor) -> Bool {
            zip(a.scalars, b.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-5 }
        }
        withNoGrad {
            // dropout1 wraps the attention block: x = norm1(x + 0), then the FF block as usual.
            layer.dropout1.p = 1
            let h1 = layer.norm1(x)
            #expect(close(layer(x), layer.norm2(h1 + layer.linear2(layer.linear1(h1).relu()))))
            layer.dropout1.p = 0
            // dropout (inside the FF) sits between the activation and linear2: the FF gives linear2's bias.
            layer.dropout.p = 1
            let h = layer.norm1(x + layer.selfAttn(x))
            #expect(close(layer(x), layer.norm2(h + layer.linear2.bias!)))
            layer.dropout.p = 0
            // dropout2 wraps the whole FF block.
            layer.dropout2.p = 1
            #expect(close(layer(x), layer.norm2(h)))
            layer.dropout2.p = 0
            // The attention weights' dropout lives in self_attn.
            #expect(layer.selfAttn.dropout == 0)
            let dropped = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, dropout: 0.3, generator: &g)
            #expect(dropped.selfAttn.dropout == 0.3)
        }
    }

    @Test func attentionWeightDropoutOnlyInTraining() {
        var g = Generator(seed: 49)
        let mha = MultiheadAttention(embedDimensions: 8, numHeads: 2, dropout: 0.5, generator: &g)
        mha.generator = Generator(seed: 3)
        let x = Tensor.randn([2, 6, 8], generator: &g)
        let trained = mha(x, x, x).weightsPerHead!.scalars
        #expect(trained.contains(0))
        let rowSums = (0..<24).map { r in trained[(r * 6)..<(r * 6 + 6)].reduce(0, +) }
        #expect(rowSums.contains { Swift.abs($0 - 1) > 0.05 })          // dropped and rescaled by 2
        mha.eval()
        let evaluated = mha(x, x, x).weightsPerHead!.scalars
        for r in 0..<24 { #expect(Swift.abs(evaluated[(r * 6)..<(r * 6 + 6)].reduce(0, +) - 1) < 1e-5) }
    }

    @Test func perProblemAttentionMaskEqualsTheSharedOne() {
        // A [B·H, T, S] mask holding the causal mask for every problem gives what the [T, S] mask gives,
        // with and without a key-padding mask on top.
        var g = Generator(seed: 50)
        let mha = MultiheadAttention(embedDimensions: 8, numHeads: 2, generator: &g)
        let x = Tensor.randn([3, 4, 8], generator: &g)
        let causal = AttentionMask.causal(4)
        let repeatedScalars = Array((0..<6).map { _ in causal.additive.scalars }.joined())
        let repeated = AttentionMask(additive: Tensor(repeatedScalars, shape: [6, 4, 4]))
        let padding = AttentionMask(blocked: [false, false, false, false, false, false,
                                              false, true, false, false, true, true],
                                    shape: [3, 4])
        for keyPadding in [nil, padding] {
            let a = mha(x, x, x, keyPaddingMask: keyPadding, attnMask: causal)
            let b = mha(x, x, x, keyPaddingMask: keyPadding, attnMask: repeated)
            #expect(a.output.scalars == b.output.scalars)
            #expect(a.weightsPerHead!.scalars == b.weightsPerHead!.scalars)
            #expect(a.weights!.scalars[1] == 0)                    // query 0 never sees key 1
        }
        // Batch entry 1 pads key 3: no query gives it weight.
        let padded = mha(x, x, x, keyPaddingMask: padding).weights!
        for t in 0..<4 { #expect(padded[1, t, 3] == 0) }
    }

    @Test func layerNormOverSeveralTrailingDimensions() {
        var g = Generator(seed: 52)
        let norm = LayerNorm([3, 4])
        norm.weight!.scalars = (0..<12).map { Float($0) / 10 + 0.5 }
        let x = Tensor.randn([2, 3, 4], generator: &g)
        let flat = x.reshape([2, 12]).layerNorm(weight: norm.weight!.reshape([12]), bias: nil).reshape([2, 3, 4])
        #expect(zip(norm(x).scalars, flat.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
        #expect(LayerNorm(5, elementwiseAffine: false).namedParameters().isEmpty)
        #expect(LayerNorm(5, bias: false).namedParameters().map(\.name) == ["weight"])
    }

    @Test func aQueryWithEveryKeyPaddedGetsNaNAsInPyTorch() {
        var g = Generator(seed: 53)
        let mha = MultiheadAttention(embedDimensions: 4, numHeads: 1, generator: &g)
        let x = Tensor.randn([2, 3, 4], generator: &g)
        let padding = AttentionMask(blocked: [true, true, true, false, false, true], shape: [2, 3])
        let result = mha(x, x, x, keyPaddingMask: padding)
        #expect(result.output.scalars[0..<12].allSatisfy { $0.isNaN })       // batch 0: nothing to attend
        #expect(result.output.scalars[12..<24].allSatisfy { $0.isFinite })   // batch 1 is fine
    }
}
