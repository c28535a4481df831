import Dispatch

// Whether a second thread pays, decided by measuring, one kind of work at a time.
//
// Two threads halve the arithmetic but add a hand-off (HelperThread.swift): on a quiet 2-core
// machine the model's products ran 1.6-1.9x faster on two threads, on the same machine while other
// programs were building they ran 2-3x *slower* (the helper's core was taken away mid-half). No
// fixed size threshold is right for both, nor for every CPU. So each kind of work (a matmul shape,
// Adam on a tensor of some size, a layer's backward pair) is timed as it runs:
//
// 1. Calibration, at first use: its runs alternate one thread, two threads, one, two, … until each
//    has `samplesPerSide` timings. The first runs of a shape are the calibration, so it costs nothing
//    but the time the slower choice takes on half of them.
// 2. The choice: two threads only if they win on the *minimum* (the cost without interference: robust
//    against a busy machine's spikes), on the *median* (a helper that is often late, because its
//    core is busy, loses the median even when one lucky run was fast) *and* on the *total* (one
//    stall of a helper whose core was taken away mid-half costs milliseconds, the gain of hundreds
//    of runs). Otherwise one thread: the default must never be slower than `--threads 1`.
// 3. Watching: while two threads are chosen, their runs' total time is compared with what as many
//    runs (plus one) at one thread's median would have cost. The moment it is more (the second core
//    got busy), the kind goes back to one thread.
// 4. Re-checking: after `firstRecheck` runs the kind is calibrated again (the machine may have got
//    busier or quieter), then after twice as many each time the choice comes out the same or two
//    threads lost while watched (up to `lastRecheck`; back to `firstRecheck` when two threads win
//    after one had been chosen).
//
// Which choice runs never changes a bit of any result: every kernel that splits its work gives each
// element to one thread, computed in the same order (tested for each).

/// One kind of work whose thread count is calibrated: what it is and its sizes.
struct WorkKind: Hashable, Sendable {
    enum Operation: UInt8, Sendable {
        case matmul, matmulTransA, matmulTransB, matmulTransAB, backwardPair
        /// A whole Adam step (`Adam.step`), its tensors shared between the threads.
        case adam
        /// A batch of small products (`batchedProduct`), split between the threads by batch entry.
        case batched, batchedTransA, batchedTransB
    }
    var operation: Operation
    var m: Int, k: Int, n: Int
    var batches = 1
}

/// The calibration of every kind of work one thread has run (see the top of this file).
final class ThreadCalibration {
    /// Timings per side in one calibration.
    static let samplesPerSide = 6
    /// Runs between the first two calibrations of the same kind, and the most there can be.
    static let firstRecheck = 64, lastRecheck = 1024

    struct Entry {
        /// Nanoseconds of the current calibration's runs on one and on two threads.
        var one: [UInt64] = [], two: [UInt64] = []
        /// The decision (1 or 2), or 0 while calibrating.
        var threads = 0
        /// Runs since the decision, and their total nanoseconds.
        var runs = 0, total: UInt64 = 0
        /// One thread's median in the last calibration, the yardstick for the two-thread runs.
        var oneThreadMedian: UInt64 = 0
        /// The last decision (0: none yet) and the runs until the next calibration.
        var lastChoice = 0, recheckAfter = ThreadCalibration.firstRecheck
    }
    private(set) var entries: [WorkKind: Entry] = [:]

    /// How many threads to run `kind` on now: alternating 1 and 2 while calibrating, then the choice.
    func threads(for kind: WorkKind) -> Int {
        guard let entry = entries[kind] else { return 1 }
        if entry.threads != 0 { return entry.threads }
        return entry.one.count <= entry.two.count ? 1 : 2
    }

    /// Records how long a run of `kind` on `threads` threads took.
    func record(_ kind: WorkKind, threads: Int, nanoseconds: UInt64) {
        var entry = entries[kind] ?? Entry()
        if entry.threads == 0 {
            if threads == 1 { entry.one.append(nanoseconds) } else { entry.two.append(nanoseconds) }
            if entry.one.count >= Self.samplesPerSide && entry.two.count >= Self.samplesPerSide {
                entry = Self.decided(entry)
            }
        } else {
            entry.runs += 1
            entry.total += nanoseconds
            if entry.threads == 2 && entry.total > UInt64(entry.runs + 1) * entry.oneThreadMedian {
                // Two threads chosen, but so far dearer than one thread would have been (with one
                // run's worth of grace, for a first run that had to wake the helper): back to one
                // until the next calibration, which waits longer than the last.
                entry = Entry(threads: 1, lastChoice: 1, recheckAfter: min(2 * entry.recheckAfter, Self.lastRecheck))
            } else if entry.runs >= entry.recheckAfter {
                entry = Entry(lastChoice: entry.threads, recheckAfter: entry.recheckAfter)
            }
        }
        entries[kind] = entry
    }

    /// The end of a calibration: two threads if they win on the minimum, the median and the total.
    private static func decided(_ entry: Entry) -> Entry {
        func median(_ x: [UInt64]) -> UInt64 { x.sorted()[x.count / 2] }
        let (one, two) = (entry.one, entry.two)
        let twoWins = two.min()! < one.min()! && median(two) < median(one) && two.reduce(0, +) < one.reduce(0, +)
        let threads = twoWins ? 2 : 1
        let same = threads == entry.lastChoice
        return Entry(threads: threads, oneThreadMedian: median(entry.one), lastChoice: threads,
                     recheckAfter: same ? min(2 * entry.recheckAfter, lastRecheck) : firstRecheck)
    }
}

/// Each thread calibrates on its own (no locking; tests run work from many threads at once).
let threadCalibration = ThreadLocal { ThreadCalibration() }

/// Most threads the engine's kernels use: 2 (the project's machines have two cores) lets the
/// calibration decide, 1 keeps everything on the calling thread.
///
/// Set it to 1 to measure one thread alone, or when you know the machine is busy. (Set it before
/// training starts, not while a kernel is running.)
nonisolated(unsafe) public var matmulMaxThreads = 2

/// Whether this thread's kernels may hand half of their work to the helper thread.
private let kernelsMayShare = ThreadLocal { true }

/// Runs `body` with every kernel this thread calls kept on this thread (as `matmulMaxThreads = 1`
/// does for all threads), then restores the thread's setting.
///
/// For work that already keeps every core busy by itself: a lesson training two seeds at once, one
/// per core, would otherwise have each run's products hand halves to the one helper thread, three
/// threads taking turns on two cores. Results do not change (no kernel's bits depend on it).
public func withKernelsOnOneThread<T>(_ body: () throws -> T) rethrows -> T {
    let saved = kernelsMayShare.value
    kernelsMayShare.value = false
    defer { kernelsMayShare.value = saved }
    return try body()
}

/// Whether this thread's kernels may use the helper thread now (false inside `withKernelsOnOneThread`).
package var kernelsMayUseHelper: Bool { kernelsMayShare.value }

/// Runs `body(threads)` with the calibrated thread count for `kind` (1 when `matmulMaxThreads` is 1,
/// inside `withKernelsOnOneThread`, or when the helper's core is busy with other programs), timing it
/// for the calibration. `body` must give the same result for 1 and 2 threads.
@inline(__always)
func withCalibratedThreads(_ kind: WorkKind, _ body: (Int) -> Void) {
    guard matmulMaxThreads > 1 && !HelperThread.shared.isContended && kernelsMayShare.value else {
        body(1)
        return
    }
    let calibration = threadCalibration.value
    let threads = calibration.threads(for: kind)
    let start = DispatchTime.now().uptimeNanoseconds
    body(threads)
    calibration.record(kind, threads: threads, nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
}

/// What this thread's calibration has chosen so far, for `bench`: each kind of work with its
/// thread count (0: still calibrating).
package func calibratedThreadChoices() -> [(kind: String, threads: Int)] {
    threadCalibration.value.entries.map { kind, entry in
        let name: String
        switch kind.operation {
        case .matmul: name = "matmul \(kind.m)x\(kind.k)*\(kind.k)x\(kind.n)"
        case .matmulTransA: name = "matmul \(kind.m)x\(kind.k)^T*\(kind.k)x\(kind.n)"
        case .matmulTransB: name = "matmul \(kind.m)x\(kind.k)*\(kind.k)x\(kind.n)^T"
        case .matmulTransAB: name = "matmul \(kind.m)x\(kind.k)^T*\(kind.k)x\(kind.n)^T"
        case .backwardPair: name = "linear backward dX, dW at once, rows \(kind.m), \(kind.k) -> \(kind.n)"
        case .adam: name = "adam step, \(kind.k) tensors, \(kind.m) elements"
        case .batched: name = "\(kind.batches) products \(kind.m)x\(kind.k)*\(kind.k)x\(kind.n)"
        case .batchedTransA: name = "\(kind.batches) products \(kind.m)x\(kind.k)^T*\(kind.k)x\(kind.n)"
        case .batchedTransB: name = "\(kind.batches) products \(kind.m)x\(kind.k)*\(kind.k)x\(kind.n)^T"
        }
        return (kind: name, threads: entry.threads)
    }.sorted { $0.kind < $1.kind }
}
