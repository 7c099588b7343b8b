// 1. API request → Node handler → response, under a bounded load (autocannon, 50 connections,
// loopback, 10 s after a 1 s warm-up), the same handler module for every contender:
//   bare Node http server (the physical reference) · slipway dev (fast channel, the default) ·
//   slipway dev with a provided.al2023-style bootstrap on the HTTP Runtime API · slipway dev
//   --runtime-api http (its own Node bootstrap over HTTP) · serverless-offline in its default mode
//   (worker threads), --useInProcess (its fastest) and --reloadHandler (the mode that picks up saves).
// Figures: requests/s, p50/p99 latency, RSS of the whole process tree after the load, and whether
// a save is served by the next request (peers; Slipway's reload has its own scenario).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from '../lib/load.mjs';
import { startServerlessOffline } from '../lib/peers.mjs';
import { descendants, jsonReady, startGuarded, treeRssMb } from '../lib/proc.mjs';
import { copyToTemp, NOOP, startDev } from '../lib/slipway.mjs';
import { row } from '../lib/stats.mjs';

const CONNECTIONS = 50;
const RELOADED = 'export const handler = async () => ({ statusCode: 200, body: \'{"ok":"reloaded"}\' });\n';

export default async function api(ctx) {
  const seconds = ctx.dur(10, 3);
  const tmp = [];
  const measured = [];
  const run = async (c, start) => {
    ctx.log(`  ${c.name}…`);
    let target;
    try {
      target = await start();
    } catch (err) {
      measured.push({ ...c, error: `did not start: ${err.message.split('\n')[0]}` });
      return;
    }
    const { guard, url } = target;
    guard.quiet(); // every contender's log output is drained unread during the load
    try {
      await load(url, { seconds: 1, connections: CONNECTIONS, guard }); // warm-up: environments, JIT
      const r = guard.killed ? null : await load(url, { seconds, connections: CONNECTIONS, guard });
      const rss = guard.killed ? null : treeRssMb(guard.pid);
      const processes = guard.killed ? null : descendants(guard.pid).length + 1;
      let reloads;
      if (target.handlerFile && !guard.killed) {
        writeFileSync(target.handlerFile, RELOADED);
        await new Promise((res) => setTimeout(res, 1000));
        const body = await fetch(url).then((res) => res.text(), String);
        reloads = body.includes('reloaded');
      }
      if (guard.killed) {
        const partial = r ?? {};
        measured.push({
          ...c,
          error: `${guard.killed}${partial.requests ? ` after ${partial.requests} requests` : ''}`,
          peakMb: guard.peakMb,
        });
      } else
        measured.push({
          ...c,
          ...r,
          rss,
          processes,
          peakMb: guard.peakMb,
          reloads,
          error: r.requests ? undefined : `no 2xx response within ${seconds} s`,
        });
    } catch (err) {
      measured.push({ ...c, error: guard.killed ?? err.message });
    } finally {
      await guard.stop();
    }
  };

  try {
    await run({ key: 'bare', name: 'bare-node' }, async () => {
      const guard = await startGuarded({
        label: 'bare node http',
        command: process.execPath,
        args: [join(NOOP, 'bare-server.mjs')],
        ready: jsonReady,
      });
      return { guard, url: `http://127.0.0.1:${guard.info.port}/noop` };
    });
    const slipway = [
      { key: 'fast', name: 'slipway dev (fast channel, default)', args: [], path: '/noop' },
      {
        key: 'provided',
        name: 'slipway dev (provided bootstrap, HTTP Runtime API)',
        args: [],
        path: '/provided-noop',
      },
      { key: 'http', name: 'slipway dev --runtime-api http', args: ['--runtime-api', 'http'], path: '/noop' },
    ];
    for (const v of slipway)
      await run({ ...v, slipway: true }, async () => {
        const guard = await startDev(v.args, { cwd: copyToTemp(NOOP, tmp) });
        return { guard, url: `${guard.info.apiUrl}${v.path}` };
      });
    const sls = [
      { key: 'sls', name: 'serverless-offline (worker threads, default)', flags: [] },
      { key: 'sls-inprocess', name: 'serverless-offline --useInProcess', flags: ['--useInProcess'] },
      { key: 'sls-reload', name: 'serverless-offline --reloadHandler', flags: ['--reloadHandler'] },
    ];
    for (const v of sls) {
      const unavailable = ctx.unavailable('serverless');
      if (unavailable) {
        measured.push({ ...v, error: unavailable });
        continue;
      }
      await run(v, async () => {
        const t = await startServerlessOffline({
          label: v.name,
          flags: v.flags,
          tmp,
          timeoutMs: (seconds + 30) * 1000,
        });
        return { ...t, guard: t.guard };
      });
    }
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return report(ctx, measured, seconds);
}

function report(ctx, measured, seconds) {
  const out = [];
  const peers = measured.filter((m) => !m.slipway);
  const mine = measured.filter((m) => m.slipway);
  const reloadNote = (p) =>
    p.reloads === undefined ? undefined : `reloads on save: ${p.reloads ? 'yes' : 'no'}`;
  for (const s of mine) {
    const against = s.key === 'http' ? peers.filter((p) => p.key === 'bare') : peers;
    const label = s.name.replace(/^slipway dev /, '');
    for (const [metric, unit, field] of [
      ['requests/s', 'req/s', 'rps'],
      ['latency p50', 'ms', 'p50'],
      ['latency p99', 'ms', 'p99'],
      ['RSS of the process tree after the load', 'MB', 'rss'],
    ]) {
      for (const p of against) {
        const note = [s.error, p.error, reloadNote(p)].filter(Boolean).join('; ') || undefined;
        out.push(row('api', `${metric} ${label}`, unit, s[field], p.name, p.error ? null : p[field], note));
      }
    }
    out.push(row('api', `failed requests ${label}`, 'count', s.error ? null : s.failed, null, null, s.error));
  }
  ctx.chart('api-latency', {
    title: `API latency percentiles, ${CONNECTIONS} connections, ${seconds} s (log scale)`,
    kind: 'percentiles',
    series: measured.filter((m) => m.percentiles).map((m) => ({ name: m.name, points: m.percentiles })),
  });
  ctx.table('api', {
    title: `API contenders (${CONNECTIONS} connections, ${seconds} s each after a 1 s warm-up, same handler module)`,
    columns: [
      'contender',
      'req/s',
      'p50 ms',
      'p99 ms',
      'RSS after load MB',
      'peak RSS MB',
      'processes',
      'failed',
      'note',
    ],
    rows: measured.map((m) => [
      m.name,
      m.rps,
      m.p50,
      m.p99,
      m.rss,
      m.peakMb,
      m.processes,
      m.failed,
      [m.error, reloadNote(m)].filter(Boolean).join('; '),
    ]),
  });
  return out;
}
