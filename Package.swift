// swift-tools-version:6.0
// TrainingLab: a step-through model-training lab in pure Swift.
// No package dependencies: the toolchain's own libraries only (Foundation, Dispatch, Testing).
import PackageDescription
import Foundation

// MARK: - Compiler flags for the engine
// Plain `swift run` builds in debug mode, and debug Swift is 100-500x slower on numeric loops.
// SwiftPM lets a root package pass `unsafeFlags`, and the later `-O` wins over its `-Onone`,
// so the engine alone is always optimised while lessons and tests stay debuggable.
var engineFlags = ["-O", "-wmo", "-num-threads", "2"]

/// AVX2 + FMA are enabled only when the build machine has them, and never when
/// `TRAINLAB_BASELINE=1` is set (use that to build a binary for an older x86-64 CPU).
func buildMachineHasAVX2AndFMA() -> Bool {
    #if os(Linux) && arch(x86_64)
    guard ProcessInfo.processInfo.environment["TRAINLAB_BASELINE"] != "1",
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return false }
    let words = Set(flags.split(separator: " "))
    return words.contains("avx2") && words.contains("fma")
    #else
    return false
    #endif
}
if buildMachineHasAVX2AndFMA() {
    // TRAINLAB_FMA: the matmul kernels (fast and naive alike) use fused multiply-add, one rounding
    // per term instead of two; measured +45 % on the model's shapes on this project's machine.
    // Results are bit-identical run to run on one machine; a baseline build rounds differently
    // (by float32 round-off), which the tests' tolerances allow.
    engineFlags += ["-target-cpu", "haswell", "-D", "TRAINLAB_FMA"]
}
#if arch(arm64)
engineFlags += ["-D", "TRAINLAB_FMA"]   // every arm64 CPU has FMA: the same matmul arithmetic as above
#endif

// MARK: - Lessons
// `swift run lesson1` … `lesson4`: notebook-style programs in lessons/lessonN/. Each has a test
// target (Tests/LessonNTests) that `@testable import`s it, so the numbers a lesson prints and the
// answer keys come from the same functions.
let lessonTargets: [Target] = (1...4).flatMap { n -> [Target] in [
    .executableTarget(name: "lesson\(n)", dependencies: ["Engine", "LessonKit"], path: "lessons/lesson\(n)"),
    .testTarget(name: "Lesson\(n)Tests", dependencies: [.target(name: "lesson\(n)"), "Engine", "LessonKit"],
                path: "Tests/Lesson\(n)Tests"),
] }

// MARK: - Targets
let package = Package(
    name: "TrainingLab",
    products: [
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "LessonKit", targets: ["LessonKit"]),
    ],
    targets: [
        // The library students read: tensors, autograd, ops, nn, losses, optimizers, data.
        .target(
            name: "Engine",
            swiftSettings: [.unsafeFlags(engineFlags)],
            linkerSettings: [.linkedLibrary("m")]
        ),
        // Printing, tables, terminal plots, step-through, flags and HTML reports for the lessons.
        .target(name: "LessonKit", dependencies: ["Engine"]),

        // MARK: Programs
        .executableTarget(name: "bench", dependencies: ["Engine"], path: "Sources/bench",
                          swiftSettings: [.unsafeFlags(["-O"])]),
    ] + lessonTargets + [

        // MARK: Tests
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine"],
            resources: [.copy("Resources")]
        ),
        .testTarget(name: "LessonKitTests", dependencies: ["LessonKit", "Engine"]),
    ]
)
