import Foundation

/// The report's step-through of a training run (`TrainingRecord`): a slider, Step and Play buttons,
/// and the charts redrawn for the chosen frame by a small inline script.
///
/// Without scripts (or before the script runs) the section shows static charts of the whole run,
/// drawn by the same Swift code as every other chart; the script hides them and shows the scrubber.
/// Everything is inline: it works from `file://`, offline, with no network.
///
/// Opening the page with `#selftest` at the end of its address makes the script step through every
/// frame of every record, press Play, check what it drew, and write the outcome into the page
/// (`<div id="selftest-result" data-selftest="pass">`) and its title (`SELFTEST PASS …`), which
/// `scripts/check_reports.sh` reads from headless Chromium.
enum StepThroughPage {
    /// The section for one record; `index` makes its ids unique on the page.
    static func section(_ record: TrainingRecord, index: Int, language: Language) -> String {
        let e = SVG.escape
        let n = record.frames.count
        var out = "<section class=\"training\" id=\"training-\(index)\" data-frames=\"\(n)\">\n"
        out += "<h3>\(e(record.title))</h3>\n<div class=\"static\">\n"
        for chart in staticCharts(record, language: language) { out += "<figure>\(chart)</figure>\n" }
        out += "</div>\n"
        out += "<div class=\"scrubber\" hidden>\n<div class=\"controls\">" +
            "<button type=\"button\" class=\"back\">◀</button>" +
            "<button type=\"button\" class=\"play\">\(e(Words.play(language)))</button>" +
            "<button type=\"button\" class=\"step\">\(e(Words.step(language))) ▶</button>" +
            "<input type=\"range\" min=\"0\" max=\"\(max(0, n - 1))\" value=\"\(max(0, n - 1))\" " +
            "aria-label=\"\(e(record.xLabel))\"><span class=\"frame\"></span></div>\n" +
            "<div class=\"panels\"><div class=\"p-loss\"></div><div class=\"p-lr\"></div>" +
            "<div class=\"p-grad\"></div><div class=\"p-hist\"></div><div class=\"p-attn\"></div></div>\n</div>\n"
        // The chart words in the page's language, read by the script: data-words="train|valid|…".
        let words = [Words.train, Words.valid, Words.loss, Words.learningRate, Words.gradients, Words.weights,
                     Words.attention].map { $0(language) }.joined(separator: "|")
        out += "<script type=\"application/json\" class=\"training-data\" data-words=\"\(e(words))\">" +
            "\(record.json())</script>\n"
        return out + "</section>"
    }

    /// The whole run as ordinary charts: the fallback without scripts.
    static func staticCharts(_ record: TrainingRecord, language: Language) -> [String] {
        let frames = record.frames
        guard !frames.isEmpty else { return [] }
        let xs = frames.map(\.x)
        var charts: [String] = []
        var series = [LineChart.Series(Words.train(language), frames.map(\.loss), x: xs)]
        let valid = frames.compactMap(\.validationLoss)
        if valid.count == frames.count { series.append(.init(Words.valid(language), valid, x: xs)) }
        var loss = LineChart(title: Words.loss(language), series: series, xLabel: record.xLabel)
        loss.language = language
        charts.append(loss.svg())
        let rates = frames.compactMap(\.learningRate)
        if rates.count == frames.count {
            var lr = LineChart(title: Words.learningRate(language), series: [.init("lr", rates, x: xs)],
                               xLabel: record.xLabel)
            lr.language = language
            charts.append(lr.svg())
        }
        guard let last = frames.last else { return charts }
        if !last.gradientNorms.isEmpty {
            var bars = BarChart(title: Words.gradients(language), bars: Array(zip(record.layers, last.gradientNorms)))
            bars.language = language
            charts.append(bars.svg())
        }
        for (name, h) in zip(record.layers, last.weights) {
            charts.append(Histogram(title: "\(Words.weights(language)) · \(name)", counts: h).svg())
        }
        if let attention = last.attention {
            charts.append(HeatMap(title: Words.attention(language), rows: attention).svg())
        }
        return charts
    }

    enum Words {
        static let play = Localized(en: "Play", zh: "播放")
        static let step = Localized(en: "Step", zh: "单步")
        static let train = Localized(en: "train", zh: "训练")
        static let valid = Localized(en: "valid", zh: "验证")
        static let loss = Localized(en: "Loss", zh: "损失")
        static let learningRate = Localized(en: "Learning rate", zh: "学习率")
        static let gradients = Localized(en: "Gradient norm per layer", zh: "各层梯度范数")
        static let weights = Localized(en: "Weights", zh: "权重")
        static let attention = Localized(en: "Attention map", zh: "注意力图")
    }

    static let style = """
        section.training{border:1px solid #ddd;padding:8px 14px;margin:1.5em 0}
        .controls{display:flex;gap:8px;align-items:center;margin:.5em 0}.controls input{flex:1}
        .controls .frame{min-width:9em;font-variant-numeric:tabular-nums}
        .panels{display:grid;grid-template-columns:1fr 1fr;gap:8px}.panels svg{width:100%;height:auto}
        .panels .p-hist{grid-column:1/-1;display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:8px}
        .panels .p-attn svg{max-width:300px}
        #selftest-result{font:14px monospace;padding:6px;background:#efe}
        #selftest-result[data-selftest=fail]{background:#fee}
        """

    /// The page's one script (plain ES5, no libraries): builds each scrubber, and the self-test.
    static let script = #"""
        (function () {
          'use strict';
          function fmt(v) {
            if (v === null || !isFinite(v)) return 'n/a';
            var a = Math.abs(v);
            return (a !== 0 && (a < 1e-3 || a >= 1e4)) ? v.toExponential(1) : String(+v.toPrecision(4));
          }
          function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;'); }
          // Round ticks: multiples of 1, 2 or 5 x 10^k, as the Swift charts choose them.
          function ticks(lo, hi, n) {
            var rough = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(rough)));
            var step = [1, 2, 5, 10].map(function (m) { return m * mag; })
              .filter(function (s) { return s >= rough; })[0];
            var out = [];
            for (var k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(k * step);
            return out;
          }
          function open(w, h, title) {
            return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + w + ' ' + h + '"' +
              ' font-family="sans-serif"' +
              ' font-size="11"><rect width="' + w + '" height="' + h + '" fill="#fff"/><text x="' + w / 2 +
              '" y="14" text-anchor="middle" font-weight="bold" font-size="12">' + esc(title) + '</text>';
          }
          var colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#17becf'];
          // Curves over the whole run's axes, drawn up to frame `upto`.
          function lines(title, xs, series, upto, xLabel) {
            var W = 320, H = 200, L = 46, R = 8, T = 36, B = 28, all = [];
            series.forEach(function (s) { s.v.forEach(function (v) { if (v !== null && isFinite(v)) all.push(v); }); });
            if (!all.length) return open(W, H, title) + '</svg>';
            var pos = all.filter(function (v) { return v > 0; });
            var log = pos.length === all.length && Math.max.apply(null, pos) / Math.min.apply(null, pos) >= 100;
            var f = log ? Math.log10 : function (v) { return v; };
            var lo = Math.min.apply(null, all.map(f)), hi = Math.max.apply(null, all.map(f));
            if (hi === lo) { lo -= 1; hi += 1; }
            var x0 = xs[0], x1 = xs[xs.length - 1] === x0 ? x0 + 1 : xs[xs.length - 1];
            function px(x) { return L + (x - x0) / (x1 - x0) * (W - L - R); }
            function py(v) { return T + (hi - f(v)) / (hi - lo) * (H - T - B); }
            var out = open(W, H, title + (log ? ' (log)' : ''));
            series.forEach(function (s, k) {                  // the legend, above the plot
              out += '<line x1="' + (L + k * 90) + '" y1="24" x2="' + (L + k * 90 + 14) + '" y2="24" stroke="' +
                colours[k] + '" stroke-width="2"/><text x="' + (L + k * 90 + 18) + '" y="28">' + esc(s.name) +
                '</text>';
            });
            var yt = log ? ticks(lo, hi, 4).filter(function (t) { return t === Math.round(t); }) : ticks(lo, hi, 4);
            yt.forEach(function (t) {
              var y = T + (hi - t) / (hi - lo) * (H - T - B);
              out += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y + '" y2="' + y + '" stroke="#eee"/>' +
                '<text x="' + (L - 4) + '" y="' + (y + 4) + '" text-anchor="end">' +
                fmt(log ? Math.pow(10, t) : t) + '</text>';
            });
            ticks(x0, x1, 4).forEach(function (t) {
              out += '<text x="' + px(t) + '" y="' + (H - 12) + '" text-anchor="middle">' + fmt(t) + '</text>';
            });
            out += '<text x="' + (W - R) + '" y="' + (H - 2) + '" text-anchor="end">' + esc(xLabel) + '</text>';
            series.forEach(function (s, k) {
              var pts = [];
              for (var i = 0; i <= upto; i++) {
                var v = s.v[i];
                if (v !== null && isFinite(v) && (!log || v > 0)) {
                  pts.push(px(xs[i]).toFixed(1) + ',' + py(v).toFixed(1));
                }
              }
              out += '<polyline class="series" fill="none" stroke="' + colours[k] + '" stroke-width="2" points="' +
                pts.join(' ') + '"/>';
            });
            return out + '<line x1="' + px(xs[upto]) + '" x2="' + px(xs[upto]) + '" y1="' + T + '" y2="' + (H - B) +
              '" stroke="#999" stroke-dasharray="3 3"/></svg>';
          }
          // One bar per layer on a log scale (gradient norms span decades), the range fixed over the run.
          function bars(title, names, values, lo, hi) {
            var W = 320, rowH = 16, L = 90, H = 40 + rowH * names.length;
            var out = open(W, H, title + ' (log)'), span = Math.max(1, hi - lo);
            names.forEach(function (n, i) {
              var v = values[i], y = 24 + i * rowH, len = 0;
              if (v !== null && isFinite(v) && v > 0) len = Math.max(1, (Math.log10(v) - lo) / span * (W - L - 60));
              out += '<text x="' + (L - 4) + '" y="' + (y + 11) + '" text-anchor="end">' + esc(n) + '</text>' +
                '<rect class="bar" x="' + L + '" y="' + (y + 2) + '" width="' + len.toFixed(1) +
                '" height="' + (rowH - 4) + '" fill="' + colours[0] + '"/><text x="' + (L + len + 4) +
                '" y="' + (y + 11) + '">' + fmt(v) + '</text>';
            });
            return out + '</svg>';
          }
          function histogram(title, h) {
            var W = 320, H = 150, L = 10, T = 22, B = 22, n = h.counts.length;
            var top = Math.max.apply(null, h.counts.concat([1]));
            var out = open(W, H, title), bw = (W - 2 * L) / n;
            h.counts.forEach(function (c, i) {
              var bh = c / top * (H - T - B);
              out += '<rect x="' + (L + i * bw).toFixed(1) + '" y="' + (H - B - bh).toFixed(1) + '" width="' +
                Math.max(0.5, bw - 1).toFixed(1) + '" height="' + bh.toFixed(1) + '" fill="' + colours[2] + '"/>';
            });
            return out + '<text x="' + L + '" y="' + (H - 6) + '">' + fmt(h.low) + '</text>' +
              '<text x="' + (W - L) + '" y="' +
              (H - 6) + '" text-anchor="end">' + fmt(h.high) + '</text></svg>';
          }
          function heat(title, m) {
            var rows = m.length, cols = m[0].length;
            var cell = Math.max(3, Math.min(24, Math.floor(260 / Math.max(rows, cols))));
            var W = Math.max(220, cols * cell + 20), H = 30 + rows * cell + 6, flat = [].concat.apply([], m);
            var fin = flat.filter(function (v) { return v !== null && isFinite(v); });
            var lo = Math.min.apply(null, fin), hi = Math.max.apply(null, fin), out = open(W, H, title);
            m.forEach(function (row, r) {
              row.forEach(function (v, c) {
                var t = (v === null || hi === lo) ? 0 : (v - lo) / (hi - lo);
                var g = Math.round(255 - t * 200);
                out += '<rect x="' + (10 + c * cell) + '" y="' + (26 + r * cell) + '" width="' + cell +
                  '" height="' + cell +
                  '" fill="' + (v === null ? '#ccc' : 'rgb(' + g + ',' + g + ',255)') + '"/>';
              });
            });
            return out + '</svg>';
          }
          function setup(section) {
            var source = section.querySelector('script.training-data'), data = JSON.parse(source.textContent);
            var word = (source.getAttribute('data-words') || '').split('|');
            var frames = data.frames, n = frames.length, xs = frames.map(function (f) { return f.x; });
            var ui = section.querySelector('.scrubber'), slider = ui.querySelector('input');
            var label = ui.querySelector('.frame'), timer = null;
            var play = ui.querySelector('.play'), step = ui.querySelector('.step'), back = ui.querySelector('.back');
            if (!n) return null;
            section.querySelector('.static').hidden = true;
            ui.hidden = false;
            var grads = [].concat.apply([], frames.map(function (f) { return f.grad; }))
              .filter(function (v) { return v !== null && v > 0; }).map(Math.log10);
            var glo = Math.floor(Math.min.apply(null, grads.concat([0])));
            var ghi = Math.ceil(Math.max.apply(null, grads.concat([0])));
            function panel(cls, html) { ui.querySelector('.' + cls).innerHTML = html; }
            function render(i) {
              var f = frames[i], series = [{ name: word[0], v: frames.map(function (g) { return g.loss; }) }];
              if (frames.every(function (g) { return g.valid !== null; })) {
                series.push({ name: word[1], v: frames.map(function (g) { return g.valid; }) });
              }
              panel('p-loss', lines(word[2], xs, series, i, data.xLabel));
              panel('p-lr', f.lr === null ? '' :
                lines(word[3], xs, [{ name: 'lr', v: frames.map(function (g) { return g.lr; }) }], i,
                      data.xLabel));
              panel('p-grad', f.grad.length ? bars(word[4], data.layers, f.grad, glo, ghi) : '');
              panel('p-hist', f.hist.map(function (h, k) {
                return histogram(word[5] + ' · ' + data.layers[k], h);
              }).join(''));
              panel('p-attn', f.attn ? heat(word[6], f.attn) : '');
              label.textContent = data.xLabel + ' ' + fmt(f.x) + ' (' + (i + 1) + '/' + n + ')';
            }
            function go(i) { slider.value = String(Math.max(0, Math.min(n - 1, i))); render(+slider.value); }
            function stop() { if (timer) { clearInterval(timer); timer = null; } }
            slider.addEventListener('input', function () { stop(); render(+slider.value); });
            step.addEventListener('click', function () { stop(); go(+slider.value + 1); });
            back.addEventListener('click', function () { stop(); go(+slider.value - 1); });
            play.addEventListener('click', function () {
              if (timer) { stop(); return; }
              if (+slider.value >= n - 1) go(0);
              timer = setInterval(function () { if (+slider.value >= n - 1) stop(); else go(+slider.value + 1); }, 150);
            });
            go(n - 1);
            return { section: section, data: data, n: n, slider: slider, step: step, play: play,
                     playing: function () { return timer !== null; } };
          }
          var scrubbers = [].slice.call(document.querySelectorAll('section.training')).map(setup)
            .filter(function (s) { return s; });
          function selftest() {
            var problems = [], frames = 0;
            scrubbers.forEach(function (s, k) {
              s.slider.value = '0';
              s.slider.dispatchEvent(new Event('input'));
              for (var i = 0; i < s.n; i++) {
                if (i > 0) s.step.click();
                frames++;
                var where = 'record ' + k + ' frame ' + i + ': ';
                if (+s.slider.value !== i) problems.push(where + 'Step gave frame ' + s.slider.value);
                var line = s.section.querySelector('.p-loss polyline.series');
                var points = line ? line.getAttribute('points').trim().split(/\s+/).filter(Boolean).length : -1;
                var finite = s.data.frames.slice(0, i + 1).filter(function (f) { return f.loss !== null; }).length;
                if (points !== finite) problems.push(where + points + ' points, not ' + finite);
                // One bar per layer, drawn exactly when its norm is a positive number.
                var grad = s.data.frames[i].grad, bars = s.section.querySelectorAll('.p-grad rect.bar');
                if (grad.length && (grad.length !== s.data.layers.length || bars.length !== grad.length)) {
                  problems.push(where + bars.length + ' bars, ' + grad.length + ' norms');
                }
                [].slice.call(bars).forEach(function (bar, b) {
                  var drawn = +bar.getAttribute('width') > 0, positive = grad[b] !== null && grad[b] > 0;
                  if (drawn !== positive) problems.push(where + 'bar ' + b + ' is wrong');
                });
              }
            });
            // Every chart's title inside its drawing, and no NaN or undefined in any attribute.
            [].slice.call(document.querySelectorAll('svg')).forEach(function (svg, k) {
              var box = svg.viewBox.baseVal, title = svg.querySelector('text');
              if (title && box && box.width) {
                var b = title.getBBox();
                if (b.x < -1 || b.x + b.width > box.width + 1) problems.push('svg ' + k + ': title outside');
              }
              [].slice.call(svg.querySelectorAll('*')).forEach(function (el) {
                [].slice.call(el.attributes).forEach(function (a) {
                  if (/NaN|undefined|Infinity/.test(a.value)) problems.push('svg ' + k + ': ' + a.name + '=' + a.value);
                });
              });
            });
            function report() {
              var ok = problems.length === 0, div = document.createElement('div');
              div.id = 'selftest-result';
              div.setAttribute('data-selftest', ok ? 'pass' : 'fail');
              div.textContent = 'SELFTEST ' + (ok ? 'PASS' : 'FAIL') + ': ' + scrubbers.length + ' records, ' + frames +
                ' frames, ' + document.querySelectorAll('svg').length + ' charts' +
                (ok ? '' : ': ' + problems.slice(0, 5).join('; '));
              document.body.insertBefore(div, document.body.firstChild);
              document.title = div.textContent;
            }
            // Play runs from the first frame to the last by itself.
            var s = scrubbers[0];
            if (!s || s.n < 2) { report(); return; }
            s.play.click();
            var waited = 0, poll = setInterval(function () {
              waited += 100;
              if (!s.playing() || waited > 60000) {
                clearInterval(poll);
                if (+s.slider.value !== s.n - 1) problems.push('Play stopped at frame ' + s.slider.value);
                report();
              }
            }, 100);
          }
          if (location.hash === '#selftest') selftest();
        })();
        """#
}

extension Histogram {
    /// A histogram of counts already binned (a `TrainingRecord` keeps its weights this way).
    init(title: String, counts bins: TrainingRecord.Counts) {
        self.init(title: title, values: [Double](), bins: max(1, bins.counts.count))
        counts = bins.counts
        let n = Double(bins.counts.count)
        edges = (0...bins.counts.count).map { bins.low + (bins.high - bins.low) * Double($0) / n }
        nonFinite = bins.nonFinite
    }
}
