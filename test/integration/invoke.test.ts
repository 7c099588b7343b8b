import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/slipway.ts';

const fixtures = join(REPO_ROOT, 'test/integration/fixtures');
const errorsTemplate = join(fixtures, 'errors/template.yaml');

describe('slipway invoke', () => {
  test('runs the TypeScript example: result on stdout, logs on stderr, exit 0', async () => {
    const r = await runCli([
      'invoke',
      'HelloFunction',
      '--template',
      'examples/hello-api/template.yaml',
      '--event',
      'examples/hello-api/events/hello.json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { statusCode: number; body: string };
    assert.equal(result.statusCode, 200);
    assert.equal((JSON.parse(result.body) as { message: string }).message, 'Hello, Slipway!');
    assert.match(r.stderr, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    assert.match(r.stderr, /^END RequestId: /m);
    assert.match(r.stderr, /^REPORT RequestId: .*Init Duration: [\d.]+ ms/m);
    assert.match(r.stderr, /\tINFO\tgreeting Slipway/);
  });

  test('reads the event from standard input and runs Python', async () => {
    const r = await runCli(['invoke', 'PyFn', '--template', errorsTemplate, '--event', '-'], {
      input: '{"a": [1, "ü"]}',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      got: { a: [1, 'ü'] },
      fn: (JSON.parse(r.stdout) as { fn: string }).fn,
      remaining_positive: true,
    });
  });

  test('runs a provided.al2023 bash bootstrap over the HTTP Runtime API', async () => {
    const r = await runCli(['invoke', 'Shell', '--template', errorsTemplate, '--event', '-'], {
      input: '{"x":1}',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { shell: true, event: { x: 1 } });
    assert.match(r.stderr, /bash got \{"x":1\}/);
  });

  test('a function error prints AWS’s error payload and exits 1', async () => {
    const r = await runCli(['invoke', 'Thrower', '--template', errorsTemplate]);
    assert.equal(r.code, 1);
    const err = JSON.parse(r.stdout) as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(err.errorType, 'OrderError');
    assert.equal(err.errorMessage, 'order 42 is not payable');
    assert.ok(
      Array.isArray(err.trace) && err.trace.some((l) => l.includes('fns.mjs')),
      'Node.js reports the stack as `trace`',
    );
  });

  test('a timeout is reported as Lambda does and exits 1', async () => {
    const r = await runCli(['invoke', 'Sleeper', '--template', errorsTemplate]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Task timed out after 1\.00 seconds/);
  });

  test('env.json overrides the template, adds undeclared variables and applies Parameters to all', async () => {
    const r = await runCli([
      'invoke',
      'Env',
      '--template',
      errorsTemplate,
      '--env-vars',
      join(fixtures, 'errors/env.json'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const env = JSON.parse(r.stdout) as Record<string, string | null>;
    assert.equal(env.FROM_TEMPLATE, 'template');
    assert.equal(env.OVERRIDDEN, 'env-json');
    assert.equal(env.NUMBER, '42');
    assert.equal(env.ADDED, 'not-in-template');
    assert.equal(env.SHARED, 'for-all');
    assert.ok(env.AWS_LAMBDA_FUNCTION_NAME);
  });

  test('--json prints one object with the result, the error and the logs', async () => {
    const r = await runCli(['invoke', 'Thrower', '--template', errorsTemplate, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as {
      requestId: string;
      functionError: string;
      payload: { errorType: string };
      logs: string[];
      billedDurationMs: number;
    };
    assert.equal(out.functionError, 'Unhandled');
    assert.equal(out.payload.errorType, 'OrderError');
    assert.ok(out.logs.some((l) => l.startsWith(`REPORT RequestId: ${out.requestId}`)));
    assert.equal(typeof out.billedDurationMs, 'number');
    assert.equal(r.stderr, '');
  });

  describe('bad input: one clear message, non-zero exit', () => {
    test('an event file that is not JSON', async () => {
      const r = await runCli([
        'invoke',
        'Env',
        '--template',
        errorsTemplate,
        '--event',
        join(fixtures, 'errors/shell/bootstrap'),
      ]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /error\[EventInvalid\]: the event in .*bootstrap is not valid JSON/);
      assert.equal(r.stdout, '');
    });

    test('an event file that does not exist', async () => {
      const r = await runCli(['invoke', 'Env', '--template', errorsTemplate, '--event', 'nope.json']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot read the event file nope\.json: ENOENT/);
    });

    test('a function the template does not declare', async () => {
      const r = await runCli(['invoke', 'Nope', '--template', errorsTemplate]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no function 'Nope'/);
      assert.match(r.stderr, /Thrower/);
    });

    test('a broken template names file:line:column', async () => {
      const r = await runCli(['invoke', 'Fn', '--template', join(fixtures, 'broken-yaml/template.yaml')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /broken-yaml\/template\.yaml:\d+:\d+/);
    });

    test('an unknown runtime names the resource and the runtimes that work', async () => {
      const r = await runCli(['invoke', 'Fn', '--template', join(fixtures, 'unknown-runtime/template.yaml')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /nodejs99\.x/);
      assert.match(r.stderr, /unknown-runtime\/template\.yaml:7:\d+/);
      assert.match(r.stderr, /Fn/);
    });

    test('a missing handler file names the function, the handler and the folder', async () => {
      const r = await runCli([
        'invoke',
        'Missing',
        '--template',
        join(fixtures, 'missing-handler/template.yaml'),
      ]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Missing/);
      assert.match(r.stderr, /nothere/);
      assert.match(r.stderr, /missing-handler\/src/);
    });

    test('a missing template says where it looked', async () => {
      const r = await runCli(['invoke', 'Fn'], { cwd: fixtures });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /template\.yaml/);
    });
  });
});
