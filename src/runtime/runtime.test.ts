/** Runtime behaviours beyond the per-runtime conformance suite. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FunctionModel } from '../project/model.ts';
import { AwsServiceError, SlipwayError } from '../shared/errors.ts';
import { functionModel } from '../../test/conformance/function-model.ts';
import { createRuntime, type RuntimeOptions } from './index.ts';
import { watchFunctionCode } from './reload.ts';
import type { LogRecord } from './types.ts';

const FIXTURES = fileURLToPath(new URL('../../test/conformance/fixtures/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'slipway-runtime-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function runtime(functions: FunctionModel[], options: Partial<RuntimeOptions> = {}) {
  const records: LogRecord[] = [];
  const warnings: string[] = [];
  const rt = createRuntime({
    region: 'us-east-1',
    accountId: '123456789012',
    logSink: (r) => records.push(r),
    stateDir: join(scratch, 'state'),
    warn: (m) => warnings.push(m),
    ...options,
  });
  let setError: unknown;
  try {
    rt.setFunctions(functions);
  } catch (err) {
    setError = err;
  }
  return { rt, records, warnings, setError };
}

const nodeFn = (fields: Partial<FunctionModel> = {}) =>
  functionModel({
    logicalId: 'Hello',
    runtime: 'nodejs20.x',
    handler: 'app.handler',
    codeDir: join(FIXTURES, 'node'),
    ...fields,
  });

const payload = (event: unknown) => ({ payload: Buffer.from(JSON.stringify(event)) });

function childPids(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() && !/\bps -o\b|esbuild --service/.test(line))
    .map((line) => line.trim());
}

test('invoke by logical id, function name or ARN; unknown functions are ResourceNotFoundException', async () => {
  const fn = nodeFn();
  const { rt } = runtime([fn]);
  try {
    for (const name of [fn.logicalId, fn.functionName, fn.arn, `${fn.arn}:$LATEST`]) {
      const r = await rt.invoke(name, payload({ op: 'counter' }));
      assert.equal(r.functionError, undefined, name);
    }
    await assert.rejects(rt.invoke('Nope', payload({})), (err: unknown) => {
      assert.ok(err instanceof AwsServiceError);
      assert.equal(err.code, 'ResourceNotFoundException');
      assert.equal(err.statusCode, 404);
      assert.equal(err.message, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nope');
      return true;
    });
  } finally {
    await rt.dispose();
  }
});

test('dispose leaves no child running', async () => {
  const { rt } = runtime([nodeFn()], { eagerConcurrency: 3 });
  await Promise.all([1, 2, 3].map(() => rt.invoke('Hello', payload({ op: 'sleep', ms: 50 }))));
  assert.ok(childPids().length >= 3);
  await rt.dispose();
  assert.deepEqual(childPids(), []);
  await assert.rejects(rt.invoke('Hello', payload({})), AwsServiceError);
});

test('a TypeScript handler runs directly and its stack traces point at the .ts lines', async () => {
  const { rt } = runtime([nodeFn({ handler: 'app.throwsAtKnownLine', codeDir: join(FIXTURES, 'ts') })]);
  try {
    const r = await rt.invoke('Hello', payload({}));
    assert.equal(r.error?.errorMessage, 'typed boom');
    const trace = (r.error?.trace ?? []).join('\n');
    const line =
      readFileSync(join(FIXTURES, 'ts', 'app.ts'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes("'typed boom'")) + 1;
    assert.match(trace, new RegExp(`fixtures/ts/app\\.ts:${line}:\\d+`), trace);
  } finally {
    await rt.dispose();
  }
});

test('BuildMethod esbuild: bundled into the state dir, handler resolved in the output', async () => {
  const fn = nodeFn({
    handler: 'app.handler',
    codeDir: join(FIXTURES, 'ts'),
    build: {
      method: 'esbuild',
      esbuild: { entryPoints: ['app.ts'], format: 'esm', outExtension: { '.js': '.mjs' } },
    },
  });
  const { rt } = runtime([fn]);
  try {
    const r = await rt.invoke('Hello', payload({ op: 'echo', x: 1 }));
    assert.deepEqual(JSON.parse(r.payload.toString()), { op: 'echo', x: 1 });
  } finally {
    await rt.dispose();
  }
});

test('provided without an executable bootstrap: SlipwayError at setFunctions, Runtime.InvalidEntrypoint on invoke', async () => {
  const dir = join(scratch, 'no-exec');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bootstrap'), '#!/bin/sh\n');
  chmodSync(join(dir, 'bootstrap'), 0o644);
  const fn = functionModel({ logicalId: 'Custom', runtime: 'provided.al2023', handler: 'x', codeDir: dir });
  const { rt, setError } = runtime([fn]);
  try {
    assert.ok(setError instanceof SlipwayError);
    assert.match(setError.message, /bootstrap/);
    const r = await rt.invoke('Custom', payload({}));
    assert.equal(r.error?.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(r.error?.errorMessage ?? '', /permission denied/);
  } finally {
    await rt.dispose();
  }
});

test('Runtime API over HTTP validates messages against the state', async () => {
  // A bootstrap that reports what the Runtime API answered to illegal calls, then behaves.
  const dir = join(scratch, 'probe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'bootstrap'),
    `#!/bin/bash
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
EARLY=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/invocation/abc/response" -d '1')
MISSING=$(curl -s -o /dev/null -w '%{http_code}' "$API/nope")
H=$(mktemp)
while true; do
  curl -sS -D "$H" "$API/invocation/next" >/dev/null || exit 0
  ID=$(grep -i '^lambda-runtime-aws-request-id:' "$H" | cut -d' ' -f2 | tr -d '\\r')
  WRONG=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/invocation/not-$ID/response" -d '1')
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"early\\":$EARLY,\\"missing\\":$MISSING,\\"wrong\\":$WRONG}" >/dev/null
  AGAIN=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/invocation/$ID/response" -d '1')
  echo "again=$AGAIN"
done
`,
  );
  chmodSync(join(dir, 'bootstrap'), 0o755);
  const fn = functionModel({ logicalId: 'Probe', runtime: 'provided.al2', handler: 'x', codeDir: dir });
  const { rt, records } = runtime([fn]);
  try {
    const r = await rt.invoke('Probe', payload({}));
    assert.deepEqual(JSON.parse(r.payload.toString()), { early: 403, missing: 404, wrong: 400 });
    await rt.invoke('Probe', payload({}));
    assert.ok(records.some((r) => r.line === 'again=403'));
  } finally {
    await rt.dispose();
  }
});

test('a misbehaving child (malformed frames, runaway output) is contained', async () => {
  const dir = join(scratch, 'rogue');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'app.mjs'),
    `import { writeSync } from 'node:fs';
export const handler = async (event) => {
  if (event.op === 'garbage') writeSync(3, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 1]));
  if (event.op === 'flood') { const line = 'x'.repeat(1 << 20); for (let i = 0; i < 8; i++) process.stdout.write(line); }
  await new Promise((r) => setTimeout(r, 50));
  return 'fine';
};
`,
  );
  const { rt, warnings } = runtime([nodeFn({ codeDir: dir, logicalId: 'Rogue' }), nodeFn()]);
  try {
    const garbage = await rt.invoke('Rogue', payload({ op: 'garbage' }));
    assert.equal(garbage.functionError, 'Unhandled', garbage.payload.toString());
    assert.ok(
      warnings.some((w) => w.includes('malformed')),
      warnings.join('\n'),
    );
    const flood = await rt.invoke('Rogue', payload({ op: 'flood' }));
    assert.equal(flood.payload.toString(), '"fine"');
    assert.ok(flood.logs.length <= 1.1 * 1024 * 1024);
    assert.equal((await rt.invoke('Hello', payload({ op: 'counter' }))).functionError, undefined);
  } finally {
    await rt.dispose();
  }
});

test('watchFunctionCode invalidates the function whose code changed', async () => {
  const dir = join(scratch, 'watched');
  cpSync(join(FIXTURES, 'node'), dir, { recursive: true });
  const fn = nodeFn({ codeDir: dir });
  const { rt } = runtime([fn]);
  const changed: string[][] = [];
  const close = watchFunctionCode(rt, [fn], (ids) => changed.push(ids));
  try {
    const v1 = JSON.parse((await rt.invoke('Hello', payload({ op: 'version' }))).payload.toString()) as {
      version: string;
    };
    assert.equal(v1.version, 'v1');
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(dir, 'version.txt'), 'v2\n');
    for (let i = 0; i < 100 && changed.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(changed[0], ['Hello']);
    const v2 = JSON.parse((await rt.invoke('Hello', payload({ op: 'version' }))).payload.toString()) as {
      version: string;
    };
    assert.equal(v2.version, 'v2');
  } finally {
    await close();
    await rt.dispose();
  }
});

test('debugPort: Node environments listen for the inspector, one per function, no timeout', async () => {
  const port = 19_000 + (process.pid % 1000);
  const { rt } = runtime([nodeFn({ timeout: 1 })], { debugPort: port });
  try {
    const r = await rt.invoke('Hello', payload({ op: 'sleep', ms: 1200 }));
    assert.equal(r.functionError, undefined);
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/json/list' }, (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString()));
        res.on('end', () => resolve(s));
      })
        .on('error', reject)
        .end();
    });
    assert.match(body, /webSocketDebuggerUrl/);
    assert.equal(rt.stats()[0]?.coldStarts, 1);
  } finally {
    await rt.dispose();
  }
});

test('without reserved concurrency, invocations beyond the cap queue; idle environments are reaped', async () => {
  const { rt } = runtime([nodeFn()], { defaultConcurrency: 1, idleTimeoutMs: 150 });
  try {
    const results = await Promise.all([1, 2, 3].map(() => rt.invoke('Hello', payload({ op: 'counter' }))));
    const counts = results.map((r) => (JSON.parse(r.payload.toString()) as { count: number }).count);
    assert.deepEqual(
      counts.sort((a, b) => a - b),
      [1, 2, 3],
    );
    assert.equal(rt.stats()[0]?.coldStarts, 1);
    for (let i = 0; i < 40 && (rt.stats()[0]?.environments.idle ?? 0) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(rt.stats()[0]?.environments.idle, 0);
  } finally {
    await rt.dispose();
  }
});

test('beyond the eager bound, short invocations queue for a warm environment instead of spawning', async () => {
  const { rt } = runtime([nodeFn()], { eagerConcurrency: 1 });
  try {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => rt.invoke('Hello', payload({ op: 'counter' }))),
    );
    assert.ok(results.every((r) => r.functionError === undefined));
    // Every invocation was served; a stalled moment may add one, not one per invocation.
    assert.ok((rt.stats()[0]?.coldStarts ?? 0) < 20);
    const counts = results.map((r) => (JSON.parse(r.payload.toString()) as { count: number }).count);
    assert.ok(Math.max(...counts) > 1, 'a warm environment served several invocations');
  } finally {
    await rt.dispose();
  }
});

test('queued invocations start more environments when none finishes for a while (no deadlock)', async () => {
  const { rt } = runtime([nodeFn({ timeout: 10 })], { eagerConcurrency: 1 });
  try {
    const results = await Promise.all(
      [1, 2, 3].map(() => rt.invoke('Hello', payload({ op: 'sleep', ms: 400 }))),
    );
    const pids = new Set(results.map((r) => (JSON.parse(r.payload.toString()) as { pid: number }).pid));
    assert.ok(pids.size > 1, 'a second environment took a queued invocation');
    assert.ok((rt.stats()[0]?.coldStarts ?? 0) <= 3);
  } finally {
    await rt.dispose();
  }
});

test('when most recent invocations were slow (I/O), concurrent ones get environments of their own again', async () => {
  const { rt } = runtime([nodeFn({ timeout: 10 })], { eagerConcurrency: 1 });
  try {
    for (let i = 0; i < 10; i++) await rt.invoke('Hello', payload({ op: 'sleep', ms: 15 }));
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => rt.invoke('Hello', payload({ op: 'sleep', ms: 150 }))),
    );
    const pids = new Set(results.map((r) => (JSON.parse(r.payload.toString()) as { pid: number }).pid));
    assert.ok(pids.size > 1, 'more than one environment ran them');
  } finally {
    await rt.dispose();
  }
});

test('reserved concurrency above the eager bound queues before it throttles', async () => {
  const { rt } = runtime([nodeFn({ reservedConcurrentExecutions: 3 })], { eagerConcurrency: 1 });
  try {
    const ok = [1, 2, 3].map(() => rt.invoke('Hello', payload({ op: 'sleep', ms: 300 })));
    await assert.rejects(rt.invoke('Hello', payload({ op: 'counter' })), {
      code: 'TooManyRequestsException',
    });
    for (const r of await Promise.all(ok)) assert.equal(r.functionError, undefined);
  } finally {
    await rt.dispose();
  }
});

test('setFunctions: a changed configuration rolls environments over; removed functions are gone', async () => {
  const { rt } = runtime([nodeFn()]);
  try {
    await rt.invoke('Hello', payload({ op: 'counter' }));
    rt.setFunctions([nodeFn({ environment: { CUSTOM_VAR: 'changed' } })]);
    const env = JSON.parse((await rt.invoke('Hello', payload({ op: 'env' }))).payload.toString()) as Record<
      string,
      string
    >;
    assert.equal(env.CUSTOM_VAR, 'changed');
    rt.setFunctions([]);
    await assert.rejects(rt.invoke('Hello', payload({})), { code: 'ResourceNotFoundException' });
  } finally {
    await rt.dispose();
  }
});

test('a Node heap exhausted at MemorySize is Runtime.OutOfMemory', async () => {
  const dir = join(scratch, 'oom');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'app.mjs'),
    `const keep = [];
export const handler = async () => { for (;;) keep.push(new Array(100000).fill({ a: Math.random() })); };
`,
  );
  const { rt } = runtime([nodeFn({ codeDir: dir, logicalId: 'Hungry', memorySize: 64, timeout: 20 })]);
  try {
    const r = await rt.invoke('Hungry', payload({}));
    assert.equal(r.error?.errorType, 'Runtime.OutOfMemory', r.payload.toString());
  } finally {
    await rt.dispose();
  }
});
