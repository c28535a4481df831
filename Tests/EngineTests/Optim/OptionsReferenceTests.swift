import Foundation
import Testing
import TestSupport
@testable import Engine

// Issue 13's optimizer, clipping and scheduler options against PyTorch 2.15
// (Tests/scripts/make_optim_options.py: every formula and value is in that file).

private func makeOptimizer(_ run: NNRef, _ params: [Tensor]) -> Optimizer {
    let o = run["options"]
    func number(_ key: String, _ fallback: Double) -> Double { o[key].exists ? o[key].double : fallback }
    func flag(_ key: String) -> Bool { (o[key].value as? Bool) ?? false }
    let betas = o["betas"].exists ? (o["betas"].doubles[0], o["betas"].doubles[1]) : (0.9, 0.999)
    switch run["kind"].string! {
    case "adam":
        return Adam(params, learningRate: number("lr", 1e-3), betas: betas, weightDecay: number("weight_decay", 0),
                    amsgrad: flag("amsgrad"), maximize: flag("maximize"))
    case "adamw":
        return AdamW(params, learningRate: number("lr", 1e-3), betas: betas,
                     weightDecay: number("weight_decay", 0.01), amsgrad: flag("amsgrad"), maximize: flag("maximize"))
    default:
        return SGD(params, learningRate: number("lr", 1e-3), momentum: number("momentum", 0),
                   dampening: number("dampening", 0), weightDecay: number("weight_decay", 0),
                   nesterov: flag("nesterov"), maximize: flag("maximize"))
    }
}

/// v[i] = C + A·sin(0.37·i + 0.11·k), rounded to Float.
private func formulaTensor(_ shape: [Int], k: Double, a: Double, c: Double = 0) -> Tensor {
    Tensor(NNRef.formulaValues(count: shape.reduce(1, *), k: k, a: a, c: c).map { Float($0) }, shape: shape)
}

@Suite struct OptimizerOptionReferenceTests {
    @Test(arguments: 0..<9)
    func optimizerOptionsMatchPyTorch(runIndex: Int) throws {
        let run = try NNRef.load("optim_options")["optimizers"][runIndex]
        let shapes = (0..<run["shapes"].count).map { run["shapes"][$0].ints }
        let params = shapes.enumerated().map { i, s in
            let t = formulaTensor(s, k: Double(i + 1), a: 0.5)
            t.requiresGrad = true
            return t
        }
        let optimizer = makeOptimizer(run, params)
        let name = "run \(runIndex) \(run["kind"].string!) \(run["options"].keys)"
        for step in 1...run["steps"].count {
            for (i, p) in params.enumerated() {
                p.grad = formulaTensor(p.shape, k: Double(10 * step + i + 1), a: step % 2 == 1 ? 1.5 : 0.01)
            }
            optimizer.step()
            for (i, p) in params.enumerated() {
                expectClose(p.scalars, reference: run["steps"][step - 1][i].doubles, "\(name) step \(step) param \(i)")
                expectClose(p.scalars, reference: run["steps64"][step - 1][i].doubles,
                            "\(name) step \(step) param \(i) f64", rel: 1e-4, abs: 1e-5)
            }
        }
        if let adam = optimizer as? Adam {
            for i in params.indices {
                expectClose(adam.state[i].expAvg.scalars, reference: run["state"][i]["exp_avg"].doubles,
                            "\(name) exp_avg")
                expectClose(adam.state[i].expAvgSq.scalars, reference: run["state"][i]["exp_avg_sq"].doubles,
                                 "\(name) exp_avg_sq")
                if adam.amsgrad {
                    let reference = run["state"][i]["max_exp_avg_sq"].doubles
                    expectClose(adam.state[i].maxExpAvgSq!.scalars, reference: reference, "\(name) max_exp_avg_sq")
                    #expect(adam.state[i].maxExpAvgSq!.scalars != adam.state[i].expAvgSq.scalars)
                }
            }
        }
    }

    /// AMSGrad's max is saved and restored with the rest of Adam's state.
    @Test func amsgradStateRoundTrips() throws {
        let p = Tensor([1, -2, 3], requiresGrad: true)
        let adam = Adam([p], learningRate: 0.1, amsgrad: true)
        p.grad = Tensor([3, 1, -2]); adam.step()
        p.grad = Tensor([0.1, 0.1, 0.1]); adam.step()
        let saved = adam.stateDict()
        #expect(saved.tensors["0.max_exp_avg_sq"] != nil && saved.numbers["amsgrad"] == 1)
        let q = Tensor(p.scalars, shape: [3], requiresGrad: true)
        let restored = Adam([q], learningRate: 0.1, amsgrad: true)
        try restored.loadStateDict(saved)
        p.grad = Tensor([0.5, -0.5, 0.5]); adam.step()
        q.grad = Tensor([0.5, -0.5, 0.5]); restored.step()
        #expect(p.scalars == q.scalars)
        // A default Adam's checkpoint keeps its old layout: no new entries.
        #expect(Adam([p]).stateDict().numbers["amsgrad"] == nil)
    }

    /// The SIMD Adam update and its plain twin give the same bits, for every option and every
    /// length around a whole vector.
    @Test(arguments: [1, 7, 8, 9, 16, 29])
    func adamKernelMatchesItsPlainTwin(count: Int) {
        var g = Generator(seed: UInt64(count))
        func values() -> [Float] { (0..<count).map { _ in g.nextNormal() } }
        for (decoupled, amsgrad, maximize, decay) in [(false, false, false, false), (false, true, true, true),
                                                    (true, true, false, true), (true, false, true, true)] {
            let c = AdamCoefficients(stepSize: 0.013, biasCorrection2Sqrt: 0.04, decay: 0.999, l2: 0.1,
                                     oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001, epsilon: 1e-8,
                                     hasDecay: decay, decoupled: decoupled, maximize: maximize, amsgrad: amsgrad)
            let grad = values()
            var (p1, m1, v1) = (values(), values(), values().map { $0 * $0 })
            var vMax1 = amsgrad ? values().map { $0 * $0 } : []
            var (p2, m2, v2, vMax2) = (p1, m1, v1, vMax1)
            adamUpdate(&p1, grad, &m1, &v1, &vMax1, c)
            adamUpdateNaive(&p2, grad, &m2, &v2, &vMax2, c)
            let same = p1 == p2 && m1 == m2 && v1 == v2 && vMax1 == vMax2
            #expect(same, "decoupled \(decoupled), amsgrad \(amsgrad), maximize \(maximize)")
        }
    }
}

@Suite struct ClippingOptionReferenceTests {
    @Test(arguments: 0..<8)
    func clipGradNormMatchesPyTorchForEveryNormType(caseIndex: Int) {
        let ref = try! NNRef.load("optim_options")["clipping"][caseIndex]
        let p: Float
        switch ref["norm_type"].string {
        case "inf": p = .infinity
        case "-inf": p = -.infinity
        default: p = Float(ref["norm_type"].double)
        }
        let params = [Tensor.zeros([3, 4], requiresGrad: true), Tensor.zeros([5], requiresGrad: true)]
        params[0].grad = formulaTensor([3, 4], k: 3, a: 2)
        params[1].grad = formulaTensor([5], k: 4, a: 0.7)
        let total = clipGradNorm(params, maxNorm: 0.5, normType: p)
        expectClose(total, reference: ref["total64"].double, "p = \(p) total norm")
        expectClose(total, reference: ref["total"].double, "p = \(p) total norm (float32 run)")
        for i in 0..<2 {
            expectClose(params[i].grad!.scalars, reference: ref["grads64"][i].doubles, "p = \(p) grad \(i)")
        }
    }

    @Test func errorIfNonfiniteThrowsAndLeavesTheGradients() {
        let p = Tensor.zeros([2], requiresGrad: true)
        p.grad = Tensor([.infinity, 1])
        #expect(throws: GradNormError.self) { try clipGradNorm([p], maxNorm: 1, errorIfNonfinite: true) }
        #expect(p.grad!.scalars == [.infinity, 1])
        p.grad = Tensor([3, 4])
        #expect(try! clipGradNorm([p], maxNorm: 1, normType: 1, errorIfNonfinite: true) == 7)
        expectClose(p.grad!.scalars, [3 / 7, 4 / 7])
    }
}

@Suite struct SchedulerOptionReferenceTests {
    /// Runs `make` on a fresh optimizer as the script does and compares rates (and momenta).
    func check(_ name: String, adam: Bool = false, momentum: Double = 0, lr: Double = 0.1,
               sourceLocation: SourceLocation = #_sourceLocation, _ make: (Optimizer) -> any LRScheduler) throws {
        let ref = try NNRef.load("optim_options")["schedulers"][name]
        let p = Tensor([0], requiresGrad: true)
        let optimizer: Optimizer = adam ? Adam([p], learningRate: lr) : SGD([p], learningRate: lr, momentum: momentum)
        let scheduler = make(optimizer)
        let rates = ref["rates"].doubles, momenta = ref["momenta"].doubles
        for step in 0..<rates.count {
            if step > 0 { scheduler.step() }
            let lr = optimizer.learningRate, m = optimizer.schedulableMomentum
            #expect(Swift.abs(lr - rates[step]) <= 1e-12 * Swift.max(Swift.abs(rates[step]), 1e-300),
                    "\(name) step \(step): lr \(lr), PyTorch \(rates[step])", sourceLocation: sourceLocation)
            #expect(Swift.abs(m - momenta[step]) <= 1e-12,
                    "\(name) step \(step): momentum \(m), PyTorch \(momenta[step])", sourceLocation: sourceLocation)
        }
    }

    @Test func decaySchedulesMatchPyTorch() throws {
        try check("multistep") { MultiStepLR($0, milestones: [3, 7, 7, 12], gamma: 0.5) }
        try check("exponential") { ExponentialLR($0, gamma: 0.9) }
        try check("linear_decay") { LinearLR($0, startFactor: 1, endFactor: 0.2, totalIters: 8) }
        try check("linear_partial") { LinearLR($0, startFactor: 0.5, endFactor: 0.75, totalIters: 4) }
        try check("linear_defaults") { LinearLR($0) }
        try check("warm_restarts_t4_x2") { CosineAnnealingWarmRestarts($0, t0: 4, tMult: 2, minLR: 0.01) }
        try check("warm_restarts_t3") { CosineAnnealingWarmRestarts($0, t0: 3) }
    }

    @Test func oneCycleMatchesPyTorchWithMomentumCycling() throws {
        try check("one_cycle_sgd", momentum: 0.9) { OneCycleLR($0, maxLR: 0.5, totalSteps: 20) }
        // PyTorch's epochs × steps_per_epoch form is the same schedule: 4 × 5 = 20 steps.
        try check("one_cycle_sgd", momentum: 0.9) { OneCycleLR($0, maxLR: 0.5, epochs: 4, stepsPerEpoch: 5) }
        try check("one_cycle_sgd_no_momentum") { OneCycleLR($0, maxLR: 0.5, totalSteps: 10) }
        try check("one_cycle_adam_linear_three_phase", adam: true) {
            OneCycleLR($0, maxLR: 0.01, totalSteps: 17, pctStart: 0.25, annealStrategy: .linear, divFactor: 10,
                       finalDivFactor: 100, threePhase: true)
        }
        try check("one_cycle_adam_no_cycle", adam: true) {
            OneCycleLR($0, maxLR: 0.01, totalSteps: 9, cycleMomentum: false)
        }
    }

    @Test func sequentialChainsAWarmupWithADecay() throws {
        try check("sequential_warmup_cosine") { o in
            SequentialLR(o, schedulers: [LinearLR(o, startFactor: 0.1, totalIters: 5),
                                         CosineAnnealingLR(o, tMax: 10, minLR: 0.001)], milestones: [5])
        }
        try check("sequential_three") { o in
            SequentialLR(o, schedulers: [LinearLR(o, startFactor: 0.5, totalIters: 2), ExponentialLR(o, gamma: 0.8),
                                         StepLR(o, stepSize: 2, gamma: 0.5)], milestones: [3, 6])
        }
    }
}
