import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// safetensors: the weights format of Hugging Face, readable from PyTorch with
// `safetensors.torch.load_file` and written by `save_file(model.state_dict(), path)`.
//
//     [8 bytes]  N, the header's length, a little-endian UInt64
//     [N bytes]  a JSON object: { "name": {"dtype": "F32", "shape": [8, 10], "data_offsets": [begin, end]},
//                                 …, "__metadata__": {"key": "value", …} }   (padded with spaces)
//     [rest]     the data: each tensor's bytes, row-major, little-endian, at [begin, end) of this part
//
// A weights file comes from outside, so every field is checked before a byte is used, and each
// problem is thrown as an error naming the file, the tensor and what is wrong: never a crash.
// Float tensors become `Tensor`s; integer and bool tensors (a state dict's step counters, index
// tensors, masks) are kept as `IntegerTensor`s for the caller to inspect.

/// A problem with a safetensors file.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable {
    /// The kind of problem, for tests and for code that wants to react to one case.
    public enum Kind: String, Sendable {
        case truncated, headerLengthBeyondFile, headerNotJSON, invalidHeader, unknownDtype,
             unsupportedDtype, offsetsOutOfRange, overlapping, incompleteData, sizeMismatch,
             duplicateName, invalidBool, io
    }
    public let kind: Kind
    /// The file's path (or the name given to `decode`).
    public let file: String
    /// The tensor concerned, if the problem is about one.
    public let tensor: String?
    /// What is wrong, in words.
    public let detail: String

    public var description: String {
        "safetensors file \(file)" + (tensor.map { ", tensor '\($0)'" } ?? "") + ": \(detail)"
    }
}

/// An integer or bool tensor read from a file, as data to look at: the engine computes in Float, so
/// it never becomes a parameter. PyTorch state dicts hold such tensors as buffers, e.g. BatchNorm's
/// `num_batches_tracked` (I64, shape `[]`), and files may hold index tensors or boolean masks.
///
///     let steps = file.integerTensor("bn.num_batches_tracked")   // dtype .i64, shape [], values [120]
public struct IntegerTensor: Equatable, Sendable {
    /// The integer and bool dtypes of the safetensors format that are read (U64 and the 8-bit floats
    /// are not: a U64 may not fit in an Int64).
    public enum DType: String, Sendable, CaseIterable {
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"
    }
    public let dtype: DType
    public let shape: [Int]
    /// The elements, row-major, each widened to Int64 exactly (BOOL: 0 for false, 1 for true).
    public let values: [Int64]

    public init(dtype: DType, shape: [Int], values: [Int64]) {
        precondition(shape.reduce(1, *) == values.count,
                     "IntegerTensor: shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        self.dtype = dtype
        self.shape = shape
        self.values = values
    }

    /// The number of elements.
    public var count: Int { values.count }
    /// The elements as Bool (nonzero is true), as a BOOL tensor means them.
    public var bools: [Bool] { values.map { $0 != 0 } }
}

/// The contents of a safetensors file.
public struct SafeTensorsFile {
    /// The Float tensors (F32, F64, F16, BF16, converted to Float) in the order of their data in the file.
    public let tensors: [NamedTensor]
    /// The integer and bool tensors, in the order of their data in the file.
    public let integerTensors: [(name: String, tensor: IntegerTensor)]
    /// The optional `__metadata__` strings.
    public let metadata: [String: String]

    public init(tensors: [NamedTensor], integerTensors: [(name: String, tensor: IntegerTensor)] = [],
                metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.integerTensors = integerTensors
        self.metadata = metadata
    }

    /// The Float tensor called `name`, or `nil`.
    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    /// The integer or bool tensor called `name`, or `nil`.
    public func integerTensor(_ name: String) -> IntegerTensor? {
        integerTensors.first { $0.name == name }?.tensor
    }
}

/// Reading and writing safetensors files. F32 is read as is; F64, F16 and BF16 are converted to
/// Float on load; I64, I32, I16, I8, U32, U16, U8 and BOOL are read as `IntegerTensor`s. Files are
/// always written as F32.
public enum SafeTensors {
    /// The largest header accepted (the reference implementation's limit).
    public static let maxHeaderLength = 100_000_000

    /// Bytes per element of each dtype the format defines.
    static let dtypeSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]
    static let floatDtypes: Set<String> = ["F32", "F64", "F16", "BF16"]
    static let readDtypes = floatDtypes.union(IntegerTensor.DType.allCases.map(\.rawValue))

    // MARK: Reading

    /// Reads a safetensors file.
    /// - Throws: `SafeTensorsError` naming the file, the tensor and the problem.
    public static func load(contentsOf url: URL) throws -> SafeTensorsFile {
        switch readUserFile(url.path) {
        case .failure(let problem):
            // "is a folder", "no such file", "permission denied": the operating system's reason in words.
            throw SafeTensorsError(kind: .io, file: url.path, tensor: nil, detail: "cannot read it: \(problem)")
        case .success(let bytes):
            return try decode(bytes, fileName: url.path)
        }
    }

    /// Parses the bytes of a safetensors file; `fileName` appears in error messages.
    public static func decode(_ bytes: [UInt8], fileName: String = "<memory>") throws -> SafeTensorsFile {
        func fail(_ kind: SafeTensorsError.Kind, _ tensor: String?, _ detail: String) -> SafeTensorsError {
            SafeTensorsError(kind: kind, file: fileName, tensor: tensor, detail: detail)
        }
        // 1. The header's length, and the header.
        guard bytes.count >= 8 else {
            throw fail(.truncated, nil, "truncated: \(bytes.count) bytes, fewer than the 8-byte header length")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 8) else {
            throw fail(.headerLengthBeyondFile, nil, "header length \(length) runs beyond the end of the file "
                       + "(\(bytes.count - 8) bytes follow it)")
        }
        guard length <= UInt64(maxHeaderLength) else {
            throw fail(.invalidHeader, nil, "header length \(length) exceeds the limit of \(maxHeaderLength) bytes")
        }
        let headerEnd = 8 + Int(length)
        let root: JSONValue
        do {
            root = try JSONReader.parse(Array(bytes[8..<headerEnd]))
        } catch let e as JSONReadError {
            throw fail(.headerNotJSON, nil, "header is not valid JSON: \(e.message) at byte \(8 + e.offset)")
        }
        guard case .object(let members) = root else { throw fail(.headerNotJSON, nil, "header is not a JSON object") }

        // 2. Every entry: dtype, shape, offsets, each checked against the data's size.
        let dataCount = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
        var names = Set<String>()
        for (name, value) in members {
            guard names.insert(name).inserted else {
                throw fail(.duplicateName, name, "the name appears more than once in the header")
            }
            if name == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw fail(.invalidHeader, name, "__metadata__ is not an object")
                }
                for (key, v) in pairs {
                    guard case .string(let s) = v else {
                        throw fail(.invalidHeader, name, "metadata value of '\(key)' is not a string")
                    }
                    metadata[key] = s
                }
                continue
            }
            guard case .object(let fields) = value else {
                throw fail(.invalidHeader, name, "entry is not a JSON object")
            }
            func field(_ key: String) -> JSONValue? { fields.last { $0.key == key }?.value }
            guard case .string(let dtype)? = field("dtype") else {
                throw fail(.invalidHeader, name, "missing or non-string 'dtype'")
            }
            guard case .array(let shapeValues)? = field("shape") else {
                throw fail(.invalidHeader, name, "missing or non-array 'shape'")
            }
            guard case .array(let offsetValues)? = field("data_offsets") else {
                throw fail(.invalidHeader, name, "missing or non-array 'data_offsets'")
            }
            let shape = shapeValues.compactMap(\.nonNegativeInt)
            guard shape.count == shapeValues.count else {
                throw fail(.invalidHeader, name,
                           "shape \(shapeValues.map(jsonText)) is not a list of non-negative integers")
            }
            let offsets = offsetValues.compactMap(\.nonNegativeInt)
            guard offsets.count == 2, offsetValues.count == 2 else {
                throw fail(.invalidHeader, name,
                           "data_offsets \(offsetValues.map(jsonText)) is not two non-negative integers")
            }
            guard let elementSize = dtypeSizes[dtype] else {
                throw fail(.unknownDtype, name, "unknown dtype '\(dtype)'")
            }
            guard readDtypes.contains(dtype) else {
                throw fail(.unsupportedDtype, name, "dtype \(dtype) is not supported (F32, F64, F16, BF16 "
                           + "and the integers I64, I32, I16, I8, U32, U16, U8, BOOL are)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= dataCount else {
                throw fail(.offsetsOutOfRange, name,
                           "data_offsets [\(begin), \(end)] lie outside the data part (\(dataCount) bytes)")
            }
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataCount else {
                    throw fail(.sizeMismatch, name, "shape \(shape) holds more elements than the file has bytes")
                }
                elements = product
            }
            guard (end - begin) == elements * elementSize else {
                throw fail(.sizeMismatch, name, "shape \(shape) × \(dtype) needs \(elements * elementSize) bytes, "
                           + "data_offsets give \(end - begin)")
            }
            entries.append((name, dtype, shape, begin, end))
        }

        // 3. The tensors must tile the data part exactly: no overlap, no hole.
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expectedBegin = 0
        for (i, entry) in entries.enumerated() {
            if entry.begin < expectedBegin {
                throw fail(.overlapping, entry.name,
                           "bytes [\(entry.begin), \(entry.end)) overlap tensor '\(entries[i - 1].name)'")
            }
            if entry.begin > expectedBegin {
                throw fail(.incompleteData, entry.name,
                           "bytes [\(expectedBegin), \(entry.begin)) before it belong to no tensor")
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == dataCount else {
            throw fail(.incompleteData, nil, "the last \(dataCount - expectedBegin) bytes of data belong to no tensor")
        }

        // 4. Convert each tensor's bytes (the dtype is looked at once per tensor, not per element).
        var tensors: [NamedTensor] = []
        var integerTensors: [(name: String, tensor: IntegerTensor)] = []
        for entry in entries {
            let start = headerEnd + entry.begin
            let count = entry.shape.reduce(1, *)
            if let integerType = IntegerTensor.DType(rawValue: entry.dtype) {
                let values = readIntegers(bytes, start: start, count: count, dtype: integerType)
                if integerType == .bool, let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                    throw fail(.invalidBool, entry.name, "BOOL element \(bad) is the byte \(values[bad]), not 0 or 1")
                }
                let tensor = IntegerTensor(dtype: integerType, shape: entry.shape, values: values)
                integerTensors.append((entry.name, tensor))
            } else {
                let values = readFloats(bytes, start: start, count: count, dtype: entry.dtype)
                tensors.append((entry.name, Tensor(values, shape: entry.shape)))
            }
        }
        return SafeTensorsFile(tensors: tensors, integerTensors: integerTensors, metadata: metadata)
    }

    /// `count` little-endian Float elements of a float `dtype` from `bytes[start...]`, as Float.
    /// The caller has checked that they lie inside `bytes`.
    static func readFloats(_ bytes: [UInt8], start: Int, count: Int, dtype: String) -> [Float] {
        bytes.withUnsafeBytes { raw in
            func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: start + MemoryLayout<T>.size * i, as: T.self))
            }
            switch dtype {
            case "F32": return (0..<count).map { Float(bitPattern: load($0, UInt32.self)) }
            case "F64": return (0..<count).map { Float(Double(bitPattern: load($0, UInt64.self))) }
            case "F16": return (0..<count).map { floatFromHalf(load($0, UInt16.self)) }
            default: return (0..<count).map { Float(bitPattern: UInt32(load($0, UInt16.self)) << 16) }  // BF16
            }
        }
    }

    /// `count` little-endian integer elements of `dtype` from `bytes[start...]`, widened to Int64.
    static func readIntegers(_ bytes: [UInt8], start: Int, count: Int, dtype: IntegerTensor.DType) -> [Int64] {
        bytes.withUnsafeBytes { raw in
            func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> Int64 {
                Int64(T(littleEndian: raw.loadUnaligned(fromByteOffset: start + MemoryLayout<T>.size * i, as: T.self)))
            }
            switch dtype {
            case .i64: return (0..<count).map { load($0, Int64.self) }
            case .i32: return (0..<count).map { load($0, Int32.self) }
            case .i16: return (0..<count).map { load($0, Int16.self) }
            case .i8: return (0..<count).map { load($0, Int8.self) }
            case .u32: return (0..<count).map { load($0, UInt32.self) }
            case .u16: return (0..<count).map { load($0, UInt16.self) }
            case .u8, .bool: return (0..<count).map { load($0, UInt8.self) }
            }
        }
    }

    /// IEEE half precision (1 sign, 5 exponent, 10 fraction bits) to Float, exactly.
    static func floatFromHalf(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F), fraction = UInt32(h & 0x3FF)
        if exponent == 0 { return sign * Float(fraction) * 0x1p-24 }                 // zero, subnormal
        if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
        let bits = (UInt32(exponent - 15 + 127) << 23) | (fraction << 13)
        return sign * Float(bitPattern: bits)
    }

    static func jsonText(_ v: JSONValue) -> String {
        switch v {
        case .number(let t): return t
        case .string(let s): return jsonQuoted(s)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array: return "[…]"
        case .object: return "{…}"
        }
    }

    // MARK: Writing

    /// The bytes of a safetensors file holding `tensors` as F32, in the given order.
    /// - Throws: `.duplicateName` when two tensors share a name.
    public static func encode(_ tensors: [NamedTensor], metadata: [String: String]? = nil,
                              fileName: String = "<memory>") throws -> [UInt8] {
        var seen = Set<String>()
        var entries: [String] = []
        var offset = 0
        for (name, tensor) in tensors {
            guard name != "__metadata__", seen.insert(name).inserted else {
                throw SafeTensorsError(kind: .duplicateName, file: fileName, tensor: name,
                                       detail: "the name is used twice (or is the reserved __metadata__)")
            }
            let end = offset + 4 * tensor.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonQuoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],"
                           + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        if let metadata, !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonQuoted($0.key)):\(jsonQuoted($0.value))" }
            entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }        // pad so the data is 8-byte aligned
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * UInt64(i)))) }
        bytes.append(contentsOf: header)
        for (_, tensor) in tensors {
            #if _endian(little)
            tensor.scalars.withUnsafeBytes { bytes.append(contentsOf: $0) }     // already little-endian
            #else
            for v in tensor.scalars {
                let bits = v.bitPattern
                for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
            }
            #endif
        }
        return bytes
    }

    /// Writes `tensors` to `url` atomically: the bytes go to a temporary file in the same folder,
    /// which is then renamed over `url`. A failure part-way leaves any old file untouched.
    public static func save(_ tensors: [NamedTensor], metadata: [String: String]? = nil,
                            to url: URL) throws {
        let bytes = try encode(tensors, metadata: metadata, fileName: url.path)
        try writeAtomically(bytes, to: url)
    }

    /// The durable temporary-file-then-rename write (`writeUserFileDurably`: the file and its folder
    /// synced, stale temporary files of killed saves removed). `failBeforeRename` simulates a crash
    /// after the temporary file is written (for the tests).
    static func writeAtomically(_ bytes: [UInt8], to url: URL, failBeforeRename: Bool = false) throws {
        if case .failure(let problem) = writeUserFileDurably(bytes, to: url, failBeforeRename: failBeforeRename) {
            throw SafeTensorsError(kind: .io, file: url.path, tensor: nil, detail: "cannot write it: \(problem)")
        }
    }
}

extension Module {
    /// Saves `stateDict()` as a safetensors file that PyTorch can load with
    /// `model.load_state_dict(safetensors.torch.load_file(path))`.
    public func saveSafeTensors(to url: URL, metadata: [String: String]? = nil) throws {
        try SafeTensors.save(stateDict(), metadata: metadata, to: url)
    }

    /// Loads a safetensors file's Float tensors into this module by name (see `loadStateDict`).
    /// Its integer and bool tensors cannot become Float parameters: a strict load names them in its
    /// `StateDictError`; a non-strict one skips them and says so in the result's `skipped` and `notes`.
    @discardableResult
    public func loadStateDict(_ file: SafeTensorsFile, strict: Bool = true) throws -> LoadStateDictResult {
        let notFloat = file.integerTensors.map {
            (name: $0.name, dtype: $0.tensor.dtype.rawValue, shape: $0.tensor.shape)
        }
        return try loadStateDict(file.tensors, notFloat: notFloat, strict: strict)
    }

    /// Loads a safetensors file into this module by name: `loadStateDict(SafeTensors.load(contentsOf: url))`.
    @discardableResult
    public func loadSafeTensors(contentsOf url: URL, strict: Bool = true) throws -> LoadStateDictResult {
        try loadStateDict(SafeTensors.load(contentsOf: url), strict: strict)
    }
}
