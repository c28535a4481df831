#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that every thread keeps its own copy of, starting from `initial()` on first use.
///
/// The engine's per-thread state is declared with it, each in the folder it belongs to: the grad
/// mode (`Autograd/GradNode.swift`), the default generator (`Tensor/Random.swift`) and the running
/// shape trace (`NN/ShapeTrace.swift`). Like PyTorch's grad mode, such state is per thread, so two
/// threads (or two tests running in parallel) never switch each other's `withNoGrad`, draw from
/// each other's random stream or mix their shape traces.
///
/// It lives in `Kernels/` because it is built on POSIX thread-specific storage (`pthread_key_t`,
/// opaque pointers): each thread's copy sits in a small box object that the key holds, and the
/// thread releases it when it exits. Reading it costs a few nanoseconds.
final class ThreadLocal<Value>: @unchecked Sendable {
    // @unchecked Sendable: the key is shared, but each thread only ever reaches its own box.
    private final class Box {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private let key: pthread_key_t
    private let initial: @Sendable () -> Value

    init(_ initial: @escaping @Sendable () -> Value) {
        self.initial = initial
        var key = pthread_key_t()
        #if canImport(Glibc)
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        #else
        pthread_key_create(&key) { raw in Unmanaged<AnyObject>.fromOpaque(raw).release() }
        #endif
        self.key = key
    }

    /// This thread's box, created on first use.
    private var box: Box {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<Box>.fromOpaque(raw).takeUnretainedValue()
        }
        let box = Box(initial())
        pthread_setspecific(key, Unmanaged.passRetained(box).toOpaque())
        return box
    }

    /// This thread's copy of the value.
    var value: Value {
        get { box.value }
        set { box.value = newValue }
    }
}
