import Foundation

// The lessons' number formatters, one set for all four, so that the same number reads the same in
// every lesson and every language. Non-finite values print one way everywhere, whatever the C
// library's printf says: "NaN", "inf", "-inf".

/// "NaN", "inf" or "-inf" for a non-finite value, `nil` for a finite one.
func nonFiniteText(_ x: Double) -> String? {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return nil
}

/// Fixed-point with `decimals` decimals: `fixed(0.12345)` is "0.1235".
public func fixed(_ x: Double, _ decimals: Int = 4) -> String {
    nonFiniteText(x) ?? String(format: "%.\(decimals)f", x)
}

/// Fixed-point with `decimals` decimals: `fixed(0.12345)` is "0.1235".
public func fixed(_ x: Float, _ decimals: Int = 4) -> String { fixed(Double(x), decimals) }

/// Scientific notation with 2 decimals, for numbers spanning many orders (gradients):
/// `sci(0.000123)` is "1.23e-04".
public func sci(_ x: Double) -> String {
    nonFiniteText(x) ?? String(format: "%.2e", x)
}

/// Scientific notation with 2 decimals: `sci(0.000123)` is "1.23e-04".
public func sci(_ x: Float) -> String { sci(Double(x)) }

/// `digits` significant digits (printf's `%g`): `significant(0.016561)` is "0.01656".
public func significant(_ x: Double, _ digits: Int = 4) -> String {
    nonFiniteText(x) ?? String(format: "%.\(digits)g", x)
}

/// `digits` significant digits (printf's `%g`): `significant(0.016561)` is "0.01656".
public func significant(_ x: Float, _ digits: Int = 4) -> String { significant(Double(x), digits) }

/// A fraction as a percentage with `decimals` decimals: `percent(0.4545)` is "45.5 %".
public func percent(_ fraction: Double, _ decimals: Int = 1) -> String {
    nonFiniteText(fraction) ?? String(format: "%.\(decimals)f %%", 100 * fraction)
}

/// Thousands separated by commas: `grouped(191873)` is "191,873".
public func grouped(_ n: Int) -> String {
    let digits = Array(String(n.magnitude))
    var out = n < 0 ? "-" : ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
