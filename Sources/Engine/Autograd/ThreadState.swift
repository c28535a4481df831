#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread engine state: the grad-mode switch, the default generator and the running shape
/// trace. Like PyTorch's grad mode, it is per thread, so two threads (or two tests running in
/// parallel) never switch each other's `withNoGrad`, draw from each other's random stream or mix
/// their shape traces.
final class ThreadState {
    var gradEnabled = true
    var generator = Generator(seed: 0)
    /// The shape trace running on this thread (`withShapeTrace`), if any.
    var shapeRecorder: ShapeRecorder?

    /// This thread's state, created on first use (POSIX thread-specific storage: a few nanoseconds).
    static var current: ThreadState {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<ThreadState>.fromOpaque(raw).takeUnretainedValue()
        }
        let state = ThreadState()
        pthread_setspecific(key, Unmanaged.passRetained(state).toOpaque())
        return state
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        #if canImport(Glibc)
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<ThreadState>.fromOpaque(raw).release() }
        }
        #else
        pthread_key_create(&key) { raw in Unmanaged<ThreadState>.fromOpaque(raw).release() }
        #endif
        return key
    }()
}
