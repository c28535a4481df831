import Testing
@testable import Engine

@Test func squareSumGradient() {
    let x = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
    let y = (x * x).sum()
    #expect(y.item == 30)
    y.backward()
    #expect(x.grad!.scalars == [2, 4, 6, 8])
}
