/** Kinesis event source mappings through a real runtime and an in-memory stream (./testing.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNT, fixture, harness, REGION, settle, shapeOf, type Harness } from './harness.ts';
import { createEventSourceMappings } from './index.ts';
import { laneOf } from './kinesis-shard.ts';
import type { CheckpointsPort, EventSourceMappingCause, EventSourceMappingConfig } from './ports.ts';
import { eventually } from './testing.ts';

const STREAM = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/clicks`;
const DLQ = `arn:aws:sqs:${REGION}:${ACCOUNT}:clicks-failures`;

function kinesisMapping(fields: Partial<EventSourceMappingConfig> = {}): EventSourceMappingConfig {
  return {
    UUID: 'kin-1',
    EventSourceArn: STREAM,
    FunctionName: 'consumer',
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: 100,
    MaximumRetryAttempts: -1,
    MaximumRecordAgeInSeconds: -1,
    ...fields,
  };
}

async function withStream(
  mapping: EventSourceMappingConfig,
  body: (h: Harness) => Promise<void>,
  options: Parameters<typeof harness>[1] & { shards?: number } = {},
): Promise<void> {
  const h = harness([mapping], options);
  h.kinesis.createStream(STREAM, options.shards ?? 1);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

/** The decoded data of each invocation's records. */
function batches(h: Harness): string[][] {
  return h
    .invocations()
    .map((i) =>
      i.event.Records.map((r) =>
        Buffer.from((r.kinesis as { data: string }).data, 'base64').toString('utf8'),
      ),
    );
}

/** Moves the clock past the backoff timer the poller arms after a failure (once it is armed). */
async function tick(h: Harness, ms = 10): Promise<void> {
  await eventually(() => h.clock.pending() > 0, 'a backoff timer');
  h.clock.advance(ms);
}

const put = (h: Harness, data: unknown, key = 'k'): string =>
  h.kinesis.put(STREAM, key, typeof data === 'string' ? data : JSON.stringify(data));

test('the Kinesis event matches AWS key for key and type for type', async () => {
  await withStream(kinesisMapping(), async (h) => {
    h.esm.start();
    const seq = h.kinesis.put(STREAM, 's1', 'Hello World');
    await eventually(() => h.invocations().length >= 1, 'an invocation');
    const record = h.invocations()[0]?.event.Records[0] as Record<string, unknown>;
    const expected = fixture('kinesis-event.json').Records[0];
    assert.deepEqual(shapeOf(record), shapeOf(expected));
    assert.deepEqual(record.kinesis, {
      kinesisSchemaVersion: '1.0',
      partitionKey: 's1',
      sequenceNumber: seq,
      data: 'SGVsbG8gV29ybGQ=',
      approximateArrivalTimestamp: h.clock.now() / 1000,
    });
    assert.equal(record.eventID, `shardId-000000000000:${seq}`);
    assert.equal(record.eventSourceARN, STREAM);
    assert.equal(record.awsRegion, REGION);
    assert.equal(record.invokeIdentityArn, `arn:aws:iam::${ACCOUNT}:role/consumer-role`);
  });
});

test('wakes on arrival from LATEST: only new records, no read while idle, no timer armed', async () => {
  await withStream(kinesisMapping({ StartingPosition: 'LATEST' }), async (h) => {
    put(h, 'old');
    h.esm.start();
    await settle(200);
    const reads = h.kinesis.reads;
    await settle(200);
    assert.equal(h.kinesis.reads, reads, 'no read while idle');
    assert.equal(h.clock.pending(), 0, 'no timer armed while idle');
    put(h, 'new');
    await eventually(() => h.invocations().length >= 1, 'the handler invoked');
    assert.deepEqual(batches(h), [['new']]);
  });
});

test('a failing batch is retried in order and blocks the shard until it succeeds', async () => {
  await withStream(kinesisMapping({ BatchSize: 2 }), async (h) => {
    h.esm.start();
    put(h, { n: 1, failTimes: 2, id: 'r1' });
    put(h, { n: 2 });
    put(h, { n: 3 });
    await eventually(() => h.invocations().length >= 1, 'the first attempt');
    await settle(150);
    assert.equal(h.invocations().length, 1, 'waiting for the backoff (the clock has not moved)');
    for (let i = 2; i <= 3; i++) {
      await tick(h);
      await eventually(() => h.invocations().length >= i, `attempt ${i}`);
    }
    await eventually(() => h.invocations().length >= 4, 'the next batch');
    const ns = batches(h).map((b) => b.map((d) => (JSON.parse(d) as { n: number }).n));
    assert.deepEqual(ns, [[1, 2], [1, 2], [1, 2], [3]]);
    await eventually(
      () => h.esm.stats()[0]?.shards?.['shardId-000000000000']?.checkpoint !== undefined,
      'checkpoint',
    );
  });
});

test('BisectBatchOnFunctionError halves a failing batch down to the bad record, which goes to OnFailure', async () => {
  const mapping = kinesisMapping({
    BatchSize: 4,
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 0,
    DestinationConfig: { OnFailure: { Destination: DLQ } },
  });
  await withStream(mapping, async (h) => {
    h.esm.start();
    for (const d of ['a', 'b', JSON.stringify({ fail: true }), 'd']) put(h, d);
    await eventually(() => h.invocations().length >= 5, 'five invocations');
    const bad = JSON.stringify({ fail: true });
    assert.deepEqual(batches(h), [['a', 'b', bad, 'd'], ['a', 'b'], [bad, 'd'], [bad], ['d']]);
    await eventually(() => h.destinations.sent.length >= 1, 'the failure record');
    const info = (h.destinations.sent[0]?.record as { KinesisBatchInfo: { batchSize: number } })
      .KinesisBatchInfo;
    assert.equal(info.batchSize, 1);
  });
});

test('MaximumRetryAttempts exhausted: the OnFailure record has AWS shape and the shard moves on', async () => {
  const mapping = kinesisMapping({
    MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: DLQ } },
  });
  await withStream(mapping, async (h) => {
    h.esm.start();
    const first = put(h, { fail: true });
    const second = put(h, { fail: true }, 'k2');
    h.clock.advance(1); // arrival times differ from the failure's time
    await eventually(() => h.invocations().length >= 1, 'first attempt');
    for (let i = 2; i <= 3; i++) {
      await tick(h);
      await eventually(() => h.invocations().length === i, `retry ${i - 1}`);
    }
    await eventually(() => h.destinations.sent.length >= 1, 'sent to the destination');
    const { arn, record } = h.destinations.sent[0] as { arn: string; record: Record<string, unknown> };
    assert.equal(arn, DLQ);
    const r = record as {
      requestContext: Record<string, unknown>;
      responseContext: Record<string, unknown>;
      KinesisBatchInfo: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(record), [
      'requestContext',
      'responseContext',
      'version',
      'timestamp',
      'KinesisBatchInfo',
    ]);
    assert.equal(r.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(r.requestContext.approximateInvokeCount, 3);
    assert.equal(r.requestContext.functionArn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:consumer`);
    assert.match(String(r.requestContext.requestId), /^[0-9a-f-]{36}$/);
    assert.deepEqual(r.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(record.version, '1.0');
    assert.match(String(record.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(r.KinesisBatchInfo, {
      shardId: 'shardId-000000000000',
      startSequenceNumber: first,
      endSequenceNumber: second,
      approximateArrivalOfFirstRecord: new Date(h.clock.now() - 21).toISOString(),
      approximateArrivalOfLastRecord: new Date(h.clock.now() - 21).toISOString(),
      batchSize: 2,
      streamArn: STREAM,
    });
    put(h, 'next');
    await eventually(() => h.invocations().length >= 4, 'the shard moves on');
    assert.deepEqual(batches(h)[3], ['next']);
  });
});

test('MaximumRecordAgeInSeconds: a batch older than that is discarded as RecordAgeExceeded', async () => {
  const mapping = kinesisMapping({
    MaximumRecordAgeInSeconds: 60,
    DestinationConfig: { OnFailure: { Destination: DLQ } },
  });
  await withStream(mapping, async (h) => {
    h.esm.start();
    put(h, { fail: true });
    await eventually(() => h.invocations().length >= 1, 'first attempt');
    await tick(h, 61_000);
    await eventually(() => h.destinations.sent.length >= 1, 'discarded');
    const record = h.destinations.sent[0]?.record as { requestContext: { condition: string } };
    assert.equal(record.requestContext.condition, 'RecordAgeExceeded');
  });
});

test('ReportBatchItemFailures checkpoints before the lowest failed record and retries from there', async () => {
  const mapping = kinesisMapping({ BatchSize: 3, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  await withStream(mapping, async (h) => {
    h.esm.start();
    put(h, 'a');
    put(h, JSON.stringify({ itemFailTimes: 1, id: 'b' }));
    put(h, JSON.stringify({ itemFailTimes: 1, id: 'c' }));
    await eventually(() => h.invocations().length >= 1, 'first attempt');
    await tick(h);
    await eventually(() => h.invocations().length >= 2, 'the retry');
    const b = JSON.stringify({ itemFailTimes: 1, id: 'b' });
    const c = JSON.stringify({ itemFailTimes: 1, id: 'c' });
    assert.deepEqual(batches(h), [
      ['a', b, c],
      [b, c],
    ]);
    await settle(100);
    assert.equal(h.invocations().length, 2);
  });
});

test('ParallelizationFactor: batches per partition key run concurrently, in order per key', async () => {
  // Two keys on different lanes: one blocked by a failure must not hold the other back.
  const keys = ['blue', 'green', 'red', 'amber', 'cyan'];
  const slow = keys[0] as string;
  const fast = keys.find((k) => laneOf(k, 2) !== laneOf(slow, 2)) as string;
  await withStream(kinesisMapping({ ParallelizationFactor: 2, BatchSize: 1 }), async (h) => {
    h.esm.start();
    put(h, { key: slow, n: 1, failTimes: 1, id: 'slow1' }, slow);
    put(h, { key: slow, n: 2 }, slow);
    for (const n of [1, 2, 3]) put(h, { key: fast, n }, fast);
    const seen = () => batches(h).map((b) => JSON.parse(b[0] as string) as { key: string; n: number });
    await eventually(() => seen().filter((x) => x.key === fast).length >= 3, 'the other key done');
    await eventually(() => h.clock.pending() > 0, 'the failed key backing off');
    await settle(100);
    assert.deepEqual(
      seen()
        .filter((x) => x.key === slow)
        .map((x) => x.n),
      [1],
      'the failed key waits',
    );
    await tick(h);
    await eventually(() => seen().filter((x) => x.key === slow).length >= 3, 'the failed key done');
    assert.deepEqual(
      seen()
        .filter((x) => x.key === slow)
        .map((x) => x.n),
      [1, 1, 2],
    );
    assert.deepEqual(
      seen()
        .filter((x) => x.key === fast)
        .map((x) => x.n),
      [1, 2, 3],
    );
    await eventually(
      () => h.esm.stats()[0]?.shards?.['shardId-000000000000']?.checkpoint !== undefined,
      'a checkpoint past all five',
    );
  });
});

test('checkpoints persist: a restart resumes after the last processed record', async () => {
  const saved = new Map<string, string>();
  const checkpoints: CheckpointsPort = { get: (k) => saved.get(k), put: (k, v) => void saved.set(k, v) };
  const first = harness([kinesisMapping()], { deps: { checkpoints } });
  first.kinesis.createStream(STREAM, 2);
  try {
    first.esm.start();
    first.kinesis.put(STREAM, 'a', '1', { shard: 0 });
    first.kinesis.put(STREAM, 'b', '2', { shard: 1 });
    await eventually(() => first.invocations().length >= 2, 'both shards');
    await eventually(() => saved.size === 2, 'checkpoints saved');
  } finally {
    await first.esm.close();
  }
  // The same stream, a new set of pollers: only the record put after the restart is processed.
  const resumed = createEventSourceMappings({
    invoker: first.runtime,
    sqs: first.sqs,
    kinesis: first.kinesis,
    destinations: first.destinations,
    clock: first.clock,
    region: REGION,
    log: () => {},
    mappings: () => [kinesisMapping()],
    checkpoints,
  });
  try {
    resumed.start();
    first.kinesis.put(STREAM, 'a', '3', { shard: 0 });
    await eventually(() => first.invocations().length >= 3, 'the new record');
    await settle(150);
    assert.deepEqual(batches(first).slice(0, 2).sort(), [['1'], ['2']]);
    assert.deepEqual(batches(first)[2], ['3']);
  } finally {
    await resumed.close();
    await first.runtime.dispose();
  }
});

test('FilterCriteria: only data is matched, decoded as JSON; skipped records still advance the checkpoint', async () => {
  const mapping = kinesisMapping({
    BatchSize: 10,
    FilterCriteria: {
      Filters: [
        { Pattern: JSON.stringify({ data: { type: ['click'] } }) },
        { Pattern: JSON.stringify({ partitionKey: ['vip'] }) },
      ],
    },
  });
  await withStream(mapping, async (h) => {
    h.esm.start();
    put(h, { type: 'click', n: 1 });
    put(h, { type: 'view', n: 2 }, 'vip');
    const last = put(h, 'not json');
    await eventually(
      () => h.esm.stats()[0]?.shards?.['shardId-000000000000']?.checkpoint === last,
      'the checkpoint past every record',
    );
    assert.deepEqual(batches(h), [[JSON.stringify({ type: 'click', n: 1 })]]);
    assert.equal(h.esm.stats()[0]?.recordsFiltered, 2);
  });
});

test('the cause carries the callers that put the records', async () => {
  const causes: EventSourceMappingCause[] = [];
  const caller = { accessKeyId: 'AKIDFN', functionLogicalId: 'Producer', invocationRequestId: 'req-1' };
  await withStream(
    kinesisMapping(),
    async (h) => {
      h.kinesis.put(STREAM, 'k', 'one', { caller });
      h.kinesis.put(STREAM, 'k', 'two', { caller });
      h.esm.start();
      await eventually(() => h.invocations().length >= 1, 'an invocation');
      assert.deepEqual(batches(h), [['one', 'two']]);
      assert.equal(causes.length, 1);
      assert.deepEqual(causes[0]?.callers, [caller]);
      assert.equal(causes[0]?.eventSource, 'aws:kinesis');
      assert.equal(causes[0]?.shardId, 'shardId-000000000000');
      assert.equal(causes[0]?.itemIds.length, 2);
    },
    { deps: { onInvoke: (cause) => void causes.push(cause) } },
  );
});
