import Foundation
import Synchronization

// A second thread for the fast matmul, kept alive and watching for work, so that handing it half of
// a product costs about a hundred nanoseconds instead of the microseconds a thread pool needs to
// wake a thread (`DispatchQueue.concurrentPerform` measured 3-10 µs here, as long as a whole
// [160, 64] · [64, 192] product takes on one core).
//
// The protocol, one job at a time, through one atomic `state`:
//
//     idle ──post──▶ posted ──helper claims──▶ running ──helper finishes──▶ done ──caller──▶ idle
//                      └──────caller claims it back (the helper was busy or asleep)──▶ idle
//
// The caller posts the second half, computes the first half itself, then tries to take the second
// half back. If the helper has not started it (it was asleep, or the operating system had given its
// core to another program), the caller computes it too: so a product never waits for a thread that
// is not running, and two threads are never slower than one by more than the cost of posting.
// Which thread computes a half does not change a single bit: each element of C is summed by one
// thread, in one order.
//
// After about 100 µs without work the helper goes to sleep on a semaphore (so an idle program does
// not keep a core busy); the next post wakes it, and the caller does not wait for the wake-up.
//
// Whether two threads pay at all depends on the machine and on what else runs on it: under a load
// of 8 on 2 cores the operating system takes the helper's core away mid-half, and two threads ran
// 40 % *slower* than one. `ThreadChoice` (Matmul.swift) times the products and decides.

/// The second thread's half of a product: the arguments of one `computeRectangle` call.
struct RectangleJob: @unchecked Sendable {
    // @unchecked Sendable: raw pointers. The caller does not touch C's rectangle of this job until
    // `state` says the job is done.
    var rowBlocks: Range<Int>, colPanels: Range<Int>, tile: MatmulTile
    var a: UnsafePointer<Float>, aStrides: (row: Int, col: Int)
    var b: UnsafePointer<Float>, bStrides: (row: Int, col: Int)
    var c: UnsafeMutablePointer<Float>, cStrides: (row: Int, col: Int), m: Int, k: Int, n: Int
    var accumulate: Bool

    func run() {
        computeRectangle(rowBlocks: rowBlocks, colPanels: colPanels, tile: tile, a: a, aStrides: aStrides,
                         b: b, bStrides: bStrides, c: c, cStrides: cStrides, m: m, k: k, n: n,
                         accumulate: accumulate)
    }
}

/// The matmul's helper thread (one per process, started on first use).
final class HelperThread: @unchecked Sendable {
    // @unchecked Sendable: `job` is written only while `state` is idle (by the one caller) and read
    // only after claiming it; the atomic's acquire/release orderings publish it.
    static let shared = HelperThread()

    private enum State: Int { case idle, posted, running, done }
    private let state = Atomic<Int>(State.idle.rawValue)
    private let sleeping = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)
    /// One caller at a time: products called from several threads at once take turns for the helper
    /// (a caller that finds it taken computes both halves itself).
    private let inUse = Atomic<Bool>(false)
    private var job: RectangleJob?

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "TrainingLab matmul helper"
        thread.start()
    }

    /// Runs `first` on this thread and `second` on the helper if it picks it up in time, otherwise
    /// on this thread too. Returns when both are done.
    func run(_ first: RectangleJob, _ second: RectangleJob) {
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            first.run(); second.run()
            return
        }
        defer { inUse.store(false, ordering: .releasing) }
        job = second
        state.store(State.posted.rawValue, ordering: .sequentiallyConsistent)
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) { wakeUp.signal() }

        first.run()

        if state.compareExchange(expected: State.posted.rawValue, desired: State.idle.rawValue,
                                 ordering: .acquiringAndReleasing).exchanged {
            second.run()            // the helper never started it: do it here
        } else {
            while state.load(ordering: .acquiring) != State.done.rawValue {}
            state.store(State.idle.rawValue, ordering: .releasing)
        }
        job = nil
    }

    /// The helper's loop: watch `state`, run posted jobs, sleep after a while without work.
    private func serve() {
        var idleSpins = 0
        while true {
            if state.load(ordering: .relaxed) == State.posted.rawValue,
               state.compareExchange(expected: State.posted.rawValue, desired: State.running.rawValue,
                                     ordering: .acquiringAndReleasing).exchanged {
                job!.run()
                state.store(State.done.rawValue, ordering: .releasing)
                idleSpins = 0
                continue
            }
            idleSpins += 1
            if idleSpins > 200_000 {   // ~100 µs of watching: sleep until the next post
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if state.load(ordering: .sequentiallyConsistent) != State.posted.rawValue { wakeUp.wait() }
                sleeping.store(false, ordering: .sequentiallyConsistent)
                idleSpins = 0
            }
        }
    }
}
