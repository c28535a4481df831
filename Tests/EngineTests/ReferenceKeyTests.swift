// The engine against PyTorch's answers (../shared/reference, copied into Resources/): outputs, the
// scalar loss L = Σⱼ out[j]·cos(0.23·j + 0.07), and dL/d(every input), in float32 to relative 1e-5
// or absolute 2e-6.
import Testing
import TestSupport
@testable import Engine

/// Compares one case's outputs, loss and gradients with the key's float32 results.
/// `forward` gets the case's input tensors by name and returns the outputs by name.
func checkReferenceCase(_ key: ReferenceCase, inputs names: [String],
                        sourceLocation: SourceLocation = #_sourceLocation,
                        _ forward: ([String: Tensor]) -> [String: Tensor]) {
    let inputs = Dictionary(uniqueKeysWithValues: names.map { ($0, key.tensor($0, sourceLocation: sourceLocation)) })
    let outputs = forward(inputs)
    let expected = key.float32
    for (name, out) in outputs {
        guard let want = expected.outputs[name] else {
            Issue.record("\(key.name): the key has no output \(name)", sourceLocation: sourceLocation)
            continue
        }
        #expect(out.shape == want.shape, "\(key.name) \(name) shape", sourceLocation: sourceLocation)
        expectClose(out.scalars, want.floats, "\(key.name) output \(name)", sourceLocation: sourceLocation)
    }
    let loss = referenceLoss(key.lossOutputs.compactMap { outputs[$0] })
    if let wantLoss = expected.loss {
        expectClose(loss.item, Float(wantLoss), "\(key.name) loss", sourceLocation: sourceLocation)
    }
    loss.backward()
    for (name, want) in expected.grads {
        guard let grad = inputs[name]?.grad else {
            Issue.record("\(key.name): no gradient for \(name)", sourceLocation: sourceLocation)
            continue
        }
        #expect(grad.shape == want.shape, "\(key.name) d\(name) shape", sourceLocation: sourceLocation)
        expectClose(grad.scalars, want.floats, "\(key.name) dL/d\(name)", sourceLocation: sourceLocation)
    }
}

@Suite struct ReferenceKeyTests {
    @Test func loaderReadsShapesValuesAndResults() throws {
        let file = try ReferenceFile.load("a_linear")
        #expect(file.cases.count == 1)
        let key = file.cases[0]
        #expect(key.tensors["x"]?.shape == [3, 10])
        #expect(key.tensors["weight"]?.shape == [4, 10])
        #expect(key.tensors["x"]?.values[1] == 0.361615431964962)      // sin(0.37)
        #expect(key.lossOutputs == ["out"])
        #expect(key.float32.outputs["out"]?.shape == [3, 4])
        #expect(key.float32.grads.keys.sorted() == ["bias", "weight", "x"])
        #expect(key.tensor("x").requiresGrad)
        #expect(try ReferenceFile.load("d_activations").cases.count == 12)
        #expect(throws: ReferenceError.self) { try ReferenceFile.load("no_such_key") }
    }

    @Test func linearFusedMatchesPyTorch() throws {
        let key = try ReferenceFile.load("a_linear").cases[0]
        checkReferenceCase(key, inputs: ["x", "weight", "bias"]) { t in
            ["out": Tensor.linear(t["x"]!, weight: t["weight"]!, bias: t["bias"]!)]
        }
    }

    @Test func linearAsMatmulPlusBiasMatchesPyTorch() throws {
        let key = try ReferenceFile.load("a_linear").cases[0]
        checkReferenceCase(key, inputs: ["x", "weight", "bias"]) { t in
            ["out": t["x"]!.matmul(t["weight"]!.T) + t["bias"]!]
        }
    }

    @Test func softmaxMatchesPyTorch() throws {
        let file = try ReferenceFile.load("c_softmax")
        checkReferenceCase(try file.case("softmax"), inputs: ["x"]) { t in ["out": t["x"]!.softmax(dim: -1)] }
        checkReferenceCase(try file.case("log_softmax"), inputs: ["x"]) { t in ["out": t["x"]!.logSoftmax(dim: -1)] }
    }

    @Test func activationsMatchPyTorch() throws {
        let file = try ReferenceFile.load("d_activations")
        let activations: [String: (Tensor) -> Tensor] = [
            "relu": { $0.relu() },
            "leaky_relu_0.01": { $0.leakyRelu(negativeSlope: 0.01) },
            "gelu_erf": { $0.gelu() },
            "gelu_tanh": { $0.gelu(approximate: .tanh) },
            "tanh": { $0.tanh() },
            "sigmoid": { $0.sigmoid() },
        ]
        #expect(file.cases.count == 12)
        for key in file.cases {
            guard let name = key.json["activation"]?.string, let f = activations[name] else {
                Issue.record("no activation for case \(key.name)")
                continue
            }
            checkReferenceCase(key, inputs: ["x"]) { t in ["out": f(t["x"]!)] }
        }
    }

    /// MSE built from primitives here; the loss module of the nn work must give the same.
    @Test func mseFromPrimitivesMatchesPyTorch() throws {
        let file = try ReferenceFile.load("g_mse_loss")
        #expect(file.cases.count == 2)
        for key in file.cases {
            checkReferenceCase(key, inputs: ["input", "target"]) { t in
                let difference = t["input"]! - t["target"]!
                return ["out": (difference * difference).mean()]
            }
        }
    }
}
