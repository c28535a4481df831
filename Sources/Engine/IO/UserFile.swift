import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Reading and writing the files a user names (data, checkpoints) with plain POSIX calls, so that
// every failure has a reason we can put into words ("is a folder", "permission denied") instead of
// a Foundation error code, and so that a write survives a crash or a power cut:
//
//     write  ".run.safetensors.<pid>.<random>.tmp"   the new bytes, beside the target
//     fsync  the temporary file                       its bytes are on the disk
//     rename it over "run.safetensors"                atomic: readers see the old file or the new one
//     fsync  the folder                               the rename itself is on the disk
//
// A process killed before the rename leaves its temporary file behind; the next write to the same
// target removes the ones whose process is gone (see `removeStaleTemporaryFiles`).

/// Why a file could not be read or written.
public enum FileProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound
    case isDirectory
    case notRegularFile
    case permissionDenied
    case tooLarge(bytes: Int, limit: Int)
    /// Any other system error, with the system's words.
    case system(String)

    /// A stable short name (for tests and for wording the problem in another language).
    public var code: String {
        switch self {
        case .notFound: return "not-found"
        case .isDirectory: return "is-directory"
        case .notRegularFile: return "not-regular-file"
        case .permissionDenied: return "permission-denied"
        case .tooLarge: return "too-large"
        case .system: return "system"
        }
    }

    public var description: String {
        switch self {
        case .notFound: return "no such file"
        case .isDirectory: return "this is a folder, not a file"
        case .notRegularFile: return "this is not a regular file (a device, a pipe or a socket?)"
        case .permissionDenied: return "permission denied"
        case .tooLarge(let bytes, let limit): return "the file has \(bytes) bytes, more than the limit of \(limit)"
        case .system(let words): return words
        }
    }

    static func fromErrno(_ code: Int32) -> FileProblem {
        switch code {
        case ENOENT, ENOTDIR: return .notFound
        case EACCES, EPERM: return .permissionDenied
        case EISDIR: return .isDirectory
        default: return .system(String(cString: strerror(code)))
        }
    }
}

/// The whole contents of the regular file at `path`, at most `limit` bytes.
func readUserFile(_ path: String, limit: Int = 1 << 32) -> Result<[UInt8], FileProblem> {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return .failure(.fromErrno(errno)) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failure(.fromErrno(errno)) }
    switch info.st_mode & S_IFMT {
    case S_IFDIR: return .failure(.isDirectory)
    case S_IFREG: break
    default: return .failure(.notRegularFile)
    }
    let size = Int(info.st_size)
    guard size <= limit else { return .failure(.tooLarge(bytes: size, limit: limit)) }
    // Read to the end rather than trusting the size (files in /proc report 0).
    var bytes: [UInt8] = []
    bytes.reserveCapacity(size)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if got < 0 {
            if errno == EINTR { continue }
            return .failure(.fromErrno(errno))
        }
        if got == 0 { break }
        bytes.append(contentsOf: chunk[0..<got])
        guard bytes.count <= limit else { return .failure(.tooLarge(bytes: bytes.count, limit: limit)) }
    }
    return .success(bytes)
}

/// The temporary file a write to `target` uses: hidden, beside it, named for this process.
func temporaryPath(for target: URL, pid: Int32 = getpid()) -> URL {
    let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    let name = ".\(target.lastPathComponent).\(pid).\(random).tmp"
    return target.deletingLastPathComponent().appendingPathComponent(name)
}

/// The process id in `name` if it is a temporary file of ours for `target` (see `temporaryPath`).
func temporaryFileOwner(_ name: String, target: URL) -> Int32? {
    let prefix = ".\(target.lastPathComponent).", suffix = ".tmp"
    guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return nil }
    let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
        .split(separator: ".", omittingEmptySubsequences: false)
    guard middle.count == 2, let pid = Int32(middle[0]), pid > 0,
          !middle[1].isEmpty, middle[1].allSatisfy(\.isHexDigit) else { return nil }
    return pid
}

/// The temporary files this process is writing right now (another thread's save must not lose its
/// file to our clean-up).
final class ActiveTemporaryFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var paths = Set<String>()

    func insert(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
    func remove(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }
    func contains(_ path: String) -> Bool { lock.lock(); defer { lock.unlock() }; return paths.contains(path) }
}
let activeTemporaryFiles = ActiveTemporaryFiles()

/// Removes the temporary files a killed writer left beside `target`: those whose process is gone,
/// and those named for this process that it is not writing (a container may give a new process
/// the pid of one killed earlier). Returns the names removed.
@discardableResult
func removeStaleTemporaryFiles(for target: URL) -> [String] {
    let folder = target.deletingLastPathComponent()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
    var removed: [String] = []
    for name in names.sorted() {
        guard let pid = temporaryFileOwner(name, target: target) else { continue }
        let path = folder.appendingPathComponent(name).path
        // kill(pid, 0) sends nothing; ESRCH means no such process.
        let stale = pid == getpid() ? !activeTemporaryFiles.contains(path) : kill(pid, 0) != 0 && errno == ESRCH
        if stale && unlink(path) == 0 { removed.append(name) }
    }
    return removed
}

/// Writes `bytes` to `target` so that a crash at any moment leaves either the old file or the new
/// one, both complete (see the top of this file).
///
/// - Parameter failBeforeRename: stops after the temporary file is written, as a crash would
///   (for the tests); the temporary file is removed and `.system` is returned.
public func writeUserFileDurably(_ bytes: [UInt8], to target: URL,
                                 failBeforeRename: Bool = false) -> Result<Void, FileProblem> {
    removeStaleTemporaryFiles(for: target)
    let temporary = temporaryPath(for: target)
    activeTemporaryFiles.insert(temporary.path)
    defer { activeTemporaryFiles.remove(temporary.path) }
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { return .failure(.fromErrno(errno)) }
    func abandon(_ problem: FileProblem) -> Result<Void, FileProblem> {
        close(fd)
        unlink(temporary.path)
        return .failure(problem)
    }
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if count < 0 {
            if errno == EINTR { continue }
            return abandon(.fromErrno(errno))
        }
        written += count
    }
    guard fsync(fd) == 0 else { return abandon(.fromErrno(errno)) }
    guard close(fd) == 0 else {
        unlink(temporary.path)
        return .failure(.fromErrno(errno))
    }
    if failBeforeRename {
        unlink(temporary.path)
        return .failure(.system("simulated failure before the rename"))
    }
    guard rename(temporary.path, target.path) == 0 else {
        let problem = FileProblem.fromErrno(errno)
        unlink(temporary.path)
        return .failure(problem)
    }
    // The rename lives in the folder's entry list: sync the folder too. Some file systems refuse
    // to sync a folder; the file is already complete then, so that is not an error.
    let folder = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
    if folder >= 0 {
        _ = fsync(folder)
        close(folder)
    }
    return .success(())
}

/// `writeUserFileDurably` for a path, throwing the `FileProblem` (reports, claims, weights files).
public func writeUserFileDurably(_ bytes: [UInt8], to path: String) throws(FileProblem) {
    if case .failure(let problem) = writeUserFileDurably(bytes, to: URL(fileURLWithPath: path)) { throw problem }
}
