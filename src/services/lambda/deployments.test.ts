/** Deployments' state, driven directly: composition for the runtime, restart, package collection. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { functionModel } from '../../../test/conformance/function-model.ts';
import { unpackCodeArchive } from '../../runtime/index.ts';
import { systemClock } from '../../shared/clock.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { JsonValue, Store } from '../../store/types.ts';
import { codeRefOf, storePackage } from './code-package.ts';
import { Deployments } from './deployments.ts';
import { RECORDS_NAMESPACE, type FunctionRecord } from './records.ts';
import { nodeHandlerZip } from './test-support.ts';

const scratch = mkdtempSync(join(tmpdir(), 'slipway-deployments-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const template = functionModel({
  logicalId: 'Api',
  runtime: 'nodejs20.x',
  handler: 'app.handler',
  codeDir: scratch,
});
const ROLE = 'arn:aws:iam::123456789012:role/r';

function deployments(store: Store, logs: string[] = []): Deployments {
  return new Deployments({
    ns: store.namespace(RECORDS_NAMESPACE),
    blobDir: store.blobDir('lambda'),
    durable: false,
    clock: systemClock,
    region: 'us-east-1',
    accountId: '123456789012',
    unpack: (zip, owner) => unpackCodeArchive(zip, store.blobDir('lambda-code'), owner),
    log: (line) => logs.push(line),
  });
}

async function settle(d: Deployments, name: string): Promise<FunctionRecord> {
  const record = d.created(name) ?? d.forTemplate(name);
  assert.ok(record);
  await d.settled(record);
  return record;
}

test('functionsFor: overrides replace a template function in place; created functions and versions follow', async () => {
  const store = createMemoryStore();
  const d = deployments(store);
  await d.ready();
  assert.deepEqual(d.functionsFor([template]), [template]);
  const zip = nodeHandlerZip('x');
  await d.create(
    'made',
    { Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE },
    codeRefOf(zip),
    zip,
    true,
  );
  await settle(d, 'made');
  const record = d.recordForTemplate(template, 'rev');
  const override = nodeHandlerZip('o', 'app.mjs');
  await d.updateCode(record, codeRefOf(override), override, undefined, false);
  await settle(d, 'Api');
  const fns = d.functionsFor([template]);
  assert.deepEqual(
    fns.map((f) => [f.logicalId, f.version ?? '$LATEST']),
    [
      ['Api', '$LATEST'],
      ['made', '$LATEST'],
      ['made:1', '1'],
    ],
  );
  const api = fns[0];
  assert.ok(api?.codeDir && existsSync(join(api.codeDir, 'app.mjs')));
  assert.equal(api.functionName, template.functionName, 'same function, deployed code');
  assert.deepEqual(d.overridden(), ['Api']);
  // A template function taking a created function's name hides it.
  const clash = functionModel({
    logicalId: 'made',
    runtime: 'nodejs20.x',
    handler: 'app.handler',
    codeDir: scratch,
  });
  assert.equal(d.functionsFor([template, clash]).filter((f) => f.logicalId === 'made')[0], clash);
  await store.close();
});

test('a restart finishes an update a stop interrupted (InProgress becomes Successful)', async () => {
  const store = createMemoryStore();
  const d = deployments(store);
  const zip = nodeHandlerZip('v1');
  await d.create(
    'fn',
    { Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE },
    codeRefOf(zip),
    zip,
    false,
  );
  const record = await settle(d, 'fn');
  // As a crash would leave it: the new package stored, the record saying InProgress.
  const next = nodeHandlerZip('v2');
  const stored = {
    ...record,
    code: codeRefOf(next),
    status: { State: 'Active' as const, LastUpdateStatus: 'InProgress' as const },
  };
  await storePackage(store.blobDir('lambda'), codeRefOf(next), next, false);
  await store
    .namespace(RECORDS_NAMESPACE)
    .put('function/fn', JSON.parse(JSON.stringify(stored)) as JsonValue);
  const logs: string[] = [];
  const again = deployments(store, logs);
  await again.ready();
  const restored = again.created('fn');
  assert.equal(restored?.status.LastUpdateStatus, 'Successful');
  assert.equal(restored?.running?.code?.hex, codeRefOf(next).hex);
  assert.ok(
    logs.some((l) => l.includes('are back: fn')),
    logs.join('\n'),
  );
  await store.close();
});

test('packages no function or version refers to are deleted', async () => {
  const store = createMemoryStore();
  const d = deployments(store);
  await d.ready();
  const first = nodeHandlerZip('one');
  await d.create(
    'gc',
    { Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE },
    codeRefOf(first),
    first,
    false,
  );
  const record = await settle(d, 'gc');
  const second = nodeHandlerZip('two');
  await d.updateCode(record, codeRefOf(second), second, undefined, false);
  await settle(d, 'gc');
  assert.deepEqual(readdirSync(store.blobDir('lambda')), [`${codeRefOf(second).hex}.zip`]);
  await d.delete(record);
  assert.deepEqual(readdirSync(store.blobDir('lambda')), []);
  await store.close();
});
