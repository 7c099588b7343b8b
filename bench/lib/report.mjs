// The report: latest.json (machine + one row per figure and peer) and latest.md (the same figures
// in tables, the targets beside them, the charts).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTargets } from '../targets.mjs';
import { renderCharts } from './chart.mjs';
import { higherIsBetter } from './stats.mjs';

export function fmt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (typeof n !== 'number') return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1000) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  if (Math.abs(n) >= 1 || n === 0) return n.toFixed(2);
  return n.toFixed(3);
}

/** "slipway 3.1× better" / "peer 2.0× better" / "even", from the ratio and the unit's direction. */
export function reading(r) {
  if (r.ratio == null || !r.peer) return '';
  const better = higherIsBetter(r.unit) ? r.ratio : 1 / r.ratio;
  if (better > 0.95 && better < 1.05) return 'even';
  return better >= 1 ? `slipway ${fmt(better)}× better` : `peer ${fmt(1 / better)}× better`;
}

const cell = (v) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const table = (columns, rows, align) =>
  [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map((_, i) => (align?.[i] === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((v) => cell(typeof v === 'number' ? fmt(v) : v)).join(' | ')} |`),
  ].join('\n');

export async function writeReport({
  dir,
  machine,
  durationS,
  quick,
  scenarios,
  rows,
  peers,
  charts,
  tables,
  notes,
}) {
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) if (old.endsWith('.svg')) rmSync(join(dir, old)); // no stale chart
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ machine, results: rows }, null, 2) + '\n');
  const drawn = await renderCharts(charts, dir);
  const targets = checkTargets(rows);
  const md = [
    '# Slipway benchmark report',
    '',
    `${machine.date} · ${machine.cores} cores (${machine.cpuModel}) · ${machine.totalMemGiB} GiB · Node ${machine.node} · ${machine.os} · load average at start ${machine.loadAverageAtStart.join(' / ')} · ${durationS} s${quick ? ' · **quick run (shortened loads; not comparable)**' : ''}`,
    '',
    `Scenarios: ${scenarios.join(', ')}. Produced by \`npm run bench\` (bench/run.mjs); every figure below was`,
    'measured in this run beside its peer, on this machine. `ratio` = slipway ÷ peer; the "reading" column',
    'says which side is better (higher is better for rates, lower for times, sizes and counts).',
    'Peers were started with a memory cap and a time bound; a peer that could not be measured says why.',
    '',
    '## Targets (issue 5)',
    '',
    table(
      ['target', 'figure in this run', 'verdict'],
      targets.map((t) => [
        t.target,
        t.value == null
          ? '–'
          : t.use === 'ratio'
            ? `${fmt(t.value)}× (${fmt(t.row.slipway)} vs ${fmt(t.row.peerValue)} ${t.row.unit})`
            : `${fmt(t.value)} ${t.row.unit}`,
        t.verdict === 'met' ? '✅ met' : t.verdict === 'not met' ? '❌ not met' : '– not measured',
      ]),
    ),
    '',
    '## Peers',
    '',
    table(
      ['peer', 'version / status'],
      Object.entries(peers).map(([name, s]) => [name, s.ok ? s.version : `not available: ${s.reason}`]),
    ),
    '',
    '## Charts',
    '',
    ...drawn.flatMap((c) =>
      c.file ? [`![${c.title}](${c.file})`, ''] : [`- ${c.title}: not drawn (${c.error})`, ''],
    ),
  ];
  for (const name of scenarios) {
    const mine = rows.filter((r) => r.scenario === name);
    md.push(`## ${name}`, '');
    for (const t of tables.filter((t) => t.scenario === name))
      md.push(`**${t.title}**`, '', table(t.columns, t.rows), '');
    if (mine.length)
      md.push(
        table(
          ['metric', 'unit', 'slipway', 'peer', 'peer value', 'ratio', 'reading', 'note'],
          mine.map((r) => [
            r.metric,
            r.unit,
            r.slipway,
            r.peer ?? '',
            r.peerValue,
            r.ratio,
            reading(r),
            r.note ?? '',
          ]),
          [null, null, 'r', null, 'r', 'r'],
        ),
        '',
      );
  }
  if (notes.length) md.push('## Notes from this run', '', ...notes.map((n) => `- ${n}`), '');
  writeFileSync(join(dir, 'latest.md'), md.join('\n'));
  return { targets, drawn };
}
