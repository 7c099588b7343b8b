// `slipway dev` start-up: spawn → ready (its --json ready line) on the benchmark's no-op app, vs
// serverless-offline's spawn → "Server ready" on the same function; and on examples/hello-api.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startServerlessOffline } from '../lib/peers.mjs';
import { copyToTemp, NOOP, startDev } from '../lib/slipway.mjs';
import { median, row } from '../lib/stats.mjs';

export default async function ready(ctx) {
  const reps = ctx.dur(5, 2);
  const tmp = [];
  const out = [];
  const timeReady = async (start) => {
    const times = [];
    for (let i = 0; i < reps; i++) {
      const guard = await start();
      times.push(guard.readyMs);
      await guard.stop();
    }
    return median(times);
  };
  try {
    const noop = await timeReady(() => startDev(['--no-watch'], { cwd: copyToTemp(NOOP, tmp) }));
    const hello = await timeReady(() =>
      startDev(['--no-watch'], { cwd: copyToTemp(join(ROOT, 'examples/hello-api'), tmp) }),
    );
    let sls;
    let slsError = ctx.unavailable('serverless');
    if (!slsError)
      try {
        sls = await timeReady(
          async () =>
            (await startServerlessOffline({ label: 'serverless-offline', tmp, timeoutMs: 90_000 })).guard,
        );
      } catch (err) {
        slsError = err.message.split('\n')[0];
      }
    const metric = `dev server spawn → ready, no-op app (median of ${reps})`;
    out.push(row('ready', metric, 'ms', noop, 'serverless-offline (worker threads, default)', sls, slsError));
    out.push(row('ready', `slipway dev spawn → ready, examples/hello-api (median of ${reps})`, 'ms', hello));
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return out;
}
