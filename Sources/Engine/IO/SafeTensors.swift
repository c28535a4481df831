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
}
