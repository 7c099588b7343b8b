import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyProject, runCli } from '../helpers/slipway.ts';

describe('the AWS SDK v3 is provided to Node.js functions, as on Lambda', () => {
  // Outside the repository, so nothing resolves from Slipway's own node_modules by directory walk.
  const project = copyProject('test/integration/fixtures/aws-sdk');
  const template = join(project.dir, 'template.yaml');
  after(() => project.remove());

  test('an ES module imports a client without bundling it', async () => {
    const r = await runCli(['invoke', 'Esm', '--template', template], { timeoutMs: 60000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { esm: 'function', cmd: 'function' });
  });

  test('CommonJS requires a client; Slipway’s own dependencies stay invisible', async () => {
    const r = await runCli(['invoke', 'Cjs', '--template', template], { timeoutMs: 60000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { cjs: 'function', yaml: 'hidden' });
  });

  test('a TypeScript handler imports a client', async () => {
    const r = await runCli(['invoke', 'Ts', '--template', template], { timeoutMs: 60000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ts: 'function' });
  });
});
