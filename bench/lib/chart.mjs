// Charts of the report, drawn by Vega-Lite (compiled to Vega, rendered headless to SVG in Node).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPeer } from './peers.mjs';

const WIDTH = 560;

/** Latency percentiles per contender: one line each, log-scaled milliseconds. */
function percentilesSpec(chart) {
  const values = chart.series.flatMap((s) =>
    s.points
      .filter((pt) => pt.ms != null)
      .map((pt) => ({ contender: s.name, percentile: `p${pt.p}`, ms: Math.max(pt.ms, 0.001) })),
  );
  const order = [...new Set(values.map((v) => v.percentile))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chart.title,
    width: WIDTH,
    height: 300,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'percentile', type: 'ordinal', sort: order, title: 'percentile', axis: { labelAngle: 0 } },
      y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms)' },
      color: {
        field: 'contender',
        type: 'nominal',
        legend: { orient: 'bottom', columns: 1, labelLimit: 600 },
      },
    },
  };
}

/** Histograms of latency samples, one panel per series, each binned over its own range. */
function histogramSpec(chart) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chart.title,
    vconcat: chart.series.map((s, i) => ({
      title: { text: s.name, fontSize: 12, anchor: 'start' },
      width: WIDTH,
      height: 110,
      data: { values: s.samples.map((ms) => ({ ms })) },
      mark: { type: 'bar', color: COLORS[i % COLORS.length] },
      encoding: {
        x: { field: 'ms', type: 'quantitative', bin: { maxbins: 40 }, title: 'latency (ms)' },
        y: { aggregate: 'count', type: 'quantitative', title: 'samples' },
      },
    })),
  };
}

const COLORS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b'];
const SPECS = { percentiles: percentilesSpec, histogram: histogramSpec };

/** Render every chart to `<dir>/<id>.svg`. Resolves [{ id, title, file } | { id, title, error }]. */
export async function renderCharts(charts, dir) {
  let vega;
  let vl;
  try {
    vega = await importPeer('vega');
    vl = await importPeer('vega-lite');
  } catch (err) {
    return Object.entries(charts).map(([id, c]) => ({
      id,
      title: c.title,
      error: `vega is not installed: ${err.message}`,
    }));
  }
  const out = [];
  for (const [id, chart] of Object.entries(charts)) {
    try {
      const spec = vl.compile(SPECS[chart.kind](chart)).spec;
      const view = new vega.View(vega.parse(spec), { renderer: 'none' });
      const svg = await view.toSVG();
      view.finalize();
      writeFileSync(join(dir, `${id}.svg`), svg);
      out.push({ id, title: chart.title, file: `${id}.svg` });
    } catch (err) {
      out.push({ id, title: chart.title, error: err.message });
    }
  }
  return out;
}
