import Foundation

// Writing safetensors files (always F32), and a module's save and load by file.

extension SafeTensors {

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
