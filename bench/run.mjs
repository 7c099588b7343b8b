// Slipway's benchmarks: each figure measured beside a reference in the same run.
//   npm run bench            every scenario
//   npm run bench -- invoke  one scenario (invoke | cold | ready | reload | events | api | s3)
// Writes bench/results/latest.json and bench/results/latest.md. Never part of `npm test`.
// Loopback only; every load is bounded in time and every process started here is stopped by PID.
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as scenarios from './scenarios.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = ['invoke', 'cold', 'ready', 'reload', 'events', 'api', 's3'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted)
  if (!ALL.includes(name)) {
    console.error(`unknown scenario '${name}'; choose from: ${ALL.join(', ')}`);
    process.exit(2);
  }

const rows = [];
const started = Date.now();
for (const name of wanted.length ? wanted : ALL) {
  process.stderr.write(`\n▶ ${name}\n`);
  try {
    const produced = await scenarios[name]();
    for (const row of produced) {
      rows.push(row);
      process.stderr.write(
        `  ${row.metric}: slipway ${fmt(row.slipway)} ${row.unit}` +
          (row.peer ? ` | ${row.peer} ${fmt(row.peerValue)} | ratio ${fmt(row.ratio)}` : '') +
          '\n',
      );
    }
  } catch (err) {
    process.stderr.write(`  ✗ ${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    rows.push({
      scenario: name,
      metric: 'error',
      unit: '',
      slipway: null,
      peer: null,
      peerValue: null,
      ratio: null,
      note: String(err),
    });
  }
}

function fmt(n) {
  if (n === null || n === undefined) return '–';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: process.platform,
};
const report = {
  machine,
  date: new Date().toISOString(),
  durationS: Math.round((Date.now() - started) / 1000),
  results: rows,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/latest.json'), JSON.stringify(report, null, 2) + '\n');
const md = [
  '# Slipway benchmark report',
  '',
  `${report.date} · ${machine.cores} cores (${machine.cpu}) · Node ${machine.node} · ${report.durationS} s`,
  '',
  'Each figure is measured beside its reference in the same run. `ratio` = slipway ÷ peer (for',
  'throughput higher is better; for latency and time lower is better).',
  '',
  '| scenario | metric | unit | slipway | peer | peer value | ratio |',
  '| --- | --- | --- | ---: | --- | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.metric} | ${r.unit} | ${fmt(r.slipway)} | ${r.peer ?? ''} | ${fmt(r.peerValue)} | ${fmt(r.ratio)} |`,
  ),
  '',
];
writeFileSync(join(here, 'results/latest.md'), md.join('\n'));
process.stderr.write(`\nwrote bench/results/latest.json and latest.md\n`);
