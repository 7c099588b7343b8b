// 4. Hot reload on examples/hello-api (a TypeScript handler) in `slipway dev`:
//   - save → first response served by the new code, over sequential saves;
//   - bursts of saves (5 saves 100 ms apart, as an editor's format-on-save or a quick succession of
//     edits does; a burst every 3 s) while autocannon loads the route with 50 connections: every
//     failed request counts (non-2xx, socket errors, timeouts) and must be zero; and the last
//     save's code must be what is served afterwards.
// (Peers' reload: the api scenario checks whether each serverless-offline mode serves a save.)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from '../lib/load.mjs';
import { ROOT } from '../lib/peers.mjs';
import { copyToTemp, startDev } from '../lib/slipway.mjs';
import { percentile, row, sleep, sortNum } from '../lib/stats.mjs';

const BURST = { saves: 5, everyMs: 100, periodMs: 3000, firstAtMs: 1000 };

export default async function reload(ctx) {
  const tmp = [];
  const dir = copyToTemp(join(ROOT, 'examples/hello-api'), tmp);
  const file = join(dir, 'src/hello/app.ts');
  const original = readFileSync(file, 'utf8');
  const save = (marker) => writeFileSync(file, original.replace('${name}!`', `\${name}! ${marker}\``));
  const dev = await startDev([], { cwd: dir });
  const url = `${dev.info.apiUrl}/my-endpoint`;
  const out = [];
  try {
    await fetch(url).then((r) => r.text());
    const times = [];
    for (let i = 0; i < ctx.dur(10, 4); i++) {
      const marker = `Reload${i}`;
      const t = performance.now();
      save(marker);
      for (;;) {
        const body = await fetch(url).then((r) => r.text());
        if (body.includes(marker)) break;
        if (performance.now() - t > 10_000) throw new Error('a save was not served within 10 s');
      }
      times.push(performance.now() - t);
      await sleep(100);
    }
    const s = sortNum(times);
    out.push(
      row(
        'reload',
        `save → first response with the new code p50 (${s.length} saves)`,
        'ms',
        percentile(s, 50),
      ),
    );
    out.push(
      row('reload', `save → first response with the new code max (${s.length} saves)`, 'ms', s[s.length - 1]),
    );

    // A burst of saves under load.
    const seconds = ctx.dur(8, 3);
    let saves = 0;
    const timers = [];
    for (let at = BURST.firstAtMs; at < seconds * 1000 - 500; at += BURST.periodMs)
      for (let k = 0; k < BURST.saves; k++)
        timers.push(setTimeout(() => save(`Burst${++saves}`), at + k * BURST.everyMs));
    // What dev says about failures meanwhile (warnings, errors, function errors), to explain any.
    const said = [];
    const off = dev.onLine((line) => {
      if (!/"type":"(warning|error)"|function error/.test(line)) return; // cheap test first: under load
      let obj;
      try {
        obj = JSON.parse(line);
      } catch {
        return;
      }
      const failure =
        obj.type === 'warning' ||
        obj.type === 'error' ||
        (obj.type === 'info' && /function error/.test(obj.message));
      if (failure && said.length < 3 && !said.includes(obj.message))
        said.push(String(obj.message).slice(0, 200));
    });
    let result;
    try {
      result = await load(url, { seconds, connections: 50, guard: dev });
    } finally {
      for (const timer of timers) clearTimeout(timer);
      off();
    }
    let lastServed = false;
    const t = performance.now();
    while (!lastServed && performance.now() - t < 10_000) {
      lastServed = (await fetch(url).then((r) => r.text())).includes(`Burst${saves}"`);
      if (!lastServed) await sleep(50);
    }
    const failedNote =
      `${saves} saves (bursts of ${BURST.saves}, ${BURST.everyMs} ms apart) in ${seconds} s at 50 connections; ${result.requests} requests answered 2xx; ` +
      `non-2xx ${result.non2xx}, socket errors ${result.errors}, timeouts ${result.timeouts}; ` +
      `last save served afterwards: ${lastServed ? 'yes' : 'NO'}` +
      (result.failed
        ? `; status codes ${JSON.stringify(result.statusCodes)}; dev said: ${said.join(' / ') || 'nothing'}`
        : '');
    out.push(
      row(
        'reload',
        'failed requests during a burst of saves under load',
        'count',
        result.failed,
        null,
        null,
        failedNote,
      ),
    );
    out.push(row('reload', 'requests/s answered during the bursts of saves', 'req/s', result.rps));
  } finally {
    await dev.stop();
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return out;
}
