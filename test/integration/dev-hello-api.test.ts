import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { childPids, isAlive, startDev, type DevProcess } from '../helpers/slipway.ts';

describe('slipway dev on examples/hello-api', () => {
  let dev: DevProcess;
  before(async () => {
    dev = await startDev(['--template', 'examples/hello-api/template.yaml', '--no-watch']);
  });
  after(async () => {
    await dev?.stop('SIGKILL');
  });

  test('reports readiness on the AWS endpoint', async () => {
    const res = await fetch(`${dev.endpoint}/_slipway/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; functions: string[] };
    assert.equal(body.status, 'ready');
    assert.deepEqual(body.functions.sort(), ['EchoFunction', 'HelloFunction']);
  });

  test('GET /my-endpoint runs the TypeScript function, warm on the second call', async () => {
    const first = await fetch(`${dev.apiUrl}/my-endpoint?name=Ada`);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /application\/json/);
    const a = (await first.json()) as { message: string; invocations: number; requestId: string };
    assert.equal(a.message, 'Hello, Ada!');
    const second = (await (await fetch(`${dev.apiUrl}/my-endpoint`)).json()) as {
      message: string;
      invocations: number;
    };
    assert.equal(second.message, 'Hello, world!');
    assert.equal(second.invocations, a.invocations + 1, 'module state survives in the warm environment');
    const report = await dev.waitForLine(
      (l) =>
        l.type === 'log' && l.requestId === a.requestId && String(l.line).startsWith('REPORT RequestId:'),
    );
    assert.match(
      String(report.line),
      /Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/,
    );
    await dev.waitForLine(
      (l) => l.type === 'log' && l.requestId === a.requestId && /greeting Ada/.test(String(l.line)),
    );
  });

  test('POST /echo runs the Python function', async () => {
    const res = await fetch(`${dev.apiUrl}/echo`, {
      method: 'POST',
      body: JSON.stringify({ hi: ['there', 1] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { echo: unknown; requestId: string };
    assert.deepEqual(body.echo, { hi: ['there', 1] });
    const bad = await fetch(`${dev.apiUrl}/echo`, { method: 'POST', body: 'not json' });
    assert.equal(bad.status, 400);
    await dev.waitForLine(
      (l) => l.type === 'log' && l.requestId === body.requestId && /\[INFO\]\t.*echoing/.test(String(l.line)),
    );
  });

  test('an unknown route gets API Gateway’s answer', async () => {
    const res = await fetch(`${dev.apiUrl}/nope`);
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { message: 'Missing Authentication Token' });
  });

  test('Ctrl-C stops it cleanly with no environment left running', async () => {
    const pids = await childPids(dev.child.pid!);
    assert.ok(pids.length >= 1, 'environments were running');
    const code = await dev.stop('SIGINT');
    assert.equal(code, 0);
    // Children are killed before exit; give the kernel a moment to reap them.
    for (let i = 0; i < 30 && pids.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids) assert.equal(isAlive(pid), false, `child ${pid} still running`);
  });
});
