import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionModel } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';
import { checkHandlerFile } from './preflight.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-preflight-'));
mkdirSync(join(dir, 'src'));
writeFileSync(join(dir, 'src', 'app.mjs'), 'export const nested = { fn: async () => 1 };');
writeFileSync(join(dir, 'src', 'bootstrap'), '#!/bin/sh\n');

const fn = (over: Partial<FunctionModel>): FunctionModel =>
  ({
    logicalId: 'Fn',
    runtimeFamily: 'nodejs',
    handler: 'app.handler',
    codeDir: join(dir, 'src'),
    packageType: 'Zip',
    layers: [],
    location: { file: join(dir, 'template.yaml'), line: 3, column: 3 },
    ...over,
  }) as FunctionModel;

const code = (f: FunctionModel): string | undefined => {
  try {
    checkHandlerFile(f, dir);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof SlipwayError);
    return err.code;
  }
};

test('a Node handler with a nested export path resolves its module as the runtime does', () => {
  assert.equal(code(fn({ handler: 'app.nested.fn' })), undefined);
  assert.equal(code(fn({ handler: 'other.handler' })), 'HandlerNotFound');
  assert.equal(code(fn({ handler: 'app' })), 'HandlerInvalid');
});

test('a provided bootstrap must exist and be executable', () => {
  assert.equal(code(fn({ runtimeFamily: 'provided', handler: 'x' })), 'BootstrapNotExecutable');
  chmodSync(join(dir, 'src', 'bootstrap'), 0o755);
  assert.equal(code(fn({ runtimeFamily: 'provided', handler: 'x' })), undefined);
  assert.equal(code(fn({ runtimeFamily: 'provided', handler: 'x', codeDir: dir })), 'HandlerNotFound');
});
