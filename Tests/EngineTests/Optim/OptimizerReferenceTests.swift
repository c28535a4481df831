// Key j: three steps of AdamW, Adam and SGD with momentum on a fixed quadratic, against PyTorch's
// float32 run: parameters and optimizer state after every step (rel 1e-5, abs 2e-6).
import Testing
@testable import Engine

@Suite struct OptimizerReferenceTests {
    /// Runs one case of key j: builds the optimizer from fresh parameters, then for each recorded step
    /// computes the quadratic's gradient, checks it, steps, and checks parameters and state.
    func runCase(_ name: String, makeOptimizer: ([Tensor]) -> Optimizer,
                 state: (Optimizer, Int) -> [String: Tensor]) throws {
        let key = try OptRef.load("j_optimizers")
        let params = ["p0", "p1"].map { OptRefTensor(OptRef.at(key, "start_params", $0)).tensor(requiresGrad: true) }
        let curvatures = ["c0", "c1"].map { OptRefTensor(OptRef.at(key, "curvatures", $0)).tensor() }
        let targets = ["t0", "t1"].map { OptRefTensor(OptRef.at(key, "targets", $0)).tensor() }
        let cases = key["cases"] as! [[String: Any]]
        let records = OptRef.at(cases.first { $0["name"] as? String == name }, "results", "float32") as! [[String: Any]]
        let optimizer = makeOptimizer(params)

        for record in records {
            let step = record["step"] as! Int
            // L = Σ_q Σ 0.5·c_q·(p_q - t_q)²
            optimizer.zeroGrad()
            var loss = Tensor(scalar: 0)
            for q in 0..<2 {
                let diff = params[q] - targets[q]
                loss = loss + (0.5 * curvatures[q] * diff * diff).sum()
            }
            loss.backward()
            optRefExpectClose([loss.item], [OptRef.double(record["loss_before_step"])], "\(name) step \(step) loss")
            for q in 0..<2 {
                let grad = OptRefTensor(OptRef.at(record, "grads", "p\(q)"))
                optRefExpectClose(params[q].grad!.scalars, grad.values, "\(name) step \(step) grad p\(q)")
                // Feed PyTorch's own float32 gradient, so the check is of the update rule alone.
                params[q].grad = grad.tensor()
            }
            optimizer.step()
            for q in 0..<2 {
                let expected = OptRefTensor(OptRef.at(record, "params_after", "p\(q)"))
                optRefExpectClose(params[q].scalars, expected.values, "\(name) step \(step) p\(q)")
            }
            let expectedState = record["state_after"] as! [String: Any]
            let actualState = state(optimizer, step)
            #expect(Set(actualState.keys) == Set(expectedState.keys))
            for (stateName, tensor) in actualState {
                let expected = OptRefTensor(expectedState[stateName])
                #expect(tensor.shape == expected.shape)
                optRefExpectClose(tensor.scalars, expected.values, "\(name) step \(step) \(stateName)")
            }
        }
    }

    func adamState(_ optimizer: Optimizer, _ step: Int) -> [String: Tensor] {
        let adam = optimizer as! Adam
        #expect(adam.stepCount == step)
        return ["p0.exp_avg": adam.expAvg[0], "p0.exp_avg_sq": adam.expAvgSq[0],
                "p1.exp_avg": adam.expAvg[1], "p1.exp_avg_sq": adam.expAvgSq[1]]
    }

    @Test func adamWMatchesPyTorch() throws {
        try runCase("AdamW", makeOptimizer: { AdamW($0, learningRate: 1e-3, weightDecay: 1e-4) }, state: adamState)
    }

    @Test func adamMatchesPyTorch() throws {
        try runCase("Adam", makeOptimizer: { Adam($0, learningRate: 1e-3) }, state: adamState)
    }

    @Test func sgdMomentumMatchesPyTorch() throws {
        try runCase("SGD_momentum", makeOptimizer: { SGD($0, learningRate: 0.1, momentum: 0.9) }) { optimizer, _ in
            let sgd = optimizer as! SGD
            return ["p0.momentum_buffer": sgd.momentumBuffers[0]!, "p1.momentum_buffer": sgd.momentumBuffers[1]!]
        }
    }
}
