import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { FunctionModel } from '../project/model.ts';
import type { Invoker } from '../runtime/types.ts';
import type { Caller, ServiceEvent } from '../services/types.ts';
import {
  createTriggers,
  type PollerCause,
  type S3NotificationConfiguration,
  type Triggers,
} from './index.ts';
import {
  ACCOUNT_ID,
  REGION,
  lookup,
  nodeFunction,
  queueArn,
  recordingSinks,
  startRuntime,
  testClock,
} from './testing.ts';

const fns: FunctionModel[] = [
  nodeFunction('HashFn', { deadLetterQueue: { type: 'SQS', targetArn: queueArn('loop-dlq') } }),
  nodeFunction('AllowFn', { recursiveLoop: 'Allow' }),
  nodeFunction('SqsFn'),
];
const rt = startRuntime(fns);
after(() => rt.dispose());

const notifications: Record<string, S3NotificationConfiguration> = {
  uploads: {
    LambdaFunctionConfigurations: [{ LambdaFunctionArn: fns[0]!.arn, Events: ['s3:ObjectCreated:*'] }],
  },
  allowed: {
    LambdaFunctionConfigurations: [{ LambdaFunctionArn: fns[1]!.arn, Events: ['s3:ObjectCreated:*'] }],
  },
};

function put(bucket: string, key: string, caller?: Caller): ServiceEvent {
  return {
    source: 's3',
    type: 'ObjectCreated:Put',
    resourceArn: `arn:aws:s3:::${bucket}`,
    detail: {
      bucket,
      key,
      size: 1,
      eTag: 'e',
      sequencer: '01',
      sourceIPAddress: '127.0.0.1',
      requestId: `R${key}`,
    },
    ...(caller ? { caller } : {}),
    time: Date.now(),
  };
}

/**
 * Each function invocation "writes the object back": the S3 service would emit an event attributed
 * to that invocation (its access key), which is what this invoker does after each run, `limit` times.
 */
function setup(limit: number) {
  const sinks = recordingSinks();
  const lines: string[] = [];
  const invoked: string[] = [];
  const ref: { triggers?: Triggers } = {};
  const writingBack: Invoker = {
    async invoke(name, request) {
      const result = await rt.runtime.invoke(name, request);
      invoked.push(name);
      const fn = fns.find((f) => f.logicalId === name)!;
      const bucket = fn.logicalId === 'HashFn' ? 'uploads' : 'allowed';
      if (invoked.length < limit)
        ref.triggers?.onServiceEvent(
          put(bucket, `k${invoked.length}`, {
            accessKeyId: `AK${fn.logicalId}`,
            functionLogicalId: fn.logicalId,
            invocationRequestId: result.requestId,
          }),
        );
      return result;
    },
  };
  const triggers = createTriggers({
    invoker: writingBack,
    functions: lookup(fns),
    s3: { getBucketNotificationConfiguration: (b) => notifications[b] },
    ...sinks,
    clock: testClock,
    log: (l) => lines.push(l),
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  ref.triggers = triggers;
  return { triggers, sinks, lines, invoked };
}

test('a recursive loop S3 → function → S3 is stopped after 16 invocations, named, and dead-lettered', async () => {
  const { triggers, sinks, lines, invoked } = setup(100);
  triggers.onServiceEvent(put('uploads', 'first.txt'));
  await triggers.idle();
  assert.equal(invoked.length, 16);
  assert.deepEqual(lines.slice(0, 1), [
    'Recursive loop detected: S3 uploads → HashFn → S3 uploads → HashFn … (16 invocations); stopped. ' +
      'Set RecursiveLoop: Allow on HashFn to allow it.',
  ]);
  assert.equal(sinks.sqsSent.length, 1);
  assert.equal(sinks.sqsSent[0]?.queueArn, queueArn('loop-dlq'));
  const event = JSON.parse(sinks.sqsSent[0].body) as { Records: Array<{ s3: { object: { key: string } } }> };
  assert.equal(event.Records[0]?.s3.object.key, 'k16');
  assert.equal(sinks.attributes(0)?.ErrorCode, '400');
  assert.match(
    sinks.attributes(0)?.ErrorMessage ?? '',
    /^RecursiveInvocationException: Recursive loop detected/,
  );
  // The trace knows the chain of the last invocation.
  const last = triggers.trace.recent(1)[0];
  assert.equal(last?.cause.depth, 15);
  assert.equal(last?.cause.eventId, 'Rfirst.txt');
  await triggers.close();
});

test('RecursiveLoop: Allow lets the chain go on', async () => {
  const { triggers, lines, invoked } = setup(20);
  triggers.onServiceEvent(put('allowed', 'first.txt'));
  await triggers.idle();
  assert.equal(invoked.length, 20);
  assert.deepEqual(lines, []);
  await triggers.close();
});

test('poller hooks: SQS → function → SQS chains are traced and stopped at the limit', async () => {
  const { triggers, lines } = setup(0);
  const hooks = triggers.eventSourceMappingHooks;
  let callers: Caller[] = [];
  let runs = 0;
  for (;;) {
    const cause: PollerCause = { eventSourceArn: queueArn('jobs'), functionName: 'SqsFn', callers };
    if (!hooks.onInvoke(cause)) break;
    const result = await hooks.invoker.invoke('SqsFn', { payload: Buffer.from('{}'), cause });
    runs++;
    callers = [{ accessKeyId: 'AKsqs', functionLogicalId: 'SqsFn', invocationRequestId: result.requestId }];
    assert.ok(runs <= 16, 'stopped');
  }
  assert.equal(runs, 16);
  assert.deepEqual(lines, [
    'Recursive loop detected: SQS jobs → SqsFn → SQS jobs → SqsFn … (16 invocations); stopped. ' +
      'Set RecursiveLoop: Allow on SqsFn to allow it.',
  ]);
  await triggers.close();
});

test('events of other sources are ignored; problems in a route are logged, never thrown', async () => {
  const { triggers, lines } = setup(0);
  triggers.onServiceEvent({ source: 'kinesis', type: 'RecordsPut', resourceArn: 'x', detail: {}, time: 0 });
  const broken = createTriggers({
    invoker: rt.runtime,
    functions: lookup(fns),
    s3: {
      getBucketNotificationConfiguration: () => {
        throw new Error('store closed');
      },
    },
    ...recordingSinks(),
    clock: testClock,
    log: (l) => lines.push(l),
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  broken.onServiceEvent(put('uploads', 'x'));
  await broken.idle();
  assert.deepEqual(lines, [
    'triggers: s3 ObjectCreated:Put on arn:aws:s3:::uploads not delivered: store closed',
  ]);
  await Promise.all([triggers.close(), broken.close()]);
});
