// What reading a safetensors file gives: its tensors (Float and integer) and its errors.
// The reader is SafeTensors.swift, the writer SafeTensors+Write.swift.

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
