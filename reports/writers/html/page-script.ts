/**
 * The one script of the page beside uPlot itself: it reads the plot specs from the JSON block and
 * hands them to uPlot. It is plain ES2017 kept as text, because it runs in the browser, not in Node;
 * everything it shows was computed in Node (see plot-spec.ts), so it only maps data to uPlot options.
 *
 * When every plot has drawn once, it sets `data-plots-drawn` on <html> to the number of plots, which
 * the browser test waits for.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('pb-plot-data').textContent);
  var HEIGHT = 280;
  // HDR convention: x = 1/(1-p), so each decade is one more nine (90 %, 99 %, 99.9 % ...).
  var PERCENTILE_SPLITS = [2, 10, 100, 1e3, 1e4, 1e5, 1e6];
  function percentileLabel(x, forLegend) {
    if (x == null) return '';
    if (x <= 1) return 'min';
    var decades = Math.log10(x);
    var digits = forLegend ? Math.max(0, Math.ceil(decades) - 1) : Math.max(0, Math.round(decades) - 2);
    return (100 * (1 - 1 / x)).toFixed(digits) + ' %';
  }
  function figure(v) {
    if (v == null) return '-';
    var a = Math.abs(v);
    return a >= 100 ? Math.round(v).toLocaleString('en-US') : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
  }
  function xOptions(spec) {
    if (spec.xAxis === 'percentile') {
      return {
        scale: { time: false, distr: 3, log: 10 },
        series: { label: 'percentile', value: function (u, x) { return percentileLabel(x, true); } },
        axis: {
          label: 'percentile (log scale of 1/(1-p))',
          splits: function (u, i, min, max) {
            return PERCENTILE_SPLITS.filter(function (s) { return s >= min && s <= max; });
          },
          values: function (u, splits) { return splits.map(function (s) { return percentileLabel(s, false); }); },
          // uPlot labels only powers of ten on a log axis by default; 50 % sits at x = 2.
          filter: function (u, splits) { return splits; },
        },
      };
    }
    return {
      scale: { time: false },
      series: { label: 'second', value: function (u, x) { return x == null ? '' : figure(x) + ' s'; } },
      axis: {
        label: 'seconds since the measured start',
        values: function (u, splits) { return splits.map(function (s) { return s + ' s'; }); },
      },
    };
  }
  function build(spec, onDrawn) {
    var el = document.getElementById(spec.id);
    var x = xOptions(spec);
    var series = [x.series].concat(spec.lines.map(function (line) {
      return {
        label: line.label,
        stroke: line.color,
        width: line.dashed ? 1.5 : 2,
        dash: line.dashed ? [8, 5] : undefined,
        paths: line.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
        points: { show: false },
        value: function (u, v) { return figure(v); },
      };
    }));
    var drawn = false;
    var opts = {
      width: Math.max(300, el.clientWidth),
      height: HEIGHT,
      series: series,
      scales: { x: x.scale, y: spec.yLog ? { distr: 3, log: 10 } : { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [x.axis, { label: spec.yLabel, size: 64 }],
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [function () { if (!drawn) { drawn = true; onDrawn(); } }] },
    };
    return { el: el, plot: new uPlot(opts, spec.data, el) };
  }
  var remaining = specs.length;
  function onDrawn() {
    remaining -= 1;
    if (remaining === 0) document.documentElement.setAttribute('data-plots-drawn', String(specs.length));
  }
  if (specs.length === 0) document.documentElement.setAttribute('data-plots-drawn', '0');
  var built = specs.map(function (spec) { return build(spec, onDrawn); });
  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      built.forEach(function (b) { b.plot.setSize({ width: Math.max(300, b.el.clientWidth), height: HEIGHT }); });
    });
  });
})();`;
