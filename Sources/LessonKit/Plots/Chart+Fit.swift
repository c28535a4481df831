/// Charts sized to the screen: each kind gives up the room it can spare (plot columns, bar
/// length, columns per bin or per cell) until its widest line fits.
extension LineChart {
    public func fitted(toColumns columns: Int) -> LineChart {
        var chart = self
        // The axis labels take the same room at any width, so one correction usually suffices.
        for _ in 0..<3 {
            let plotRows = chart.text(colour: false).split(separator: "\n")
                .filter { $0.contains("┤") || $0.contains("└") }
            let widest = plotRows.map { displayWidth(String($0)) }.max() ?? 0
            guard widest > columns, chart.width > 4 else { break }
            chart.width = max(4, chart.width - (widest - columns))
        }
        return chart
    }
}

extension BarChart {
    public func fitted(toColumns columns: Int) -> BarChart {
        var chart = self
        let excess = textColumns - columns
        if excess > 0 { chart.width = max(4, width - excess) }
        return chart
    }
}

extension Histogram {
    public func fitted(toColumns columns: Int) -> Histogram {
        var chart = self
        while chart.columnsPerBin > 1 && chart.plotRowsWidth > columns { chart.columnsPerBin -= 1 }
        return chart
    }

    /// The width of the histogram's columns with their axis labels.
    var plotRowsWidth: Int { String(counts.max() ?? 0).count + 2 + counts.count * columnsPerBin }
}

extension HeatMap {
    public func fitted(toColumns columns: Int) -> HeatMap {
        var chart = self
        let labelWidth = (rowLabels ?? values.indices.map(String.init)).map(displayWidth).max() ?? 0
        let columnsOfCells = values.first?.count ?? 0
        while chart.cellWidth > 1 && labelWidth + 3 + columnsOfCells * chart.cellWidth > columns {
            chart.cellWidth -= 1
        }
        return chart
    }
}
