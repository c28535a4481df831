import Foundation
import Synchronization

// A second thread for the kernels, kept alive and watching for work, so that handing it half of a
// job costs about a hundred nanoseconds instead of the microseconds a thread pool needs to wake a
// thread (`DispatchQueue.concurrentPerform` measured 3-10 µs here, as long as a whole
// [160, 64] · [64, 192] product takes on one core).
//
// The protocol, one job at a time, through one atomic `state`:
//
//     idle ──post──▶ posted ──helper claims──▶ running ──helper finishes──▶ done ──caller──▶ idle
//                      └──────caller claims it back (the helper was busy or asleep)──▶ idle
//
// The caller posts the second half, computes the first half itself, then tries to take the second
// half back. If the helper has not started it (it was asleep, or the operating system had given its
// core to another program), the caller computes it too: so a job never waits for a thread that is
// not running. Which thread computes a half does not change a single bit: the two halves write
// different elements, each computed the same way wherever it runs.
//
// Between jobs the helper spins, watching `state`, for up to `spinNanoseconds` (a training step's
// products come tens of microseconds apart, and a sleeping helper would miss every one); after that
// long without work it sleeps on a semaphore, so an idle program does not keep a core busy. The
// next post wakes it, and the caller does not wait for the wake-up. It also sleeps as soon as its
// spinning is not free: every 0.2 ms it compares its own CPU time with the time that passed, and if
// it was off its core for more than a fifth of it, other programs want that core (and, since
// Linux groups a session's threads for fairness, the spinning would come out of the caller's share).
// Then it marks itself `isContended`, and the calibrated kernels stay on one thread without even
// posting, until the helper, waking every 20 ms to measure its core again, finds it free for ten
// windows (2 ms) in a row.
//
// Whether two threads pay at all depends on the machine and on what else runs on it: under a load
// of 8 on 2 cores the operating system takes the helper's core away mid-half, and two threads ran
// 2-3x *slower* than one. `ThreadCalibration` (ThreadCalibration.swift) times the work and decides.

/// The kernels' helper thread (one per process, started on first use).
final class HelperThread: @unchecked Sendable {
    // @unchecked Sendable: `job` is written only while `state` is idle (by the one caller) and read
    // only after claiming it; the atomic's acquire/release orderings publish it.
    static let shared = HelperThread()

    /// How long the helper keeps watching for work after its last job before it goes to sleep.
    static let spinNanoseconds: UInt64 = 2_000_000

    private enum State: Int { case idle, posted, running, done }
    private let state = Atomic<Int>(State.idle.rawValue)
    private let sleeping = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)
    /// One caller at a time: jobs posted from several threads at once take turns for the helper
    /// (a caller that finds it taken computes both halves itself).
    private let inUse = Atomic<Bool>(false)
    private var job: (() -> Void)?
    private let contended = Atomic<Bool>(false)

    /// Whether the helper's core is busy with other programs (see the top of this file): then the
    /// calibrated kernels (`withCalibratedThreads`) run on one thread.
    var isContended: Bool { contended.load(ordering: .relaxed) }

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "TrainingLab kernel helper"
        thread.start()
    }

    /// Runs `first` on this thread and `second` on the helper if it picks it up in time, otherwise
    /// on this thread too. Returns when both are done. The two must touch different memory (or
    /// only read the same): they may run at the same time.
    func run(_ first: () -> Void, _ second: () -> Void) {
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            first(); second()
            return
        }
        defer { inUse.store(false, ordering: .releasing) }
        // `second` does not escape: `run` returns only after it has finished, wherever it ran.
        withoutActuallyEscaping(second) { second in
            job = second
            state.store(State.posted.rawValue, ordering: .sequentiallyConsistent)
            if sleeping.exchange(false, ordering: .sequentiallyConsistent) { wakeUp.signal() }

            first()

            if state.compareExchange(expected: State.posted.rawValue, desired: State.idle.rawValue,
                                     ordering: .acquiringAndReleasing).exchanged {
                second()            // the helper never started it: do it here
            } else {
                while state.load(ordering: .acquiring) != State.done.rawValue {}
                state.store(State.idle.rawValue, ordering: .releasing)
            }
            job = nil
        }
    }

    /// The helper's loop: watch `state`, run posted jobs, sleep after a while without work.
    private func serve() {
        var lastJob = DispatchTime.now().uptimeNanoseconds
        var spins = 0
        // The current 0.2 ms window: when it started, on the wall clock and on this thread's CPU clock.
        var window = (wall: lastJob, cpu: threadCPUNanoseconds())
        var goodWindows = 0
        while true {
            if state.load(ordering: .relaxed) == State.posted.rawValue,
               state.compareExchange(expected: State.posted.rawValue, desired: State.running.rawValue,
                                     ordering: .acquiringAndReleasing).exchanged {
                job!()
                state.store(State.done.rawValue, ordering: .releasing)
                lastJob = DispatchTime.now().uptimeNanoseconds
                continue
            }
            spins += 1
            // Every 64 looks, offer the core to any other thread that wants it (on a quiet machine
            // `sched_yield` returns at once; on a busy one the spinning must not take the core from
            // the caller's own thread). Read the clock only now and then.
            guard spins % 64 == 0 else { continue }
            sched_yield()
            guard spins % 1024 == 0 else { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            // Idle: no job for a while (while contended the helper is probing its core instead).
            let idle = !isContended && now - lastJob > Self.spinNanoseconds
            var offCore = false
            if now - window.wall > 200_000 {
                let cpu = threadCPUNanoseconds()
                offCore = 5 * (cpu - window.cpu) < 4 * (now - window.wall)   // on its core < 80 %
                // Contended at once; free again only after ten good windows (2 ms) in a row.
                goodWindows = offCore ? 0 : goodWindows + 1
                if offCore { contended.store(true, ordering: .relaxed) }
                if goodWindows >= 10 { contended.store(false, ordering: .relaxed) }
                window = (now, cpu)
            }
            guard idle || offCore else { continue }
            sleeping.store(true, ordering: .sequentiallyConsistent)
            if state.load(ordering: .sequentiallyConsistent) != State.posted.rawValue {
                if isContended { _ = wakeUp.wait(timeout: .now() + .milliseconds(20)) } else { wakeUp.wait() }
            }
            sleeping.store(false, ordering: .sequentiallyConsistent)
            lastJob = DispatchTime.now().uptimeNanoseconds
            window = (lastJob, threadCPUNanoseconds())
            goodWindows = 0
        }
    }
}

/// This thread's CPU time in nanoseconds (time it actually ran on a core).
private func threadCPUNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}
