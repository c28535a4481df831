// Fuzzing the readers of user files: good CSV files, safetensors files and checkpoints, damaged by
// seeded mutations (a byte flipped, the file cut short, bytes inserted, a range duplicated), must
// each end in one of two ways: a typed error (`CSVError`, `SafeTensorsError`, `CheckpointError`),
// or a load whose result is consistent. Any trap kills the test run, so zero traps is the run
// finishing. The seeds are fixed: a failure names its case, and the case can be replayed.
import Foundation
import Testing
@testable import Engine

/// Seeded damage to a file's bytes.
struct Mutator {
    var generator: Generator
    /// Bytes worth inserting: the characters the formats give meaning to, and extremes.
    let interesting: [UInt8]

    init(seed: UInt64, interesting: String) {
        generator = Generator(seed: seed)
        self.interesting = Array(interesting.utf8) + [0x00, 0xFF, 0x80, 0xEF, 0xBB, 0xBF]
    }

    /// A byte to write: three times in four one of the interesting ones, else any byte.
    mutating func byte() -> UInt8 {
        generator.nextInt(below: 4) != 0 ? interesting[generator.nextInt(below: interesting.count)]
                                         : UInt8(truncatingIfNeeded: generator.next())
    }

    /// One to three mutations of `bytes`, and their names (e.g. "flip@17 truncate@40").
    mutating func mutate(_ original: [UInt8]) -> (bytes: [UInt8], what: String) {
        var bytes = original
        var what: [String] = []
        for _ in 0...generator.nextInt(below: 3) {
            let at = generator.nextInt(below: bytes.count + 1)
            switch generator.nextInt(below: 4) {
            case 0 where !bytes.isEmpty:
                let i = Swift.min(at, bytes.count - 1)
                // Half the time one bit flipped, half the time the byte replaced.
                if generator.nextInt(below: 2) == 0 {
                    bytes[i] ^= 1 << UInt8(generator.nextInt(below: 8))
                } else {
                    bytes[i] = byte()
                }
                what.append("flip@\(i)")
            case 1:
                bytes.removeSubrange(at...)
                what.append("truncate@\(at)")
            case 2:
                let count = 1 + generator.nextInt(below: 8)
                bytes.insert(contentsOf: (0..<count).map { _ in byte() }, at: at)
                what.append("insert\(count)@\(at)")
            default:
                let start = generator.nextInt(below: bytes.count + 1)
                let end = Swift.min(bytes.count, start + generator.nextInt(below: 64))
                bytes.insert(contentsOf: Array(bytes[start..<end]), at: at)
                what.append("duplicate[\(start),\(end))@\(at)")
            }
        }
        return (bytes, what.joined(separator: " "))
    }
}

@Suite struct ReaderFuzzTests {
    static let csvFiles = [
        "area,\"name, quoted\",price\n120,1,300.5\n85.5,,210\n\"64\",3,NA\n200,4,510\n",
        "\u{FEFF}a;b;y\n1;2;3\n4;?;7\n\"5\";6;8\n9;10;null\n",
        "x\ty\tz\n1\t2\t3\n4\t5\t6\n7\tN/A\t9\r\n10\t11\t12\r\n",
        "\"multi\nline\"|y\n1|2\n3|4\n5|6\n",
    ]

    @Test func mutatedCSVFilesGiveATypedErrorOrAConsistentTable() throws {
        var mutator = Mutator(seed: 12, interesting: ",;\t|\"\n\r 0123456789.-eNA?x")
        var loaded = 0, rejected: [String: Int] = [:]
        for trial in 0..<1_200 {
            let base = Array(Self.csvFiles[trial % Self.csvFiles.count].utf8)
            let (bytes, what) = mutator.mutate(base)
            let name = "fuzz-\(trial).csv"
            do {
                // Target: the last column (nil), or a fixed name half the time.
                let data = try parseCSV(bytes: bytes, file: name, target: trial % 2 == 0 ? nil : "y")
                let rows = data.rowLines.count
                #expect(data.features.shape == [rows, data.featureNames.count] && data.target.shape == [rows, 1],
                        "\(name): \(what)")
                #expect(data.features.scalars.allSatisfy { $0.isFinite || $0.isNaN }, "\(name): \(what)")
                #expect(data.target.scalars.allSatisfy { $0.isFinite || $0.isNaN }, "\(name): \(what)")
                #expect(!data.featureNames.isEmpty && data.labelledRows >= 2, "\(name): \(what)")
                #expect(data.missingTokens.map(\.count).reduce(0, +)
                        == (data.features.scalars + data.target.scalars).filter(\.isNaN).count, "\(name): \(what)")
                loaded += 1
            } catch let error as CSVError {
                #expect(error.file == name && error.description.hasPrefix(name), "\(name): \(what)")
                rejected[error.code, default: 0] += 1
            }
        }
        #expect(loaded + rejected.values.reduce(0, +) == 1_200)
        #expect(loaded > 100 && rejected.count >= 6, "loaded \(loaded), rejected \(rejected)")
    }

    @Test func mutatedSafeTensorsFilesGiveATypedErrorOrConsistentTensors() throws {
        var g = Generator(seed: 5)
        let tensors: [(name: String, tensor: Tensor)] = [
            ("encoder.weight", Tensor.randn([3, 4], generator: &g)), ("encoder.bias", Tensor([1, 2, 3])),
            ("norm.weight", Tensor.randn([2, 2, 2], generator: &g)), ("empty", Tensor([Float](), shape: [0, 3])),
        ]
        let base = try SafeTensors.encode(tensors, metadata: ["format": "pt", "note": "fuzz"])
        var mutator = Mutator(seed: 13, interesting: "{}[]\":,0123456789-eE F32F16BF16dtypeshapedata_offsets")
        var loaded = 0, rejected: [String: Int] = [:]
        for trial in 0..<1_200 {
            let (bytes, what) = mutator.mutate(base)
            let name = "fuzz-\(trial).safetensors"
            do {
                let file = try SafeTensors.decode(bytes, fileName: name)
                for (_, t) in file.tensors {
                    #expect(t.count == t.shape.reduce(1, *) && t.scalars.count == t.count, "\(name): \(what)")
                }
                loaded += 1
            } catch let error as SafeTensorsError {
                #expect(error.file == name, "\(name): \(what)")
                rejected[error.kind.rawValue, default: 0] += 1
            }
        }
        #expect(loaded + rejected.values.reduce(0, +) == 1_200)
        #expect(loaded > 20 && rejected.count >= 6, "loaded \(loaded), rejected \(rejected)")
    }

    /// A small trained run to load checkpoints into.
    static func run(_ weights: [Float],
                    steps: Int) -> (model: FuzzModule, optimizer: AdamW, scheduler: ReduceLROnPlateau) {
        let model = FuzzModule()
        model.weight.scalars = weights
        let optimizer = AdamW(model.parameters(), learningRate: 0.01)
        let scheduler = ReduceLROnPlateau(optimizer, patience: 1)
        for k in 0..<steps {
            model.weight.grad = Tensor([Float(k) + 1, -2, 0.5])
            optimizer.step()
            scheduler.step(Double(k % 2) + 1)
        }
        return (model, optimizer, scheduler)
    }

    static func bits(_ r: (model: FuzzModule, optimizer: AdamW, scheduler: ReduceLROnPlateau)) -> [String] {
        let state = r.optimizer.stateDict()
        return [r.model.weight.scalars.map(\.bitPattern).description]
            + state.tensors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.scalars.map(\.bitPattern))" }
            + state.numbers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.bitPattern)" }
            + r.scheduler.stateDict().sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.bitPattern)" }
    }

    @Test func mutatedCheckpointsGiveATypedErrorAndChangeNothingOrLoadWhatTheySay() throws {
        let source = Self.run([0.5, -1.5, 2], steps: 3)
        let base = try Checkpoint.encode(model: source.model, optimizer: source.optimizer, scheduler: source.scheduler,
                                         epoch: 3, generators: ["default": Generator(seed: 9)],
                                         extra: ["note": "fuzz"], file: "base")
        let baseFile = try SafeTensors.decode(base)
        let oddNumbers = ["nan", "inf", "-inf", "-1", "1e300", "2.5", "", "abc", "9223372036854775808", "-0", "1e-320"]
        var mutator = Mutator(seed: 14, interesting: "{}[]\":,0123456789-.eEinfnaN ")
        var picker = Generator(seed: 15)
        var loaded = 0, rejected: [String: Int] = [:]
        let total = 1_400
        for trial in 0..<total {
            // 1,000 byte mutations, then 400 odd values written into one metadata entry each.
            let bytes: [UInt8], what: String
            if trial < 1_000 {
                (bytes, what) = mutator.mutate(base)
            } else {
                var metadata = baseFile.metadata
                let keys = metadata.keys.sorted()
                let key = keys[picker.nextInt(below: keys.count)]
                let value = oddNumbers[picker.nextInt(below: oddNumbers.count)]
                metadata[key] = value
                bytes = try SafeTensors.encode(baseFile.tensors, metadata: metadata)
                what = "\(key) = '\(value)'"
            }
            let name = "fuzz-\(trial).ckpt"
            let target = Self.run([7, 8, 9], steps: 2)
            let before = Self.bits(target)
            do {
                let info = try Checkpoint.load(bytes: bytes, file: name, model: target.model,
                                               optimizer: target.optimizer, scheduler: target.scheduler)
                // Loaded: the model holds the file's weights, and every number is usable.
                let file = try SafeTensors.decode(bytes)
                let loadedBits = target.model.weight.scalars.map(\.bitPattern)
                #expect(loadedBits == file["model.weight"]?.scalars.map(\.bitPattern), "\(name): \(what)")
                #expect(info.epoch >= 0 && target.optimizer.stepCount >= 0, "\(name): \(what)")
                let rate = target.optimizer.learningRate
                #expect(rate.isFinite && rate >= 0, "\(name): \(what)")
                #expect(!target.scheduler.best.isNaN && target.scheduler.numBadEpochs >= 0, "\(name): \(what)")
                loaded += 1
            } catch let error as CheckpointError {
                #expect(error.file == name, "\(name): \(what)")
                #expect(Self.bits(target) == before, "\(name): \(what) changed the target: \(error)")
                rejected[error.code, default: 0] += 1
            }
        }
        #expect(loaded + rejected.values.reduce(0, +) == total)
        #expect(loaded > 50 && rejected.count >= 6, "loaded \(loaded), rejected \(rejected)")
    }
}

/// A three-weight module for the checkpoint fuzz.
final class FuzzModule: Module {
    var training = true
    let weight = Tensor([0, 0, 0], requiresGrad: true)
    var ownParameters: [NamedTensor] { [("weight", weight)] }
    var ownBuffers: [NamedTensor] { [] }
    var children: [NamedModule] { [] }
}
