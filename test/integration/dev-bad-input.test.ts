import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/slipway.ts';

const fixtures = join(REPO_ROOT, 'test/integration/fixtures');

describe('slipway dev: bad input gives one clear message, a non-zero exit and nothing left running', () => {
  test('a port already in use names the port and the flag', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(
        [
          'dev',
          '--ephemeral',
          '--template',
          'examples/hello-api/template.yaml',
          '--port',
          '0',
          '--api-port',
          String(port),
        ],
        { timeoutMs: 20000 },
      );
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        new RegExp(`error\\[PortInUse\\]: port ${port} on 127\\.0\\.0\\.1 is already in use`),
      );
      assert.match(r.stderr, /--api-port/);
    } finally {
      blocker.close();
    }
  });

  test('--concurrency that is not a whole number from 1 to 1000', async () => {
    for (const bad of ['0', '2.5', 'many']) {
      const r = await runCli(['dev', '--template', 'examples/hello-api/template.yaml', '--concurrency', bad]);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--concurrency must be a whole number from 1 to 1000/);
    }
  });

  test('a broken template', async () => {
    const r = await runCli([
      'dev',
      '--template',
      join(fixtures, 'broken-yaml/template.yaml'),
      '--port',
      '0',
      '--api-port',
      '0',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken-yaml\/template\.yaml:\d+:\d+/);
  });

  test('an unknown runtime', async () => {
    const r = await runCli([
      'dev',
      '--template',
      join(fixtures, 'unknown-runtime/template.yaml'),
      '--port',
      '0',
      '--api-port',
      '0',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /UnsupportedRuntime|nodejs99\.x/);
  });

  test('two APIs claiming the same route: an error naming both', async () => {
    const r = await runCli([
      'dev',
      '--template',
      join(fixtures, 'route-conflict/template.yaml'),
      '--port',
      '0',
      '--api-port',
      '0',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RouteConflict/);
    assert.match(r.stderr, /ServerlessRestApi/);
    assert.match(r.stderr, /ServerlessHttpApi/);
    assert.match(r.stderr, /First/);
    assert.match(r.stderr, /Second/);
  });

  test('a bad flag value', async () => {
    const r = await runCli(['dev', '--template', 'examples/hello-api/template.yaml', '--port', 'http']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port must be a port number/);
  });

  test('--json errors are one JSON object', async () => {
    const r = await runCli([
      'dev',
      '--json',
      '--template',
      join(fixtures, 'unknown-runtime/template.yaml'),
      '--port',
      '0',
      '--api-port',
      '0',
    ]);
    assert.equal(r.code, 2);
    const err = JSON.parse(r.stderr.trim().split('\n').pop()!) as {
      type: string;
      code: string;
      where: { file: string; line: number };
    };
    assert.equal(err.type, 'error');
    assert.equal(typeof err.where.line, 'number');
  });
});
