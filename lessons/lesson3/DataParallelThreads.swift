import Dispatch
import Engine
import LessonKit

// Cell 9's second half: data-parallel training on the machine's real threads, on a network wide
// enough that a second thread pays. Dimension letters: B batch, F = 50 features, H hidden units.
//
// Why wide: a second thread costs a fixed hand-off (waking a pool thread: microseconds, more on a
// busy machine) and saves in proportion to the work it takes over. On a batch of 400 the cell-1
// MLP [50, 32, 1] does 6·400·(50·32 + 32·1) ≈ 3.9 million FLOPs a step (`flopsPerStep`), a fraction
// of a millisecond: little for the hand-off to pay for. The network here, [50, 512, 512, 1], does
// 6·400·(50·512 + 512·512 + 512·1) ≈ 692 million, milliseconds of matmuls per half-batch. Cell 9
// races both, and `--timing` measures what a second thread gains on each.

/// A value shared with `concurrentPerform`'s threads. Each thread touches only its own worker's
/// model and gradients (index k), so no two threads write the same memory.
final class Shared<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// The wide network of the real-threads run: F=50 -> H=512 -> H=512 -> 1.
let wideSizes = [50, 512, 512, 1]
/// The batch (two per epoch of the 800 training rows, so every step has 400: two halves of 200),
/// SGD's learning rate, the validation target and the most steps a run may take.
let parallelBatch = 400, parallelRate = 0.05, parallelTarget: Float = 0.05, parallelBudget = 400
/// With `--timing`: how many runs of each worker count are timed (alternating), the median reported.
let timedRepetitions = 3

/// One data-parallel training run to a validation target.
struct ParallelRun {
    let workers: Int
    /// Steps until the validation loss fell below the target (`nil`: not within the budget).
    let stepsToTarget: Int?
    /// Steps taken (the budget when the target was not reached, fewer when the NaN guard stopped it).
    let steps: Int
    /// The wall-clock seconds of the training steps alone (evaluation not counted).
    let seconds: Double
    /// Every parameter after the last step, in `parameters()` order, to compare bit for bit.
    let parameters: [[Float]]
    let diverged: TrainingDiverged?
    /// Samples processed until the target (steps × batch).
    var samples: Int? { stepsToTarget.map { $0 * parallelBatch } }
}

/// SGD on an MLP of widths `sizes` where each step's batch of `parallelBatch` rows is cut into two
/// halves; a worker (its own copy of the model) computes the gradient of its half, and the two
/// gradients are averaged in a fixed order, (g₀ + g₁) / 2, before the master's step. With
/// `workers: 1` one thread computes the halves one after the other; with 2,
/// `DispatchQueue.concurrentPerform` computes them at the same time. Same arithmetic in the same
/// order: the results are identical bit for bit.
///
///     x: [B, 50] -> halves [B/2, 50] and [B/2, 50] -> g₀, g₁ (each parameter's shape) -> (g₀ + g₁) / 2
///
/// - Parameters:
///   - sizes: the layer widths, input first (`wideSizes`, or cell 1's `[50, 32, 1]`).
///   - budget: most steps; the run stops earlier once the validation loss is under `parallelTarget`.
func trainDataParallel(seed: UInt64, workers: Int, sizes: [Int] = wideSizes,
                       budget: Int = parallelBudget) -> ParallelRun {
    let problem = makeProblem(seed: seed)
    let master = MLP(sizes: sizes, seed: seed)
    let replicas = Shared([master.copy(), master.copy()])
    let optimizer = SGD(master.parameters(), learningRate: parallelRate)
    let nanGuard = NaNGuard(master.namedParameters(), clipMaxNorm: nil)
    let loader = DataLoader(problem.train, batchSize: parallelBatch, shuffle: true, generator: Generator(seed: seed))
    // One matmul thread per worker: the two workers are the parallelism measured here.
    let previousThreads = matmulMaxThreads
    matmulMaxThreads = 1
    defer { matmulMaxThreads = previousThreads }
    var seconds = 0.0, step = 0, reached: Int?, diverged: TrainingDiverged?
    training: while step < budget {
        for (x, y) in loader {
            step += 1
            let half = x.shape[0] / 2
            let shares = Shared([(x.narrow(dim: 0, start: 0, length: half).copy(),
                                  y.narrow(dim: 0, start: 0, length: half).copy()),
                                 (x.narrow(dim: 0, start: half, length: x.shape[0] - half).copy(),
                                  y.narrow(dim: 0, start: half, length: x.shape[0] - half).copy())])
            let losses = Shared([Float](repeating: 0, count: 2))
            let start = DispatchTime.now().uptimeNanoseconds
            // The broadcast: every worker starts the step from the master's parameters.
            for replica in replicas.value {
                for (theirs, mine) in zip(replica.parameters(), master.parameters()) { theirs.assign(mine) }
                replica.zeroGrad()
            }
            // The work of one worker: forward and backward on its half.
            let work: @Sendable (Int) -> Void = { k in
                let (xk, yk) = shares.value[k]
                let loss = Tensor.mseLoss(replicas.value[k](xk), yk)
                loss.backward()
                losses.value[k] = loss.item
            }
            if workers == 2 {
                DispatchQueue.concurrentPerform(iterations: 2, execute: work)
            } else {
                for k in 0..<2 { work(k) }
            }
            // The all-reduce, in a fixed order.
            for (i, p) in master.parameters().enumerated() {
                let g0 = replicas.value[0].parameters()[i].grad!, g1 = replicas.value[1].parameters()[i].grad!
                p.grad = withNoGrad { (g0 + g1) * 0.5 }
            }
            let loss = (losses.value[0] + losses.value[1]) / 2
            do {
                try nanGuard.check(loss: loss, gradientNorm: gradNorm(master.parameters()), epoch: 1, step: step,
                                   learningRate: parallelRate, inputs: x)
            } catch let error as TrainingDiverged {
                diverged = error
                break training
            } catch { preconditionFailure("NaNGuard threw \(error)") }
            optimizer.step()
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if evaluate(master, on: problem.validation) < parallelTarget {
                reached = step
                break training
            }
            if step >= budget { break training }
        }
    }
    return ParallelRun(workers: workers, stepsToTarget: reached, steps: step, seconds: seconds,
                       parameters: master.parameters().map(\.scalars), diverged: diverged)
}

// MARK: - Timing 1 against 2 workers

/// The runs of a race between 1 and 2 workers, `repetitions` of each, alternating
/// 1, 2 | 2, 1 | 1, 2 | … so that neither always runs first (a machine warming up or getting busy
/// then affects both alike). Repetition k of each is a pair, measured at nearly the same moment.
func raceWorkers(seed: UInt64, repetitions: Int, sizes: [Int] = wideSizes,
                 budget: Int = parallelBudget) -> (one: [ParallelRun], two: [ParallelRun]) {
    var one: [ParallelRun] = [], two: [ParallelRun] = []
    for k in 0..<repetitions {
        for workers in k % 2 == 0 ? [1, 2] : [2, 1] {
            let run = trainDataParallel(seed: seed, workers: workers, sizes: sizes, budget: budget)
            if workers == 1 { one.append(run) } else { two.append(run) }
        }
    }
    return (one, two)
}

/// Seconds to the target of each run (NaN where the target was not reached: no time to compare).
func secondsToTarget(_ runs: [ParallelRun]) -> SeedSample {
    SeedSample(runs.map { $0.stepsToTarget == nil ? .nan : $0.seconds })
}

/// max |a - b| over every parameter value: 0 when every value has the same bits, NaN when a
/// value that differs is not finite (no distance to report).
func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Double {
    var largest = 0.0
    for (x, y) in zip(a, b) {
        for (u, v) in zip(x, y) where u.bitPattern != v.bitPattern {
            let d = Double(Swift.abs(u - v))
            guard d.isFinite else { return .nan }
            largest = Swift.max(largest, d)
        }
    }
    return largest
}

/// The middle value (the mean of the two middle ones for an even count): unlike the mean, one run
/// slowed down by another program on the machine does not move it.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
