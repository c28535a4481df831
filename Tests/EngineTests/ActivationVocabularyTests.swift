// The `Activation` vocabulary: one name per case for flags, PyTorch and tables, and every case a
// differentiable function. The loops run over `allCases`, so a new activation is checked here
// without editing this file.
import Testing
import TestSupport
@testable import Engine

@Suite struct ActivationVocabularyTests {
    @Test func namesAreUniqueAndFollowPyTorch() {
        let cases = Activation.allCases
        #expect(Set(cases.map(\.rawValue)).count == cases.count)
        #expect(Set(cases.map(\.displayName)).count == cases.count)
        for a in cases {
            #expect(a.pytorchName == "nn." + a.displayName)
            #expect(Activation(rawValue: a.rawValue) == a)
        }
        #expect(Activation.leakyRelu.rawValue == "leaky_relu" && Activation.leakyRelu.pytorchName == "nn.LeakyReLU")
        #expect(Activation(rawValue: "swish") == nil)
    }

    @Test func callingACaseIsItsOp() {
        let x = randomTensor([4, 3], seed: 7)
        #expect(Activation.relu(x).scalars == x.relu().scalars)
        #expect(Activation.leakyRelu(x).scalars == x.leakyRelu(negativeSlope: 0.01).scalars)
        #expect(Activation.gelu(x).scalars == x.gelu().scalars)
        #expect(Activation.tanh(x).scalars == x.tanh().scalars)
        #expect(Activation.sigmoid(x).scalars == x.sigmoid().scalars)
    }

    @Test func everyCaseKeepsTheShapeAndPassesAGradientCheck() {
        // kept at least 0.1 from 0, where ReLU and LeakyReLU bend
        let x = Tensor(randomTensor([3, 5], seed: 101).scalars.map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }, shape: [3, 5])
        for a in Activation.allCases {
            #expect(a(x).shape == [3, 5], "\(a)")
            expectGradCheck([x]) { a($0[0]) }
        }
    }

    @Test func theEncoderLayerUsesTheVocabulary() {
        var g = Generator(seed: 3)
        let layer = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                            dropout: 0, activation: .gelu, generator: &g)
        let x = randomTensor([2, 3, 8], seed: 5)
        let expected = layer.linear2(layer.linear1(x).gelu())
        #expect(layer.feedForwardBlock(x).scalars == expected.scalars)
    }
}
