// Per-thread state: each folder keeps its own (`ThreadLocal`), and one thread never sees another's.
import Foundation
import Testing
@testable import Engine

/// Runs `body` on a new thread and waits for it.
func onAnotherThread(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.start()
    done.wait()
}

@Suite struct ThreadLocalTests {
    /// A value set on one thread is not seen on another, which starts from the initial value.
    @Test func eachThreadHasItsOwnCopy() {
        let counter = ThreadLocal { 10 }
        counter.value = 42
        nonisolated(unsafe) var seenThere = 0
        onAnotherThread {
            seenThere = counter.value
            counter.value = 7
        }
        #expect(seenThere == 10)
        #expect(counter.value == 42)
    }

    /// `withNoGrad` on this thread leaves recording on for another thread.
    @Test func gradModeIsPerThread() {
        nonisolated(unsafe) var enabledThere = false
        withNoGrad {
            #expect(!isGradEnabled)
            onAnotherThread { enabledThere = isGradEnabled }
        }
        #expect(enabledThere)
        #expect(isGradEnabled)
    }

    /// A shape trace running on this thread does not record a module called on another thread.
    @Test func shapeTraceIsPerThread() {
        var g = Generator(seed: 3)
        let layer = Linear(3, 2, generator: &g)
        nonisolated(unsafe) let shared = layer          // only one thread uses it at a time
        let (_, trace) = withShapeTrace(layer) {
            onAnotherThread { _ = shared(Tensor.zeros([4, 3])) }
            return layer(Tensor.zeros([1, 3]))
        }
        #expect(trace.map(\.inputShape) == [[1, 3]])
        #expect(trace.map(\.outputShape) == [[1, 2]])
    }
}
