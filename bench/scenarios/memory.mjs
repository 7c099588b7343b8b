// 8. Memory: RSS of `slipway dev` idle (process tree, 1 s after ready) with each example loaded;
// and the RSS of one warm environment per runtime (after one invocation), vs a bare idle `node` /
// `python3` process (what any process of that runtime costs here).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { ROOT } from '../lib/peers.mjs';
import { childRss, jsonReady, startGuarded, treeRssMb } from '../lib/proc.mjs';
import { copyToTemp, NOOP, startDev } from '../lib/slipway.mjs';
import { median, row, sleep } from '../lib/stats.mjs';

/** RSS of a bare idle process of `command`, in MB (median of 3). */
async function bareIdle(command, args) {
  const values = [];
  for (let i = 0; i < 3; i++) {
    const guard = await startGuarded({ label: `bare ${command}`, command, args, ready: jsonReady });
    await sleep(300);
    values.push(treeRssMb(guard.pid));
    await guard.stop();
  }
  return median(values);
}

const describe = (c) =>
  c.cmd.includes('esbuild')
    ? `esbuild's service ${Math.round(c.mb)} MB`
    : `environment ${Math.round(c.mb)} MB`;

export default async function memory(ctx) {
  ctx.log('  examples idle, then one warm environment per runtime…');
  const tmp = [];
  const out = [];
  try {
    const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const bareNode = await bareIdle(process.execPath, [
      '-e',
      'console.log(JSON.stringify({type:"ready"})); setInterval(() => {}, 1000)',
    ]);
    const barePython = await bareIdle('python3', [
      '-c',
      'import json,time; print(json.dumps({"type":"ready"}), flush=True); time.sleep(60)',
    ]);
    for (const name of examples) {
      let dev;
      try {
        dev = await startDev([], { cwd: copyToTemp(join(ROOT, 'examples', name), tmp) });
        await sleep(1000);
        const n = dev.info.functions.length;
        out.push(
          row(
            'memory',
            `slipway dev idle, examples/${name} (${n} function${n === 1 ? '' : 's'}, watching)`,
            'MB',
            treeRssMb(dev.pid),
            'bare idle node',
            bareNode,
          ),
        );
      } catch (err) {
        out.push(
          row(
            'memory',
            `slipway dev idle, examples/${name}`,
            'MB',
            null,
            null,
            null,
            err.message.split('\n')[0],
          ),
        );
      } finally {
        await dev?.stop();
      }
    }

    // One warm environment per runtime: invoke each no-op function once through the Lambda API.
    const dev = await startDev(['--no-watch', '--ephemeral'], { cwd: copyToTemp(NOOP, tmp) });
    try {
      const lambda = new LambdaClient({
        endpoint: dev.info.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      });
      const idle = treeRssMb(dev.pid);
      out.push(
        row(
          'memory',
          'slipway dev idle, bench no-op app (4 functions, no environment yet)',
          'MB',
          idle,
          'bare idle node',
          bareNode,
        ),
      );
      for (const [logicalId, runtime, bare, bareName] of [
        ['NodeNoop', 'nodejs20.x', bareNode, 'bare idle node'],
        ['TsNoop', 'nodejs20.x, TypeScript', bareNode, 'bare idle node'],
        ['PyNoop', 'python3.11', barePython, 'bare idle python3'],
        ['ProvidedNoop', 'provided.al2023, Node bootstrap', bareNode, 'bare idle node'],
      ]) {
        const before = new Set(childRss(dev.pid).map((c) => c.pid));
        const fn = dev.info.functions.find((f) => f.logicalId === logicalId).functionName;
        await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{}') }));
        await sleep(200);
        const fresh = childRss(dev.pid).filter((c) => !before.has(c.pid) && c.mb > 0); // 0 MB: already gone
        const mb = fresh.reduce((a, c) => a + c.mb, 0);
        out.push(
          row(
            'memory',
            `one warm environment, ${runtime}`,
            'MB',
            fresh.length ? mb : null,
            bareName,
            bare,
            fresh.length ? fresh.map(describe).join(' + ') : 'no new process found',
          ),
        );
      }
      out.push(
        row('memory', 'slipway dev with 4 warm environments (process tree)', 'MB', treeRssMb(dev.pid)),
      );
    } finally {
      await dev.stop();
    }
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return out;
}
