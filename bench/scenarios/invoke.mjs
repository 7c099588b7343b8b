// 2. Warm invoke overhead, three ways:
//   - the runtime's Invoker in the benchmark's own process (fast channel and HTTP Runtime API) vs
//     calling the handler function directly in-process (the reference);
//   - Invoke over the AWS SDK (LambdaClient → the Lambda API of `slipway dev`) vs the same SDK call
//     against serverless-offline's Lambda endpoint (default and --useInProcess);
//   - the CLI one-shot: `slipway invoke` process time vs `lambda-local`'s, and a bare `node -e ''`.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { LAMBDA_LOCAL_CLI, ROOT, startServerlessOffline } from '../lib/peers.mjs';
import { timeProcess } from '../lib/proc.mjs';
import { CLI, copyToTemp, NOOP, startDev } from '../lib/slipway.mjs';
import { CHART_PERCENTILES, median, percentile, row, since, sortNum } from '../lib/stats.mjs';

const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const PAYLOAD = '{"hello":"world"}';

/** Time `fn` sequentially: up to `n` calls or `seconds`, after `warm` unmeasured calls. Sorted ms. */
async function timeCalls(fn, { n, seconds, warm = 100 }) {
  for (let i = 0; i < warm; i++) await fn();
  const times = [];
  const deadline = performance.now() + seconds * 1000;
  while (times.length < n && performance.now() < deadline) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(since(t));
  }
  return sortNum(times);
}

export default async function invoke(ctx) {
  const n = ctx.dur(5000, 1000);
  const seconds = ctx.dur(6, 2);
  const out = [];
  const series = [];
  const tmp = [];
  try {
    // Reference: the handler called directly in this process.
    const { handler } = await import(pathToFileURL(join(NOOP, 'src/noop.mjs')).href);
    const direct = await timeCalls(() => handler(JSON.parse(PAYLOAD), {}), { n, seconds });
    const directP50 = percentile(direct, 50);
    series.push({ name: 'in-process call', points: points(direct) });

    // The runtime's Invoker, in this process.
    const { loadProject } = await dist('project/load.js');
    const { createRuntime } = await dist('runtime/index.js');
    const project = await loadProject({ template: join(copyToTemp(NOOP, tmp), 'template.yaml') });
    for (const [transport, label] of [
      ['auto', 'fast channel'],
      ['http', 'HTTP Runtime API'],
    ]) {
      const runtime = createRuntime({
        region: project.region,
        accountId: project.accountId,
        logSink: () => {},
        transport,
        stateDir: copyToTemp(NOOP, tmp, 'slipway-bench-state-'),
        warn: () => {},
      });
      runtime.setFunctions([...project.functions.values()]);
      try {
        const payload = Buffer.from(PAYLOAD);
        const s = await timeCalls(() => runtime.invoke('NodeNoop', { payload }), { n, seconds, warm: 300 });
        out.push(
          row(
            'invoke',
            `warm invoke p50 (Invoker, ${label})`,
            'ms',
            percentile(s, 50),
            'in-process call',
            directP50,
          ),
        );
        out.push(
          row(
            'invoke',
            `warm invoke p99 (Invoker, ${label})`,
            'ms',
            percentile(s, 99),
            'in-process call',
            percentile(direct, 99),
          ),
        );
        out.push(
          row('invoke', `warm invoke overhead p50 (Invoker, ${label})`, 'ms', percentile(s, 50) - directP50),
        );
        series.push({ name: `slipway Invoker (${label})`, points: points(s) });
      } finally {
        await runtime.dispose();
      }
    }

    // Invoke over the SDK: slipway dev's Lambda API vs serverless-offline's.
    const sdk = (endpoint) =>
      new LambdaClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      });
    const viaSdk = async (client, functionName) =>
      timeCalls(
        async () => {
          const r = await client.send(
            new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(PAYLOAD) }),
          );
          if (r.FunctionError) throw new Error(`${functionName}: ${r.FunctionError}`);
        },
        { n: ctx.dur(2000, 300), seconds, warm: 50 },
      );
    const dev = await startDev(['--no-watch', '--ephemeral'], { cwd: copyToTemp(NOOP, tmp) });
    let mine;
    try {
      const fn = dev.info.functions.find((f) => f.logicalId === 'NodeNoop').functionName;
      mine = await viaSdk(sdk(dev.info.endpoint), fn);
      series.push({ name: 'slipway dev, Invoke over the SDK', points: points(mine) });
    } finally {
      await dev.stop();
    }
    const peersSdk = [{ name: 'in-process call', p50: directP50, p99: percentile(direct, 99) }];
    for (const [name, flags] of [
      ['serverless-offline (worker threads, default)', []],
      ['serverless-offline --useInProcess', ['--useInProcess']],
    ]) {
      const unavailable = ctx.unavailable('serverless');
      if (unavailable) {
        peersSdk.push({ name, error: unavailable });
        continue;
      }
      let sls;
      try {
        sls = await startServerlessOffline({ label: name, flags, tmp, timeoutMs: 90_000 });
        const s = await viaSdk(sdk(sls.lambdaEndpoint), sls.functionName);
        peersSdk.push({ name, p50: percentile(s, 50), p99: percentile(s, 99) });
        series.push({ name: `${name}, Invoke over the SDK`, points: points(s) });
      } catch (err) {
        peersSdk.push({ name, error: sls?.guard.killed ?? err.message.split('\n')[0] });
      } finally {
        await sls?.guard.stop();
      }
    }
    for (const p of peersSdk) {
      out.push(
        row(
          'invoke',
          'Invoke over the SDK p50 (slipway dev)',
          'ms',
          percentile(mine, 50),
          p.name,
          p.p50,
          p.error,
        ),
      );
      out.push(
        row(
          'invoke',
          'Invoke over the SDK p99 (slipway dev)',
          'ms',
          percentile(mine, 99),
          p.name,
          p.p99,
          p.error,
        ),
      );
    }

    // CLI one-shot: a process that runs the handler once and exits.
    const reps = ctx.dur(7, 3);
    const dir = copyToTemp(NOOP, tmp);
    const eventFile = join(dir, 'event.json');
    writeFileSync(eventFile, PAYLOAD);
    const oneShot = async (args) => {
      const times = [];
      for (let i = 0; i < reps; i++) {
        const r = await timeProcess(process.execPath, args, { cwd: dir });
        if (r.code !== 0)
          throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
        times.push(r.ms);
      }
      return median(times);
    };
    const slipwayOnce = await oneShot([CLI, 'invoke', 'NodeNoop', '--event', eventFile]);
    const bare = await oneShot(['-e', '']);
    let lambdaLocal;
    let lambdaLocalError = ctx.unavailable('lambda-local');
    if (!lambdaLocalError)
      try {
        lambdaLocal = await oneShot([
          LAMBDA_LOCAL_CLI,
          '-l',
          join(dir, 'src/noop.mjs'),
          '-h',
          'handler',
          '-e',
          eventFile,
          '-v',
          '1',
        ]);
      } catch (err) {
        lambdaLocalError = err.message;
      }
    const metric = `CLI one-shot invoke, spawn → exit (median of ${reps})`;
    out.push(row('invoke', metric, 'ms', slipwayOnce, 'lambda-local@2', lambdaLocal, lambdaLocalError));
    out.push(row('invoke', metric, 'ms', slipwayOnce, "bare `node -e ''`", bare));
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  ctx.chart('invoke-latency', {
    title: 'Warm invoke latency percentiles, sequential (log scale)',
    kind: 'percentiles',
    series,
  });
  return out;
}

const points = (sorted) => CHART_PERCENTILES.map((p) => ({ p, ms: percentile(sorted, p) }));
