// 3. Cold start: a fresh environment's first result (spawn → result) per runtime, through the
// runtime's Invoker in this process, vs spawning a bare `node -e ''` (what any process costs here).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../lib/peers.mjs';
import { copyToTemp, NOOP } from '../lib/slipway.mjs';
import { median, row } from '../lib/stats.mjs';

const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);

export default async function cold(ctx) {
  const reps = ctx.dur(8, 3);
  const tmp = [];
  const out = [];
  try {
    const { loadProject } = await dist('project/load.js');
    const { createRuntime } = await dist('runtime/index.js');
    const project = await loadProject({ template: join(copyToTemp(NOOP, tmp), 'template.yaml') });
    const bare = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '']);
      bare.push(performance.now() - t);
    }
    for (const fn of ['NodeNoop', 'TsNoop', 'PyNoop', 'ProvidedNoop']) {
      const walls = [];
      const inits = [];
      for (let i = 0; i < reps; i++) {
        const runtime = createRuntime({
          region: project.region,
          accountId: project.accountId,
          logSink: () => {},
          stateDir: copyToTemp(NOOP, tmp, 'slipway-bench-state-'),
          warn: () => {},
        });
        runtime.setFunctions([...project.functions.values()]);
        try {
          const t = performance.now();
          const r = await runtime.invoke(fn, { payload: Buffer.from('{}') });
          walls.push(performance.now() - t);
          if (r.initDurationMs !== undefined) inits.push(r.initDurationMs);
        } finally {
          await runtime.dispose();
        }
      }
      out.push(
        row(
          'cold',
          `${fn} cold start to first result (median)`,
          'ms',
          median(walls),
          "bare `node -e ''` spawn",
          median(bare),
        ),
      );
      if (inits.length) out.push(row('cold', `${fn} Init Duration (median)`, 'ms', median(inits)));
    }
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return out;
}
