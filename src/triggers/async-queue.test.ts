import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FunctionModel } from '../project/model.ts';
import type { Invoker } from '../runtime/types.ts';
import { AwsServiceError } from '../shared/errors.ts';
import { createTraceLog, rootCause } from '../trace/index.ts';
import { createAsyncInvoker, type AsyncInvokerDeps } from './async-queue.ts';
import type { InvocationRecord } from './destinations.ts';
import {
  busArn,
  lookup,
  nodeFunction,
  queueArn,
  recordingSinks,
  startRuntime,
  topicArn,
  testClock,
} from './testing.ts';

const failures = queueArn('failures');
const successes = queueArn('successes');
const fns: FunctionModel[] = [
  nodeFunction('Ok', { eventInvokeConfig: { destinationConfig: { onSuccess: { destination: successes } } } }),
  nodeFunction('Flaky'),
  nodeFunction('Failing', {
    eventInvokeConfig: {
      maximumRetryAttempts: 1,
      destinationConfig: { onFailure: { destination: failures } },
    },
  }),
  nodeFunction('ToDlq', {
    eventInvokeConfig: { maximumRetryAttempts: 0 },
    deadLetterQueue: { type: 'SQS', targetArn: queueArn('dlq') },
  }),
  nodeFunction('ToSnsDlq', {
    eventInvokeConfig: { maximumRetryAttempts: 0 },
    deadLetterQueue: { type: 'SNS', targetArn: topicArn('dlq') },
  }),
  nodeFunction('Aged', {
    eventInvokeConfig: {
      maximumEventAgeInSeconds: 60,
      destinationConfig: { onFailure: { destination: failures } },
    },
  }),
  nodeFunction('Slow', {
    timeout: 1,
    eventInvokeConfig: {
      maximumRetryAttempts: 0,
      destinationConfig: { onFailure: { destination: failures } },
    },
  }),
  nodeFunction('Nowhere', { eventInvokeConfig: { maximumRetryAttempts: 0 } }),
  nodeFunction('Chained', {
    eventInvokeConfig: { destinationConfig: { onSuccess: { destination: 'app-Ok' } } },
  }),
  nodeFunction('ToBus', {
    eventInvokeConfig: { destinationConfig: { onSuccess: { destination: busArn('results') } } },
  }),
];
const rt = startRuntime(fns);
after(() => rt.dispose());

function setup(overrides: Partial<AsyncInvokerDeps> = {}) {
  const sinks = recordingSinks();
  const lines: string[] = [];
  const invoker = createAsyncInvoker({
    invoker: rt.runtime,
    functions: lookup(fns),
    sinks,
    clock: testClock,
    log: (l) => lines.push(l),
    retryDelayScale: 0.001,
    ...overrides,
  });
  return { sinks, lines, invoker };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const counter = (name: string) => join(rt.scratch, `${name}-${Math.random().toString(36).slice(2)}`);

test('success goes to the OnSuccess destination with the invocation record', async () => {
  const { sinks, invoker } = setup();
  const { requestId } = invoker.enqueue('Ok', json({ hello: 'world' }));
  await invoker.idle();
  assert.equal(sinks.sqsSent.length, 1);
  assert.equal(sinks.sqsSent[0]?.queueArn, successes);
  const record = JSON.parse(sinks.sqsSent[0].body) as InvocationRecord;
  assert.equal(record.version, '1.0');
  assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(record.requestContext, {
    requestId,
    functionArn: `${fns[0]!.arn}:$LATEST`,
    condition: 'Success',
    approximateInvokeCount: 1,
  });
  assert.deepEqual(record.requestPayload, { hello: 'world' });
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
  assert.deepEqual(record.responsePayload, { echo: { hello: 'world' } });
  assert.equal(invoker.stats().succeeded, 1);
});

test('a function error is retried (twice by default) and then succeeds', async () => {
  const { sinks, lines, invoker } = setup();
  const file = counter('flaky');
  invoker.enqueue('Flaky', json({ op: 'failTimes', n: 2, counterFile: file }));
  await invoker.idle();
  const s = invoker.stats().functions.Flaky;
  assert.equal(s?.succeeded, 1);
  assert.equal(s?.retries, 2);
  assert.deepEqual(lines, []);
  assert.equal(sinks.sqsSent.length, 0);
});

test('retries exhausted: the OnFailure record carries the error and the attempt count', async () => {
  const { sinks, lines, invoker } = setup();
  const { requestId } = invoker.enqueue('Failing', json({ op: 'fail' }));
  await invoker.idle();
  assert.equal(sinks.sqsSent.length, 1);
  const record = JSON.parse(sinks.sqsSent[0]!.body) as InvocationRecord;
  assert.equal(record.requestContext.requestId, requestId);
  assert.equal(record.requestContext.condition, 'RetriesExhausted');
  assert.equal(record.requestContext.approximateInvokeCount, 2);
  assert.deepEqual(record.responseContext, {
    statusCode: 200,
    executedVersion: '$LATEST',
    functionError: 'Unhandled',
  });
  const payload = record.responsePayload as { errorType: string; errorMessage: string };
  assert.equal(payload.errorType, 'TypeError');
  assert.equal(payload.errorMessage, 'always fails');
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^Failing: async event .* failed after 2 attempt\(s\) \(TypeError: always fails\); sent to OnFailure/,
  );
});

test('a dead-letter queue gets the event itself with RequestID, ErrorCode and ErrorMessage', async () => {
  const { sinks, invoker } = setup();
  const { requestId } = invoker.enqueue('ToDlq', json({ op: 'fail', n: 1 }));
  const sns = invoker.enqueue('ToSnsDlq', json({ op: 'fail', n: 2 }));
  await invoker.idle();
  assert.equal(sinks.sqsSent.length, 1);
  assert.equal(sinks.sqsSent[0]?.queueArn, queueArn('dlq'));
  assert.deepEqual(JSON.parse(sinks.sqsSent[0].body), { op: 'fail', n: 1 });
  assert.deepEqual(sinks.sqsSent[0]?.options?.messageAttributes, {
    RequestID: { DataType: 'String', StringValue: requestId },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: 'TypeError: always fails' },
  });
  assert.equal(sinks.snsPublished.length, 1);
  assert.equal(sinks.snsPublished[0]?.topicArn, topicArn('dlq'));
  assert.equal(sinks.snsPublished[0]?.message, JSON.stringify({ op: 'fail', n: 2 }));
  assert.equal(sinks.snsPublished[0]?.options?.messageAttributes?.RequestID?.StringValue, sns.requestId);
});

test('an event older than MaximumEventAgeInSeconds is not retried: EventAgeExceeded', async () => {
  // 60 s scaled is 60 ms; the first retry comes 60 ms (one scaled minute) after a failure: too old.
  const { sinks, invoker } = setup();
  invoker.enqueue('Aged', json({ op: 'fail' }));
  await invoker.idle();
  const record = JSON.parse(sinks.sqsSent[0]!.body) as InvocationRecord;
  assert.equal(record.requestContext.condition, 'EventAgeExceeded');
  assert.equal(record.requestContext.approximateInvokeCount, 1);
  assert.equal(invoker.stats().functions.Aged?.retries, 1);
});

test('a timeout is a function error', async () => {
  const { sinks, invoker } = setup();
  invoker.enqueue('Slow', json({ op: 'sleep', ms: 3000 }));
  await invoker.idle();
  const record = JSON.parse(sinks.sqsSent[0]!.body) as InvocationRecord;
  assert.equal(record.requestContext.condition, 'RetriesExhausted');
  assert.match(JSON.stringify(record.responsePayload), /Task timed out after 1\.00 seconds/);
});

test('throttles are retried with backoff and are not attempts', async () => {
  let throttles = 3;
  const throttling: Invoker = {
    invoke(name, req) {
      if (throttles-- > 0)
        return Promise.reject(
          new AwsServiceError('TooManyRequestsException', 429, 'Rate Exceeded.', {
            Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
          }),
        );
      return rt.runtime.invoke(name, req);
    },
  };
  const { sinks, invoker } = setup({ invoker: throttling });
  const file = counter('throttled');
  invoker.enqueue('Flaky', json({ op: 'failTimes', n: 2, counterFile: file }));
  await invoker.idle();
  const s = invoker.stats().functions.Flaky;
  assert.equal(s?.throttles, 3);
  assert.equal(s?.retries, 2, 'two function errors, each retried; throttles did not use the retries up');
  assert.equal(s?.succeeded, 1);
  assert.equal(sinks.sqsSent.length, 0);
});

test('nothing is lost silently: no destination and no DLQ means one log line', async () => {
  const { lines, invoker } = setup();
  const { requestId } = invoker.enqueue('Nowhere', json({ op: 'fail' }));
  await invoker.idle();
  assert.deepEqual(lines, [
    `Nowhere: dropped async event ${requestId}: it failed after 1 attempt(s) (TypeError: always fails), ` +
      'and the function has no OnFailure destination or DeadLetterQueue.',
  ]);
  assert.equal(invoker.stats().dropped, 1);
});

test('a destination that cannot be reached is logged', async () => {
  const { sinks, lines, invoker } = setup();
  sinks.failing.add(failures);
  invoker.enqueue('Failing', json({ op: 'fail' }));
  await invoker.idle();
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /could not send the OnFailure record to .*failures.*NonExistentQueue.*dropped/);
});

test('Lambda and EventBridge destinations; the destination invocation continues the chain', async () => {
  const trace = createTraceLog();
  const { sinks, invoker } = setup({ trace });
  const { requestId } = invoker.enqueue('Chained', json({ a: 1 }), {
    cause: rootCause('evt-1'),
    source: 'S3 uploads',
  });
  invoker.enqueue('ToBus', json({ b: 2 }));
  await invoker.idle();
  // Chained → Ok (OnSuccess) → successes queue (Ok's own OnSuccess).
  const okRecord = JSON.parse(sinks.sqsSent[0]!.body) as InvocationRecord;
  const received = okRecord.requestPayload as InvocationRecord;
  assert.equal(received.requestContext.requestId, requestId);
  assert.equal(received.requestContext.condition, 'Success');
  assert.deepEqual(received.requestPayload, { a: 1 });
  const okTrace = trace.invocation(okRecord.requestContext.requestId);
  assert.equal(okTrace?.cause.eventId, 'evt-1');
  assert.deepEqual(
    okTrace?.cause.chain.map((l) => l.functionLogicalId),
    ['Chained'],
  );
  assert.equal(sinks.eventsPut.length, 1);
  const entry = sinks.eventsPut[0]!.entries[0]!;
  assert.equal(entry.Source, 'lambda');
  assert.equal(entry.DetailType, 'Lambda Function Invocation Result - Success');
  assert.equal(entry.EventBusName, busArn('results'));
  assert.deepEqual((JSON.parse(entry.Detail) as InvocationRecord).responsePayload, { echo: { b: 2 } });
});

test('unknown functions and payloads over 1 MB are refused as Lambda refuses them', () => {
  const { invoker } = setup();
  assert.throws(() => invoker.enqueue('Nope', json({})), { code: 'ResourceNotFoundException' });
  assert.throws(() => invoker.enqueue('Ok', Buffer.alloc(1024 * 1024 + 1)), {
    code: 'RequestEntityTooLargeException',
  });
});
