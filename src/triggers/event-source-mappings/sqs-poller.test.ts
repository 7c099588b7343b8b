/** SQS event source mappings through a real runtime and an in-memory queue (./testing.ts). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { fixture, harness, settle, shapeOf, type Harness, REGION, ACCOUNT } from './harness.ts';
import type { EventSourceMappingCause, EventSourceMappingConfig } from './ports.ts';
import { eventually } from './testing.ts';

const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs`;
const FIFO = `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs.fifo`;

function sqsMapping(fields: Partial<EventSourceMappingConfig> = {}): EventSourceMappingConfig {
  return { UUID: 'sqs-1', EventSourceArn: QUEUE, FunctionName: 'consumer', BatchSize: 10, ...fields };
}

async function withHarness(
  mapping: EventSourceMappingConfig,
  body: (h: Harness) => Promise<void>,
  options: Parameters<typeof harness>[1] & { queue?: Parameters<Harness['sqs']['createQueue']>[1] } = {},
): Promise<void> {
  const h = harness([mapping], options);
  h.sqs.createQueue(mapping.EventSourceArn, options.queue);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

const bodies = (h: Harness, i: number): string[] =>
  (h.invocations()[i]?.event.Records ?? []).map((r) => String(r.body));

test('the SQS event matches AWS key for key and type for type; a handled batch is deleted', async () => {
  await withHarness(sqsMapping(), async (h) => {
    h.esm.start();
    h.sqs.send(QUEUE, 'Message Body', {
      attributes: {
        Attribute1: { DataType: 'String', StringValue: 'AttributeValue1' },
        Attribute2: { dataType: 'Number', stringValue: '123' },
        Attribute3: { DataType: 'Binary', BinaryValue: Buffer.from('1100') },
      },
    });
    const [inv] = await eventually(() => h.invocations().length >= 1 && h.invocations(), 'an invocation');
    const record = inv?.event.Records[0] as Record<string, unknown>;
    const expected = fixture('sqs-event.json').Records[0] as Record<string, unknown>;
    // The same keys, with the same types (the fixture lists keys in another order than Lambda sends).
    assert.deepEqual(Object.keys(record).sort(), Object.keys(expected).sort());
    for (const key of Object.keys(expected)) {
      if (key === 'messageAttributes') continue;
      assert.deepEqual(shapeOf(record[key]), shapeOf(expected[key]), key);
    }
    assert.deepEqual(record.messageAttributes, {
      Attribute1: {
        stringValue: 'AttributeValue1',
        stringListValues: [],
        binaryListValues: [],
        dataType: 'String',
      },
      Attribute2: { stringValue: '123', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      Attribute3: { binaryValue: 'MTEwMA==', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, QUEUE);
    assert.equal(record.awsRegion, REGION);
    assert.equal(record.md5OfBody, createHash('md5').update('Message Body').digest('hex'));
    assert.deepEqual(Object.keys(record.attributes as object), [
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
    ]);
    await eventually(() => h.sqs.bodies(QUEUE).length === 0, 'the message deleted');
  });
});

test('wakes on arrival: no timer runs while the queue is idle, and a send starts the handler at once', async () => {
  await withHarness(sqsMapping(), async (h) => {
    h.esm.start();
    await settle(200);
    const receives = h.sqs.receiveCalls;
    await settle(200);
    // The clock never moves in this test, so nothing can have waited for a poll interval.
    assert.equal(h.sqs.receiveCalls, receives, 'no receive while idle');
    assert.equal(h.clock.pending(), 0, 'no timer armed while idle');
    h.sqs.send(QUEUE, 'hello');
    await eventually(() => h.invocations().length >= 1, 'the handler invoked');
    assert.deepEqual(bodies(h, 0), ['hello']);
  });
});

test('batching: a full batch goes at once; a partial one waits for MaximumBatchingWindowInSeconds', async () => {
  await withHarness(sqsMapping({ BatchSize: 3, MaximumBatchingWindowInSeconds: 20 }), async (h) => {
    h.esm.start();
    await settle(50);
    for (const b of ['a', 'b', 'c']) h.sqs.send(QUEUE, b);
    await eventually(() => h.invocations().length >= 1, 'the full batch');
    assert.deepEqual(bodies(h, 0), ['a', 'b', 'c']);
    await eventually(() => h.sqs.bodies(QUEUE).length === 0, 'the batch deleted');

    h.sqs.send(QUEUE, 'd');
    h.sqs.send(QUEUE, 'e');
    await settle();
    assert.equal(h.invocations().length, 1, 'the window holds a partial batch');
    h.clock.advance(19_000);
    await settle(100);
    assert.equal(h.invocations().length, 1, 'still within the window');
    h.clock.advance(1_000);
    await eventually(() => h.invocations().length >= 2, 'the window closes');
    assert.deepEqual(bodies(h, 1), ['d', 'e']);
  });
});

test('a failed batch stays in the queue and is retried when its visibility timeout ends', async () => {
  const mapping = sqsMapping();
  await withHarness(
    mapping,
    async (h) => {
      h.esm.start();
      h.sqs.send(QUEUE, JSON.stringify({ failTimes: 1, id: 'm1' }));
      await eventually(() => h.invocations().length >= 1, 'the first delivery');
      await settle();
      assert.equal(h.invocations().length, 1, 'not retried before the visibility timeout');
      assert.equal(h.sqs.bodies(QUEUE).length, 1);
      h.clock.advance(45_000);
      await eventually(() => h.invocations().length >= 2, 'the retry');
      const retry = h.invocations()[1]?.event.Records[0] as { attributes: Record<string, string> };
      assert.equal(retry.attributes.ApproximateReceiveCount, '2');
      await eventually(() => h.sqs.bodies(QUEUE).length === 0, 'deleted after success');
      assert.equal(h.esm.stats()[0]?.functionErrors, 1);
    },
    { queue: { visibilityTimeout: 45 } },
  );
});

test('the queue redrive policy moves a message that keeps failing to the dead-letter queue', async () => {
  const dlq = `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs-dlq`;
  const h = harness([sqsMapping()]);
  h.sqs.createQueue(dlq);
  h.sqs.createQueue(QUEUE, {
    visibilityTimeout: 10,
    redrive: { deadLetterTargetArn: dlq, maxReceiveCount: 2 },
  });
  try {
    h.esm.start();
    h.sqs.send(QUEUE, JSON.stringify({ fail: true }));
    await eventually(() => h.invocations().length >= 1, 'first delivery');
    h.clock.advance(10_000);
    await eventually(() => h.invocations().length >= 2, 'second delivery');
    await settle(100);
    h.clock.advance(10_000);
    await eventually(() => h.sqs.bodies(dlq).length >= 1, 'moved to the DLQ');
    assert.equal(h.invocations().length, 2);
    assert.deepEqual(h.sqs.bodies(QUEUE), []);
  } finally {
    await h.close();
  }
});

test('ReportBatchItemFailures: only the reported messages stay in the queue', async () => {
  await withHarness(sqsMapping({ FunctionResponseTypes: ['ReportBatchItemFailures'] }), async (h) => {
    h.esm.start();
    h.sqs.send(QUEUE, 'ok-1');
    h.sqs.send(QUEUE, JSON.stringify({ itemFail: true }));
    h.sqs.send(QUEUE, 'ok-2');
    await eventually(() => h.invocations().length >= 1, 'the batch');
    await eventually(() => h.sqs.bodies(QUEUE).length === 1, 'the successes deleted');
    assert.deepEqual(h.sqs.bodies(QUEUE), [JSON.stringify({ itemFail: true })]);
  });
});

test('ReportBatchItemFailures: an itemIdentifier not in the batch fails the whole batch', async () => {
  await withHarness(sqsMapping({ FunctionResponseTypes: ['ReportBatchItemFailures'] }), async (h) => {
    h.esm.start();
    h.sqs.send(QUEUE, JSON.stringify({ badResponse: true }));
    h.sqs.send(QUEUE, 'ok');
    await eventually(() => h.invocations().length >= 1, 'the batch');
    await eventually(() => h.esm.stats()[0]?.functionErrors === 1, 'counted as a failure');
    assert.equal(h.sqs.bodies(QUEUE).length, 2, 'nothing deleted');
    assert.match(h.logs.join('\n'), /invalid partial batch response \(itemIdentifier not-in-the-batch/);
  });
});

test('without ReportBatchItemFailures a returned batchItemFailures list is ignored', async () => {
  await withHarness(sqsMapping(), async (h) => {
    h.esm.start();
    h.sqs.send(QUEUE, JSON.stringify({ itemFail: true }));
    await eventually(() => h.invocations().length >= 1, 'the batch');
    await eventually(() => h.sqs.bodies(QUEUE).length === 0, 'deleted anyway');
  });
});

test('FIFO: one batch in flight per message group, in order, a failure blocking only its group', async () => {
  await withHarness(
    sqsMapping({ EventSourceArn: FIFO, BatchSize: 1, ScalingConfig: { MaximumConcurrency: 4 } }),
    async (h) => {
      h.esm.start();
      h.sqs.send(FIFO, JSON.stringify({ g: 'a', n: 1, failTimes: 1, id: 'a1' }), { groupId: 'a' });
      for (const n of [2, 3]) h.sqs.send(FIFO, JSON.stringify({ g: 'a', n }), { groupId: 'a' });
      for (const n of [1, 2, 3]) h.sqs.send(FIFO, JSON.stringify({ g: 'b', n }), { groupId: 'b' });
      const seen = () =>
        h.invocations().map((i) => JSON.parse(String(i.event.Records[0]?.body)) as { g: string; n: number });
      await eventually(() => seen().filter((m) => m.g === 'b').length >= 3, 'group b done');
      await settle();
      assert.deepEqual(
        seen()
          .filter((m) => m.g === 'a')
          .map((m) => m.n),
        [1],
        'group a waits for its failed first message',
      );
      h.clock.advance(30_000);
      await eventually(() => seen().filter((m) => m.g === 'a').length >= 4, 'group a done');
      assert.deepEqual(
        seen()
          .filter((m) => m.g === 'a')
          .map((m) => m.n),
        [1, 1, 2, 3],
      );
      assert.deepEqual(
        seen()
          .filter((m) => m.g === 'b')
          .map((m) => m.n),
        [1, 2, 3],
      );
    },
  );
});

test('throttling releases the messages and backs off; nothing reaches the function', async () => {
  await withHarness(
    sqsMapping(),
    async (h) => {
      h.esm.start();
      h.sqs.send(QUEUE, 'x');
      await eventually(() => (h.esm.stats()[0]?.throttles ?? 0) >= 1, 'a throttle');
      await settle(100);
      const throttles = h.esm.stats()[0]?.throttles;
      assert.equal(h.invocations().length, 0);
      assert.deepEqual(h.sqs.bodies(QUEUE), ['x'], 'released, not deleted');
      assert.equal(h.esm.stats()[0]?.throttles, throttles, 'backing off (the clock has not moved)');
      h.clock.advance(10);
      await eventually(
        () => (h.esm.stats()[0]?.throttles ?? 0) > (throttles ?? 0),
        'retried after the backoff',
      );
    },
    { fn: { reservedConcurrentExecutions: 0 } },
  );
});

test('the cause carries the sender; onInvoke can veto (the message is dropped without a DLQ)', async () => {
  const causes: EventSourceMappingCause[] = [];
  await withHarness(
    sqsMapping(),
    async (h) => {
      h.esm.start();
      const caller = { accessKeyId: 'AKIDFN', functionLogicalId: 'Producer', invocationRequestId: 'req-1' };
      h.sqs.send(QUEUE, 'allowed', { caller });
      await eventually(() => h.invocations().length >= 1, 'invoked');
      h.sqs.send(QUEUE, 'veto');
      await eventually(() => causes.length >= 2, 'second cause');
      await eventually(() => h.sqs.bodies(QUEUE).length === 0, 'vetoed message dropped');
      await settle(100);
      assert.equal(h.invocations().length, 1);
      assert.deepEqual(causes[0]?.callers, [caller]);
      assert.equal(causes[0]?.eventSource, 'aws:sqs');
      assert.equal(causes[0]?.mappingUuid, 'sqs-1');
      assert.equal(causes[0]?.itemIds.length, 1);
    },
    {
      deps: {
        onInvoke: (cause) => {
          causes.push(cause);
          return causes.length === 1;
        },
      },
    },
  );
});

test('refresh: a disabled mapping stops polling; enabling it again picks up waiting messages', async () => {
  await withHarness(sqsMapping(), async (h) => {
    h.esm.start();
    await settle(50);
    (h.mappings[0] as EventSourceMappingConfig).Enabled = false;
    h.esm.refresh();
    await eventually(() => h.esm.stats().length >= 0, 'stopped');
    h.sqs.send(QUEUE, 'later');
    await settle();
    assert.equal(h.invocations().length, 0);
    (h.mappings[0] as EventSourceMappingConfig).Enabled = true;
    h.esm.refresh();
    await eventually(() => h.invocations().length >= 1, 'processed after re-enabling');
  });
});

test('FilterCriteria: JSON bodies match as JSON, others as strings; messages that match no filter are deleted uninvoked', async () => {
  const mapping = sqsMapping({
    FilterCriteria: {
      Filters: [
        { Pattern: JSON.stringify({ body: { kind: ['order'] } }) },
        { Pattern: JSON.stringify({ body: ['ping'] }) },
      ],
    },
  });
  await withHarness(mapping, async (h) => {
    h.esm.start();
    h.sqs.send(QUEUE, JSON.stringify({ kind: 'order', id: 1 }));
    h.sqs.send(QUEUE, JSON.stringify({ kind: 'refund', id: 2 }));
    h.sqs.send(QUEUE, 'ping');
    h.sqs.send(QUEUE, 'pong');
    await eventually(() => h.sqs.bodies(QUEUE).length === 0, 'every message gone');
    const delivered = h.invocations().flatMap((i) => i.event.Records.map((r) => String(r.body)));
    assert.deepEqual(delivered.sort(), [JSON.stringify({ kind: 'order', id: 1 }), 'ping'].sort());
    assert.equal(h.esm.stats()[0]?.recordsFiltered, 2);
  });
});

test('FilterCriteria: an invalid pattern keeps the mapping from starting, and says why', async () => {
  await withHarness(sqsMapping({ FilterCriteria: { Filters: [{ Pattern: '{"body": 5}' }] } }), async (h) => {
    h.esm.start();
    await eventually(() => h.logs.length > 0, 'a log line');
    assert.match(h.logs[0] ?? '', /sqs-1 not started: InvalidFilterCriteria: .*Filters\[0\]\.Pattern/);
    assert.equal(h.esm.stats().length, 0);
  });
});
