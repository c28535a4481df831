// Key k: ReduceLROnPlateau(min, patience 5) over 30 epoch losses (drops after epochs 13, 19, 26),
// and hand-computed values for StepLR, cosine annealing and linear warm-up.
import Foundation
import Testing
@testable import Engine

@Suite struct SchedulerTests {
    @Test func reduceLROnPlateauMatchesPyTorch() throws {
        let key = try OptRef.load("k_reduce_lr_on_plateau")
        let optimizer = SGD([Tensor([0], requiresGrad: true)], learningRate: 1e-3)
        let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: 5)
        var drops: [Int] = []
        for record in key["sequence"] as! [[String: Any]] {
            let epoch = record["epoch"] as! Int
            let before = optimizer.learningRate
            scheduler.step(OptRef.double(record["loss"]))
            if optimizer.learningRate < before { drops.append(epoch) }
            // Double arithmetic on Python's own numbers: the rates agree to the last bit, but
            // Foundation's JSON parser on Linux can misround a long literal by an ulp or two.
            let expectedLR = OptRef.double(record["lr_after"])
            #expect(Swift.abs(optimizer.learningRate - expectedLR) <= 1e-14 * expectedLR, "epoch \(epoch) lr")
            #expect(scheduler.best == OptRef.double(record["best_after"]), "epoch \(epoch) best")
            #expect(scheduler.numBadEpochs == record["num_bad_epochs_after"] as! Int, "epoch \(epoch) bad epochs")
        }
        #expect(drops == [13, 19, 26])
    }

    @Test func plateauMaxModeCooldownAndMinLR() {
        let optimizer = SGD([Tensor([0])], learningRate: 1)
        let scheduler = ReduceLROnPlateau(optimizer, mode: .max, factor: 0.5, patience: 0, threshold: 0.1,
                                          thresholdMode: .absolute, cooldown: 1, minLR: 0.3)
        scheduler.step(1.0)          // best 1.0
        scheduler.step(1.05)         // not better by 0.1 -> bad 1 > 0 -> lr 0.5, cooldown 1
        #expect(optimizer.learningRate == 0.5)
        scheduler.step(1.0)          // bad, but in cooldown: counter reset
        #expect(optimizer.learningRate == 0.5 && scheduler.numBadEpochs == 0)
        scheduler.step(1.0)          // bad -> max(0.25, 0.3) = 0.3
        #expect(optimizer.learningRate == 0.3)
        scheduler.step(1.0); scheduler.step(1.0)
        #expect(optimizer.learningRate == 0.3)   // never below minLR
        scheduler.step(2.0)
        #expect(scheduler.best == 2.0)
    }

    @Test func stepCosineAndWarmup() {
        let sgd = SGD([Tensor([0])], learningRate: 1)
        let stepLR = StepLR(sgd, stepSize: 2, gamma: 0.5)
        var rates: [Double] = []
        for _ in 0..<5 { stepLR.step(); rates.append(sgd.learningRate) }
        #expect(rates == [1, 0.5, 0.5, 0.25, 0.25])

        let adam = AdamW([Tensor([0])], learningRate: 0.1)
        let cosine = CosineAnnealingLR(adam, tMax: 4, minLR: 0.01)
        cosine.step(); cosine.step()
        #expect(Swift.abs(adam.learningRate - 0.055) < 1e-12)     // halfway: the mean of 0.1 and 0.01
        cosine.step(); cosine.step()
        #expect(Swift.abs(adam.learningRate - 0.01) < 1e-12)

        let warm = SGD([Tensor([0])], learningRate: 0.3)
        let warmup = LinearWarmup(warm, warmupSteps: 3, startFactor: 0.1)
        #expect(Swift.abs(warm.learningRate - 0.03) < 1e-12)
        for _ in 0..<3 { warmup.step() }
        #expect(warm.learningRate == 0.3)
        warmup.step()
        #expect(warm.learningRate == 0.3)
    }
}
