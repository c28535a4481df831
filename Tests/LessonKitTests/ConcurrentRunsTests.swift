import Engine
import Foundation
import Testing
@testable import LessonKit

// Independent runs at once (ConcurrentRuns.swift): the same results as one after another, in order,
// each run on a fresh thread, and the measured verdict on whether running them together pays.

@Suite struct ConcurrentRunsTests {
    /// A small seeded "training": a few draws of the thread's default generator after seeding it,
    /// pushed through a matmul so the kernels run too.
    static func run(_ seed: UInt64) -> [Float] {
        manualSeed(seed)
        let w = Tensor.randn([48, 64]), x = Tensor.randn([40, 48])
        return (x.matmul(w).relu().sum()).scalars + [Float(defaultGenerator.next() >> 40)]
    }

    @Test func resultsAreTheSerialResultsInItemOrder() {
        let seeds: [UInt64] = Array(40..<53)
        let serial = seeds.map(Self.run)
        let together = runConcurrently(seeds) { Self.run($0) }
        let oneAtATime = runConcurrently(seeds, maxWorkers: 1) { Self.run($0) }
        #expect(together == serial)
        #expect(oneAtATime == serial)
        #expect(runConcurrently([UInt64]()) { Self.run($0) }.isEmpty)
    }

    @Test func everyRunStartsOnAFreshThreadAndLeavesTheCallersStateAlone() {
        manualSeed(7)
        let callers = defaultGenerator
        // A run that draws without seeding sees a new thread's generator (seed 0), whatever ran before
        // it; a run that seeds changes only its own thread's generator.
        let draws = runConcurrently(Array(0..<6)) { k -> UInt64 in
            if k % 2 == 0 { manualSeed(UInt64(1000 + k)) }
            return defaultGenerator.next()
        }
        var fresh = Generator(seed: 0)
        let unseeded = fresh.next()
        for k in stride(from: 1, to: 6, by: 2) { #expect(draws[k] == unseeded) }
        for k in stride(from: 0, to: 6, by: 2) {
            var g = Generator(seed: UInt64(1000 + k))
            #expect(draws[k] == g.next())
        }
        #expect(defaultGenerator == callers)
    }

    @Test func progressCountsEveryFinishedRunOnTheCallersThread() {
        var seen: [Int] = []
        let caller = Thread.current
        var onCaller = true
        _ = runConcurrently(Array(0..<9), progress: { done in
            seen.append(done)
            onCaller = onCaller && Thread.current == caller
        }) { $0 * 2 }
        #expect(seen == Array(1...9))
        #expect(onCaller)
    }

    @Test func runsOfAConcurrentBatchKeepTheirKernelsOnTheirOwnThread() {
        func mayUseHelper(kernelsOnOneThread: Bool) -> Bool {
            let batch = RunBatch([0]) { _ in kernelsMayUseHelper }
            batch.run(0, kernelsOnOneThread: kernelsOnOneThread)
            return batch.finish()[0]
        }
        #expect(!mayUseHelper(kernelsOnOneThread: true))
        #expect(mayUseHelper(kernelsOnOneThread: false))
        // A run alone may use the helper.
        #expect(runConcurrently([0], maxWorkers: 1) { _ in kernelsMayUseHelper } == [true])
        withKernelsOnOneThread {
            #expect(!kernelsMayUseHelper)
            withKernelsOnOneThread { #expect(!kernelsMayUseHelper) }
            #expect(!kernelsMayUseHelper)
        }
        #expect(kernelsMayUseHelper)
    }

    @Test func aRunThatRunsThingsConcurrentlyItselfRunsThemOneAtATime() {
        // Inside a run of a concurrent batch (marked as its threads are), a nested batch is serial:
        // its runs keep the helper (a batch of one run does not pin the kernels).
        let nested = runConcurrently([0]) { _ -> [Bool] in
            Thread.current.threadDictionary[ConcurrentRuns.insideKey] = true
            return runConcurrently(Array(0..<3)) { _ in kernelsMayUseHelper }
        }
        #expect(nested == [[true, true, true]])
    }

    @Test func concurrencyThatDidNotPayIsSwitchedOffAndLookedAtAgainLater() {
        var v = ConcurrentRuns.Verdict()
        #expect(v.workers(available: 2) == 2)
        #expect(v.workers(available: 1) == 1)
        // Two runs' CPU time added up to 1.9x the wall time: it paid.
        v.record(cpuSeconds: 1.9, wallSeconds: 1.0)
        #expect(v.workers(available: 2) == 2)
        // Only 1.1x: the second core was not really ours. One at a time, then a look every 8th batch.
        v.record(cpuSeconds: 1.1, wallSeconds: 1.0)
        let next = (0..<8).map { _ in v.workers(available: 2) }
        #expect(next == [1, 1, 1, 1, 1, 1, 1, 2])
        v.record(cpuSeconds: 1.95, wallSeconds: 1.0)
        #expect(v.workers(available: 2) == 2)
    }
}
