// Stopping on a programmer's error, with a message that says what went wrong.
//
// Why the engine has its own `precondition`: the Engine target is always compiled with `-O` (see
// Package.swift), and in an optimised build the standard library's `precondition` still stops the
// program but drops the message — it prints nothing a student could read. `fatalError` keeps its
// message in every build mode except `-Ounchecked`, so these two functions check with the same cost
// (the message is built only on failure) and always say, e.g.,
//
//     Fatal error: matmul: [32, 10] x [64, 1]: inner dimensions 10 and 64 differ
//
// Declared in this module, they shadow the standard library's functions of the same name for every
// file of the Engine, so the code reads exactly as ordinary Swift.

/// Stops the program with `message` when `condition` is false (a programmer's error, such as
/// multiplying matrices whose shapes do not fit). Same signature as the standard library's
/// `precondition`, but the message is printed in optimised builds too.
@inline(__always)
func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
                  file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// Stops the program with `message` (the standard library's `preconditionFailure`, message kept).
@inline(__always)
func preconditionFailure(_ message: @autoclosure () -> String = String(),
                         file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
