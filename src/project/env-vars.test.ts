import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SlipwayError } from '../shared/errors.ts';
import { environmentFor, parseEnvVarsFile } from './env-vars.ts';
import type { FunctionModel } from './model.ts';

function envFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'slipway-env-')), 'env.json');
  writeFileSync(path, content);
  return path;
}

const fn = {
  logicalId: 'Orders',
  functionName: 'my-app-Orders-ABC',
  environment: { TABLE: 'from-template', STAGE: 'dev', KEEP: 'kept' },
} as unknown as FunctionModel;

test('Parameters apply to every function; per-function entries (logical id or name) override; new variables are added', () => {
  const file = parseEnvVarsFile(
    envFile(
      JSON.stringify({
        Parameters: { STAGE: 'local', EXTRA: 1, DEBUG: true, EMPTY: null },
        'my-app-Orders-ABC': { TABLE: 'by-name', BYNAME: 'x' },
        Orders: { TABLE: 'by-id' },
        Other: { TABLE: 'not-mine' },
      }),
    ),
  );
  assert.deepEqual(environmentFor(fn, file), {
    TABLE: 'by-id',
    STAGE: 'local',
    KEEP: 'kept',
    EXTRA: '1',
    DEBUG: 'true',
    EMPTY: '',
    BYNAME: 'x',
  });
  assert.deepEqual(environmentFor(fn, undefined), fn.environment);
  assert.notEqual(environmentFor(fn, undefined), fn.environment);
});

test('invalid files are EnvVarsInvalid naming the file and the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['{ nope', /not valid JSON/],
    ['[1, 2]', /top level must be an object/],
    ['{"Parameters": "x"}', /"Parameters" must be an object/],
    ['{"Fn": {"A": {"nested": 1}}}', /"Fn\.A" must be a string, number or boolean/],
  ];
  for (const [content, message] of cases) {
    const path = envFile(content);
    assert.throws(
      () => parseEnvVarsFile(path),
      (err: unknown) => {
        assert.ok(err instanceof SlipwayError);
        assert.equal(err.code, 'EnvVarsInvalid');
        assert.equal(err.where?.file, path);
        assert.match(err.message, message);
        return true;
      },
    );
  }
  assert.throws(() => parseEnvVarsFile('/nonexistent/env.json'), { code: 'EnvVarsInvalid' });
});
