/// A raw pointer that may cross into a `@Sendable` closure (`DispatchQueue.concurrentPerform`).
///
/// Swift 6 refuses to let a `@Sendable` closure capture an `UnsafePointer`: the compiler cannot
/// know whether two threads will write through it at once. The kernels that split work between
/// threads know: each thread writes its own part of the output and only reads the inputs. This
/// wrapper states that promise once (`@unchecked Sendable`), instead of passing the address as an
/// integer and rebuilding a pointer from it on the other side.
struct SendablePointer<Pointee>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Pointee>

    init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
    init(_ pointer: UnsafePointer<Pointee>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }

    /// The pointer for reading only.
    var readOnly: UnsafePointer<Pointee> { UnsafePointer(pointer) }
}
