import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTraceLog, extendCause, rootCause } from './index.ts';

test('causeFor: no caller or a caller that is no invocation starts a new root', () => {
  const log = createTraceLog();
  assert.deepEqual(log.causeFor(undefined, 'e1'), { eventId: 'e1', chain: [], depth: 0 });
  assert.deepEqual(log.causeFor({ accessKeyId: 'AKUSER' }, 'e2'), rootCause('e2'));
});

test('causeFor: a known invocation passes on its chain, plus itself', () => {
  const log = createTraceLog();
  const first = rootCause('root');
  log.recordInvocation({ requestId: 'r1', functionLogicalId: 'A', cause: first, source: 'S3 in' });
  const second = log.causeFor({ accessKeyId: 'AK', functionLogicalId: 'A', invocationRequestId: 'r1' }, 'e2');
  assert.deepEqual(second, {
    eventId: 'root',
    chain: [{ functionLogicalId: 'A', requestId: 'r1', source: 'S3 in' }],
    depth: 1,
  });
  log.recordInvocation({ requestId: 'r2', functionLogicalId: 'B', cause: second });
  const third = log.causeFor({ accessKeyId: 'AK', invocationRequestId: 'r2' }, 'e3');
  assert.deepEqual(
    third.chain.map((l) => l.functionLogicalId),
    ['A', 'B'],
  );
  assert.equal(third.depth, 2);
  assert.equal(third.eventId, 'root');
});

test('causeFor: an invocation the log never saw (a direct invoke) starts a chain with it', () => {
  const log = createTraceLog();
  const c = log.causeFor({ accessKeyId: 'AK', functionLogicalId: 'Api', invocationRequestId: 'rx' }, 'e9');
  assert.deepEqual(c, { eventId: 'e9', chain: [{ functionLogicalId: 'Api', requestId: 'rx' }], depth: 1 });
});

test('the log is bounded and keeps the first record of a request id', () => {
  const log = createTraceLog({ capacity: 3, now: () => 42 });
  for (const id of ['a', 'b', 'c', 'd'])
    log.recordInvocation({ requestId: id, functionLogicalId: 'F', cause: rootCause(id) });
  log.recordInvocation({ requestId: 'd', functionLogicalId: 'Other', cause: rootCause('x') });
  assert.equal(log.invocation('a'), undefined);
  assert.equal(log.invocation('d')?.functionLogicalId, 'F');
  assert.equal(log.invocation('d')?.time, 42);
  assert.deepEqual(
    log.recent().map((r) => r.requestId),
    ['b', 'c', 'd'],
  );
  assert.deepEqual(
    log.recent(1).map((r) => r.requestId),
    ['d'],
  );
  assert.equal(extendCause(rootCause('z'), { functionLogicalId: 'F', requestId: 'q' }).depth, 1);
});
