import Testing
import TestSupport
import Engine

// Golden outputs for the PyTorch-style tensor printer (Sources/Engine/Tensor/Tensor+Description.swift).

@Test func rowVectorPrintsLikePyTorchWithShape() {
    #expect(Tensor(rows: [[0.1, 0.2]]).description == "tensor([[0.1000, 0.2000]], shape: [1, 2])")
}

@Test func scalarPrintsWithoutBrackets() {
    #expect(Tensor(scalar: 1.5).description == "tensor(1.5000, shape: [])")
    #expect(Tensor(scalar: -2).description(precision: 2) == "tensor(-2.00, shape: [])")
}

@Test func columnsArePaddedToTheWidestNumber() {
    expectGolden(Tensor(rows: [[0.1, -0.2], [3, 4]]).description, """
        tensor([[ 0.1000, -0.2000],
                [ 3.0000,  4.0000]], shape: [2, 2])
        """)
    expectGolden(Tensor(rows: [[1, 22.5], [-333, 0]]).description(precision: 1), """
        tensor([[   1.0,   22.5],
                [-333.0,    0.0]], shape: [2, 2])
        """)
}

@Test func precisionChangesTheDecimals() {
    #expect(Tensor([0.123456, 2], shape: [2]).description(precision: 2) == "tensor([0.12, 2.00], shape: [2])")
    #expect(Tensor([0.7], shape: [1]).description(precision: 0) == "tensor([1], shape: [1])")
}

@Test func tinyOrWideRangingValuesSwitchToScientific() {
    // PyTorch's rule: smallest non-zero magnitude < 1e-4, or largest/smallest > 1000, or largest > 1e8.
    #expect(Tensor([1e-5, 1, 2], shape: [3]).description == "tensor([1.0000e-05, 1.0000e+00, 2.0000e+00], shape: [3])")
    #expect(Tensor([0.001, 2], shape: [2]).description == "tensor([1.0000e-03, 2.0000e+00], shape: [2])")
    #expect(Tensor([0.01, 2], shape: [2]).description == "tensor([0.0100, 2.0000], shape: [2])")
    #expect(Tensor([0, 0], shape: [2]).description == "tensor([0.0000, 0.0000], shape: [2])")
}

@Test func threeDimensionsSeparateMatricesWithABlankLine() {
    expectGolden(Tensor((0..<12).map(Float.init), shape: [2, 2, 3]).description(precision: 1), """
        tensor([[[ 0.0,  1.0,  2.0],
                 [ 3.0,  4.0,  5.0]],

                [[ 6.0,  7.0,  8.0],
                 [ 9.0, 10.0, 11.0]]], shape: [2, 2, 3])
        """)
}

@Test func longRowsWrapAtEightyColumns() {
    expectGolden(Tensor((0..<20).map { Float($0) / 3 }, shape: [20]).description, """
        tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,
                3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,
                6.0000, 6.3333], shape: [20])
        """)
}

@Test func moreThanAThousandElementsAreSummarised() {
    // 1-D: the first 3 and last 3, " ..." counted as an element when wrapping (as in PyTorch).
    expectGolden(Tensor((0..<2000).map(Float.init), shape: [2000]).description, """
        tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
                1.9990e+03], shape: [2000])
        """)
    // 2-D: rows and columns both cut; values in fixed notation (range within a factor of 1000).
    let m = Tensor((0..<1100).map { 1 + Float($0 % 7) / 10 }, shape: [100, 11])
    expectGolden(m.description(precision: 1), """
        tensor([[1.0, 1.1, 1.2,  ..., 1.1, 1.2, 1.3],
                [1.4, 1.5, 1.6,  ..., 1.5, 1.6, 1.0],
                [1.1, 1.2, 1.3,  ..., 1.2, 1.3, 1.4],
                ...,
                [1.3, 1.4, 1.5,  ..., 1.4, 1.5, 1.6],
                [1.0, 1.1, 1.2,  ..., 1.1, 1.2, 1.3],
                [1.4, 1.5, 1.6,  ..., 1.5, 1.6, 1.0]], shape: [100, 11])
        """)
    // Exactly 1000 elements: not summarised.
    #expect(!Tensor([Float](repeating: 1, count: 1000), shape: [1000]).description.contains("..."))
}

@Test func emptyAndNonFiniteTensors() {
    #expect(Tensor([], shape: [0, 3]).description == "tensor([], shape: [0, 3])")
    #expect(Tensor([.nan, .infinity, -1], shape: [3]).description(precision: 2)
            == "tensor([  nan,   inf, -1.00], shape: [3])")
    #expect(Tensor([-.infinity], shape: [1]).description == "tensor([-inf], shape: [1])")
}
