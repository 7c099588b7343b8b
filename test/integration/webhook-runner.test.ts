import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, startDev, type DevProcess } from '../helpers/slipway.ts';

interface StatusReport {
  status: 'running' | 'done' | 'failed';
  sent: number;
  total: number;
  runId: string;
  invocation: number;
  error?: string;
}

/** A webhook receiver on 127.0.0.1: records every /ingest batch and /status report. */
function startReceiver(): Promise<{
  server: Server;
  base: string;
  batches: unknown[][];
  statuses: StatusReport[];
}> {
  const batches: unknown[][] = [];
  const statuses: StatusReport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      if (req.url === '/ingest') batches.push(body as unknown[]);
      else if (req.url === '/status') statuses.push(body as StatusReport);
      res.statusCode = req.url === '/ingest' || req.url === '/status' ? 200 : 404;
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, base: `http://127.0.0.1:${port}`, batches, statuses });
    });
  });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('examples/webhook-runner: a rate-limited job that re-invokes itself asynchronously', () => {
  const project = copyProject('examples/webhook-runner');
  let dev: DevProcess | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    receiver = await startReceiver();
    dev = await startDev(['--stack-name', 'webhook-runner', '--ephemeral', '--seed-dir', 'seed'], {
      cwd: project.dir,
    });
  });
  after(async () => {
    await dev?.stop();
    receiver?.server.close();
    project.remove();
  });

  test('POST /runs answers 202 and every seeded line arrives once, in order, across invocations', async () => {
    const expected = readFileSync(join(project.dir, 'seed', 'Data', 'orders.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
    assert.equal(expected.length, 300);

    const started = Date.now();
    const res = await fetch(`${dev!.apiUrl}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        data_url: 'orders.ndjson',
        destination: `${receiver.base}/ingest`,
        callback: `${receiver.base}/status`,
        batch_size: 25,
        rate_per_second: 4,
      }),
    });
    assert.equal(res.status, 202);
    const { runId } = (await res.json()) as { runId: string };
    assert.match(runId, /^[0-9a-f-]{36}$/);

    const done = await until('a done or failed status', () =>
      receiver.statuses.find((s) => s.status === 'done' || s.status === 'failed'),
    );
    assert.equal(done.status, 'done', `the run failed: ${JSON.stringify(done)}`);
    assert.deepEqual(
      { sent: done.sent, total: done.total, runId: done.runId },
      { sent: 300, total: 300, runId },
    );

    // Every line exactly once, in order; no batch larger than batch_size.
    assert.deepEqual(receiver.batches.flat(), expected);
    for (const batch of receiver.batches) assert.ok(batch.length >= 1 && batch.length <= 25);
    assert.equal(receiver.batches.length, 12);
    // 12 batches at 4 a second take at least 11 intervals of 250 ms.
    assert.ok(Date.now() - started >= 2750, 'the rate limit was respected');

    // Progress was reported after every batch, by more than one invocation.
    assert.deepEqual(
      receiver.statuses.map((s) => s.sent),
      Array.from({ length: 12 }, (_, i) => (i + 1) * 25),
    );
    assert.ok(receiver.statuses.every((s) => s.runId === runId));
    const invocations = new Set(receiver.statuses.map((s) => s.invocation));
    assert.ok(invocations.size >= 2, `one job invocation only: ${[...invocations].join(', ')}`);
    await dev!.waitForLine((l) => l.type === 'log' && /handing off at \d+\/300/.test(String(l.line)));
  });

  test('a bad body answers 400 and a missing object 404', async () => {
    const post = (body: unknown) =>
      fetch(`${dev!.apiUrl}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post({ data_url: 'orders.ndjson' })).status, 400);
    const missing = await post({
      data_url: 'nope.ndjson',
      destination: `${receiver.base}/ingest`,
      callback: `${receiver.base}/status`,
    });
    assert.equal(missing.status, 404);
  });
});
