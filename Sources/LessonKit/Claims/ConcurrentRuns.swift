import Engine
import Foundation
import Synchronization

// Independent runs at the same time, one per core.
//
// A comparison over five seeds trains the same setting five times, and no run needs another's
// result: on a machine with two cores, two of them can train at once. A training run of the lessons'
// models is a long chain of small operations (a step of the blog post's model is ~100 products of a
// few hundred thousand multiply-adds each), and splitting each operation between two threads (what
// the engine's kernels do by themselves, Kernels/ThreadCalibration.swift) gains at most 1.2-1.6x
// after the hand-offs; two whole runs on two cores share nothing and gain close to 2x.
//
// What keeps the results exactly those of one run after another:
// - Every run starts on a new thread of its own. The engine's per-thread state (the default random
//   generator, grad mode, the kernels' calibration) starts fresh for each run, so a run cannot
//   depend on what ran before it on the same thread, nor change what the lesson's own thread does
//   after: the lesson's default generator is the same whether its seeds ran one by one or two at once.
// - The results come back in the order of the items, whichever finished first.
// - Inside each run the kernels stay on that run's thread (`withKernelsOnOneThread`): the cores are
//   taken by the runs, and no kernel's bits depend on its thread count anyway.
// So a run must not touch anything another run, or the lesson, changes while it works: it trains
// its own model from its own seed and returns what it measured. Printing happens after, in order.
//
// Whether two at once pays is measured, not assumed: each run's thread counts its own CPU time, and
// a batch whose runs' CPU time added up to less than 1.2x the batch's wall time (the machine did
// not really give us a second core, say because other programs had it) makes the next batches run
// one at a time, until a re-check every `recheckEvery` batches finds the second core free again.

/// How many independent runs `runConcurrently` starts at once, and the measured verdict on it.
public enum ConcurrentRuns {
    /// Most runs at once: one per core the operating system lets this process use.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// A batch counts as having gained from running concurrently when its runs' CPU time adds up to
    /// at least this many times its wall time.
    static let gainNeeded = 1.2
    /// While concurrency is off, every this many batches one runs concurrently again, to look.
    static let recheckEvery = 8

    /// Whether running concurrently has paid, and when to look again.
    struct Verdict {
        /// Whether the last measured batch gained.
        var pays = true
        /// Batches run one at a time since the last concurrent one.
        var serialBatches = 0

        /// How many runs to start at once when `available` could: all of them while concurrency
        /// pays, otherwise 1, except every `recheckEvery`-th batch, which looks again.
        mutating func workers(available: Int) -> Int {
            guard available > 1 else { return 1 }
            if pays || serialBatches + 1 >= recheckEvery { return available }
            serialBatches += 1
            return 1
        }

        /// A concurrent batch's runs took `cpuSeconds` of CPU time in all, in `wallSeconds`.
        mutating func record(cpuSeconds: Double, wallSeconds: Double) {
            pays = cpuSeconds >= gainNeeded * wallSeconds
            serialBatches = 0
        }
    }
    /// Marks, in a thread's dictionary, a thread running one run of a concurrent batch.
    static let insideKey = "TrainingLab.concurrentRun"

    /// The process's one verdict (lessons run their batches one after another; tests, in parallel).
    static let verdict = Mutex(Verdict())
}

/// `items.map(body)`, with up to `ConcurrentRuns.cores` calls of `body` running at once, each on a
/// new thread of its own (see the top of this file). Results come back in the order of `items`;
/// `progress(k)` is called on this thread each time k of them have finished.
///
/// `body` must be self-contained: no shared mutable state, no printing, its own random generators
/// (it may seed the engine's default generator: that one is per thread). `maxWorkers: 1` runs the
/// items one after another, still each on a new thread, so the results are the same either way.
///
///     let losses = runConcurrently(seeds) { seed in train(seed: seed).finalLoss }
public func runConcurrently<Item, Result>(_ items: [Item], maxWorkers: Int = .max,
                                          progress: (Int) -> Void = { _ in },
                                          _ body: (Item) -> Result) -> [Result] {
    guard !items.isEmpty else { return [] }
    // A run of a concurrent batch that itself has runs to do does them one at a time: the cores are taken.
    let nested = Thread.current.threadDictionary[ConcurrentRuns.insideKey] != nil
    let available = nested ? 1 : min(maxWorkers, ConcurrentRuns.cores, items.count)
    let workers = ConcurrentRuns.verdict.withLock { $0.workers(available: available) }
    let finished = DispatchSemaphore(value: 0)
    let start = DispatchTime.now().uptimeNanoseconds
    // `body` does not escape: every thread has finished with it before this function returns.
    return withoutActuallyEscaping(body) { body in
        let batch = RunBatch(items, body)
        func launch(_ index: Int) {
            let thread = Thread { [batch] in
                if workers > 1 { Thread.current.threadDictionary[ConcurrentRuns.insideKey] = true }
                batch.run(index, kernelsOnOneThread: workers > 1)
                finished.signal()
            }
            thread.stackSize = 8 << 20            // the size of the main thread's stack
            thread.start()
        }
        var launched = 0
        while launched < workers {
            launch(launched)
            launched += 1
        }
        for done in 1...items.count {
            finished.wait()
            progress(done)
            if launched < items.count {
                launch(launched)
                launched += 1
            }
        }
        if workers > 1 {
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            ConcurrentRuns.verdict.withLock { $0.record(cpuSeconds: batch.cpuSeconds, wallSeconds: wall) }
        }
        return batch.finish()
    }
}

/// The items, the body and the results of one `runConcurrently` call, shared with its threads.
final class RunBatch<Item, Result>: @unchecked Sendable {
    // @unchecked Sendable: `items` and `body` are only read while the threads run; each result slot
    // is written by the one thread that runs that item, and read only after every thread has
    // signalled that it finished; the lock orders those writes before the reads.
    private let items: [Item]
    private var body: ((Item) -> Result)?
    private let lock = NSLock()
    private var slots: [Result?]
    private var cpuNanoseconds: UInt64 = 0

    init(_ items: [Item], _ body: @escaping (Item) -> Result) {
        self.items = items
        self.body = body
        slots = Array(repeating: nil, count: items.count)
    }

    /// Runs item `index` on the calling thread and stores its result.
    func run(_ index: Int, kernelsOnOneThread: Bool) {
        let cpuStart = threadCPUNanoseconds()
        let item = items[index], body = body!
        let result = kernelsOnOneThread ? withKernelsOnOneThread { body(item) } : body(item)
        let cpu = threadCPUNanoseconds() - cpuStart
        lock.withLock {
            slots[index] = result
            cpuNanoseconds += cpu
        }
    }

    /// The runs' CPU time in all.
    var cpuSeconds: Double { lock.withLock { Double(cpuNanoseconds) / 1e9 } }

    /// The results in the order of the items, once every run has finished; lets go of `body`.
    func finish() -> [Result] {
        lock.withLock {
            body = nil
            return slots.map { $0! }
        }
    }
}

/// This thread's CPU time in nanoseconds (the time it actually ran on a core).
private func threadCPUNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}
