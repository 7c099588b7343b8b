// Slipway's benchmarks: each figure measured beside its peer in the same run, on this machine.
//   npm run bench                    every scenario; writes bench/results/latest.{json,md} and *.svg
//   npm run bench -- api s3          some scenarios (written to bench/results/partial/)
//   npm run bench -- --quick         shortened loads for development (also to bench/results/partial/)
// Peers (serverless + serverless-offline, lambda-local, the chart library) are installed on demand
// into bench/peers; s3rver is a devDependency; moto is python3's moto.server. Never part of npm test.
// Loopback only; every load is bounded in time, every process started here is guarded by a memory
// cap and stopped by PID, and the run checks that nothing it started is left running.
import { cpus, loadavg, totalmem, type, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensurePeersInstalled, exists, peerStatus } from './lib/peers.mjs';
import { descendants, killAll, killDescendants } from './lib/proc.mjs';
import { fmt, writeReport } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// Scenario name → module (default export, or the export named like the scenario). Registering one
// more is one line; a module that is absent is reported as not landed, not silently skipped.
const SCENARIOS = {
  invoke: './scenarios/invoke.mjs',
  cold: './scenarios/cold.mjs',
  ready: './scenarios/ready.mjs',
  reload: './scenarios/reload.mjs',
  events: './scenarios/events.mjs',
  api: './scenarios/api.mjs',
  s3: './scenarios/s3.mjs',
  sqs: './scenarios/sqs.mjs',
  memory: './scenarios/memory.mjs',
  build: './build.mjs', // issue "build": bench/build.mjs exports `async function build()` returning rows
};

const argv = process.argv.slice(2);
const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const wanted = argv.filter((a) => !a.startsWith('-'));
for (const name of wanted)
  if (!SCENARIOS[name]) {
    console.error(`unknown scenario '${name}'; choose from: ${Object.keys(SCENARIOS).join(', ')}`);
    process.exit(2);
  }
const names = wanted.length ? wanted : Object.keys(SCENARIOS);
const log = (line) => process.stderr.write(`${line}\n`);

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    log(`\n${signal}: stopping everything this run started`);
    killAll();
    process.exit(130);
  });
process.once('exit', killAll);

const started = Date.now();
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const install = await ensurePeersInstalled(log);
const peers = peerStatus(install);
log(
  `peers: ${Object.entries(peers)
    .map(([n, s]) => (s.ok ? s.version : `${n} unavailable`))
    .join(', ')}`,
);

const rows = [];
const charts = {};
const tables = [];
const notes = [];
for (const name of names) {
  log(`\n▶ ${name}`);
  const t0 = Date.now();
  const ctx = {
    quick,
    dur: (full, short) => (quick ? short : full),
    log,
    unavailable: (peer) =>
      peers[peer]?.ok ? null : `${peer} unavailable: ${peers[peer]?.reason ?? 'unknown peer'}`,
    chart: (id, chart) => (charts[id] = chart),
    table: (_id, t) => tables.push({ scenario: name, ...t }),
    note: (text) => notes.push(`${name}: ${text}`),
  };
  let produced;
  try {
    const file = join(here, SCENARIOS[name]);
    if (!exists(file)) {
      produced = [
        {
          scenario: name,
          metric: 'not landed',
          unit: '',
          slipway: null,
          peer: null,
          peerValue: null,
          ratio: null,
          note: `bench/${SCENARIOS[name].slice(2)} is absent: this scenario lands with its feature`,
        },
      ];
    } else {
      const mod = await import(pathToFileURL(file).href);
      const fn = mod.default ?? mod[name];
      const result = await fn(ctx);
      produced = Array.isArray(result) ? result : (result?.rows ?? []);
      for (const r of produced) r.scenario ??= name;
    }
  } catch (err) {
    log(`  ✗ ${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
    produced = [
      {
        scenario: name,
        metric: 'error',
        unit: '',
        slipway: null,
        peer: null,
        peerValue: null,
        ratio: null,
        note: String(err),
      },
    ];
  }
  for (const r of produced) {
    rows.push(r);
    log(
      `  ${r.metric}: ${fmt(r.slipway)} ${r.unit}` +
        (r.peer ? ` | ${r.peer} ${fmt(r.peerValue)} | ratio ${fmt(r.ratio)}` : '') +
        (r.note ? ` (${r.note})` : ''),
    );
  }
  log(`  (${Math.round((Date.now() - t0) / 1000)} s)`);
  const left = descendants(process.pid);
  if (left.length) {
    notes.push(
      `${name}: ${left.length} process(es) still running after the scenario were killed (PIDs ${left.map((d) => d.pid).join(', ')})`,
    );
    killAll();
    killDescendants(process.pid);
  }
}

const cpu = cpus();
const machine = {
  cores: cpu.length,
  cpuModel: cpu[0]?.model?.trim() ?? 'unknown',
  totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  os: `${type()} ${release()}`,
  date: new Date().toISOString(),
  loadAverageAtStart: loadAtStart, // 1, 5, 15 min: other work on the machine makes figures noisy
};
const full = !wanted.length && !quick;
const dir = join(here, full ? 'results' : 'results/partial');
const { targets } = await writeReport({
  dir,
  machine,
  durationS: Math.round((Date.now() - started) / 1000),
  quick,
  scenarios: names,
  rows,
  peers,
  charts,
  tables,
  notes,
});
log(
  `\ntargets: ${targets.map((t) => `${t.verdict === 'met' ? '✓' : t.verdict === 'not met' ? '✗' : '–'} ${t.target}`).join('\n         ')}`,
);
log(
  `\nwrote ${dir.slice(here.length + 1)}/latest.json, latest.md and charts in ${Math.round((Date.now() - started) / 1000)} s`,
);
