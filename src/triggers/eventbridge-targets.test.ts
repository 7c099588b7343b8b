import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceEvent } from '../services/types.ts';
import { createEventBridgeTargets } from './eventbridge-targets.ts';
import {
  ACCOUNT_ID,
  REGION,
  busArn,
  lookup,
  queueArn,
  recordingAsyncInvoker,
  recordingSinks,
  topicArn,
  testClock,
} from './testing.ts';

const ruleArn = `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/nightly`;
const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:app-Worker`;
const event = {
  version: '0',
  id: 'ev-1',
  source: 'my.app',
  'detail-type': 'Thing Happened',
  detail: { a: 1 },
  resources: [],
};

function matched(targetArn: string, extra: Record<string, unknown> = {}): ServiceEvent {
  return {
    source: 'events',
    type: 'RuleMatched',
    resourceArn: ruleArn,
    detail: {
      ruleArn,
      busArn: busArn('default'),
      targetId: 't1',
      targetArn,
      input: JSON.stringify(event),
      event,
      ...extra,
    },
    caller: { accessKeyId: 'AK', functionLogicalId: 'Emitter', invocationRequestId: 'req-3' },
    time: 0,
  };
}

function setup() {
  const sinks = recordingSinks();
  const asyncInvoker = recordingAsyncInvoker();
  const lines: string[] = [];
  const targets = createEventBridgeTargets({
    sinks,
    asyncInvoker,
    functions: lookup([]),
    clock: testClock,
    log: (l) => lines.push(l),
  });
  return { targets, sinks, asyncInvoker, lines };
}

test('targets are chosen by ARN: lambda (async), sqs, sns, another bus', async () => {
  const { targets, sinks, asyncInvoker } = setup();
  await targets.onEvent(matched(fnArn));
  await targets.onEvent(matched(queueArn('q')));
  await targets.onEvent(matched(topicArn('t')));
  await targets.onEvent(matched(busArn('other')));
  assert.deepEqual(
    asyncInvoker.calls.map((c) => [c.fn, c.payload, c.options?.source]),
    [[fnArn, event, 'rule nightly']],
  );
  assert.deepEqual(
    sinks.sqsSent.map((s) => [s.queueArn, s.body]),
    [[queueArn('q'), JSON.stringify(event)]],
  );
  assert.equal(sinks.sqsSent[0]?.options?.caller?.invocationRequestId, 'req-3');
  assert.deepEqual(
    sinks.snsPublished.map((s) => [s.topicArn, s.message]),
    [[topicArn('t'), JSON.stringify(event)]],
  );
  const put = sinks.eventsPut[0]!.entries[0]!;
  assert.deepEqual(put, {
    Source: 'my.app',
    DetailType: 'Thing Happened',
    Detail: '{"a":1}',
    Resources: [],
    EventBusName: busArn('other'),
  });
});

test('transformed input is delivered as given', async () => {
  const { targets, sinks } = setup();
  await targets.onEvent(matched(queueArn('q'), { input: '"just a string"' }));
  assert.equal(sinks.sqsSent[0]?.body, '"just a string"');
});

test('FIFO queue targets take MessageGroupId from SqsParameters; without one they go to the DLQ', async () => {
  const { targets, sinks, lines } = setup();
  await targets.onEvent(matched(queueArn('orders.fifo'), { sqsParameters: { MessageGroupId: 'g1' } }));
  assert.equal(sinks.sqsSent[0]?.options?.messageGroupId, 'g1');
  assert.equal(sinks.sqsSent[0]?.options?.messageDeduplicationId, 'ev-1');
  await targets.onEvent(matched(queueArn('orders.fifo'), { deadLetterArn: queueArn('dlq') }));
  assert.equal(sinks.sqsSent[1]?.queueArn, queueArn('dlq'));
  assert.equal(sinks.attributes(1)?.ERROR_MESSAGE, 'a FIFO queue target needs SqsParameters.MessageGroupId');
  assert.match(lines[0]!, /rule nightly: event ev-1 not delivered .* sent to .*dlq/);
});

test('a failing target is retried per RetryPolicy, then dead-lettered with EventBridge’s attributes', async () => {
  const { targets, sinks, lines } = setup();
  sinks.failing.add(queueArn('down'));
  await targets.onEvent(
    matched(queueArn('down'), {
      deadLetterArn: queueArn('dlq'),
      retryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
    }),
  );
  assert.equal(sinks.sqsSent.length, 1);
  assert.equal(sinks.sqsSent[0]?.body, JSON.stringify(event));
  assert.deepEqual(sinks.attributes(0), {
    RULE_ARN: ruleArn,
    TARGET_ARN: queueArn('down'),
    ERROR_CODE: 'SDK_CLIENT_ERROR',
    ERROR_MESSAGE: `NonExistentQueue: ${queueArn('down')}`,
    EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    RETRY_ATTEMPTS: '2',
  });
  assert.equal(lines.length, 1);
});

test('without a dead-letter queue the loss is logged', async () => {
  const { targets, sinks, lines } = setup();
  sinks.failing.add(topicArn('down'));
  await targets.onEvent(matched(topicArn('down'), { retryPolicy: { MaximumRetryAttempts: 0 } }));
  assert.deepEqual(lines, [
    `rule nightly: event ev-1 not delivered to ${topicArn('down')} (NonExistentQueue: ${topicArn('down')}); the target has no DeadLetterConfig, so it is dropped.`,
  ]);
});

test('close ends waiting retries', async () => {
  const { targets, sinks, lines } = setup();
  sinks.failing.add(queueArn('down'));
  const done = targets.onEvent(matched(queueArn('down'), { retryPolicy: { MaximumRetryAttempts: 185 } }));
  await new Promise((r) => setTimeout(r, 20));
  targets.close();
  await done;
  assert.match(lines[0]!, /Slipway stopped/);
});
