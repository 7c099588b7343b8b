import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../store/memory.ts';
import type { ServiceContext, ServiceEvent } from '../types.ts';
import { hashKeyRanges, partitionKeyHash, shardIndexForHash, MAX_HASH_KEY } from './hash.ts';
import { createKinesisService } from './index.ts';
import { formatSequenceNumber, parseSequenceNumber } from './sequence.ts';
import { manualClock, type ManualClock } from './test-clock.ts';

function context(clock: ManualClock = manualClock(), store = createMemoryStore()) {
  const events: ServiceEvent[] = [];
  const ctx: ServiceContext = {
    region: 'us-east-1',
    accountId: '123456789012',
    clock,
    store,
    endpointUrl: () => 'http://127.0.0.1:4566',
    emit: (e) => events.push(e),
    log: () => undefined,
  };
  return { ctx, clock, store, events };
}

test('hash key ranges match AWS for 1, 2, 3 and 4 shards', () => {
  assert.deepEqual(hashKeyRanges(1), [{ startingHashKey: 0n, endingHashKey: MAX_HASH_KEY }]);
  // The ranges DescribeStream reports on AWS for 2- and 3-shard streams.
  assert.deepEqual(
    hashKeyRanges(2).map((r) => [r.startingHashKey.toString(), r.endingHashKey.toString()]),
    [
      ['0', '170141183460469231731687303715884105727'],
      ['170141183460469231731687303715884105728', '340282366920938463463374607431768211455'],
    ],
  );
  assert.deepEqual(
    hashKeyRanges(3).map((r) => [r.startingHashKey.toString(), r.endingHashKey.toString()]),
    [
      ['0', '113427455640312821154458202477256070484'],
      ['113427455640312821154458202477256070485', '226854911280625642308916404954512140969'],
      ['226854911280625642308916404954512140970', '340282366920938463463374607431768211455'],
    ],
  );
  const four = hashKeyRanges(4);
  assert.equal(four[1]!.startingHashKey.toString(), '85070591730234615865843651857942052864');
  for (let i = 1; i < four.length; i++)
    assert.equal(four[i]!.startingHashKey, four[i - 1]!.endingHashKey + 1n);
});

test('partition keys hash with MD5 into the shard whose range holds the hash', () => {
  // md5("a") = 0cc175b9c0f1b6a831c399e269772661
  assert.equal(partitionKeyHash('a'), 0x0cc175b9c0f1b6a831c399e269772661n);
  const ranges = hashKeyRanges(4);
  assert.equal(shardIndexForHash(ranges, partitionKeyHash('a')), 0);
  assert.equal(shardIndexForHash(ranges, 0n), 0);
  assert.equal(shardIndexForHash(ranges, MAX_HASH_KEY), 3);
  assert.equal(shardIndexForHash(ranges, ranges[2]!.startingHashKey), 2);
  assert.equal(shardIndexForHash(ranges, ranges[2]!.startingHashKey - 1n), 1);
  for (const key of ['x', 'user-1', 'zzzz', 'ä']) {
    const h = partitionKeyHash(key);
    const r = ranges[shardIndexForHash(ranges, h)]!;
    assert.ok(r.startingHashKey <= h && h <= r.endingHashKey);
  }
});

test('sequence numbers are 56 digits, round-trip, and order like their counters', () => {
  const a = formatSequenceNumber({ streamCreatedMs: 1_700_000_000_000, shardIndex: 3, counter: 9 });
  const b = formatSequenceNumber({ streamCreatedMs: 1_700_000_000_000, shardIndex: 3, counter: 10 });
  assert.equal(a.length, 56);
  assert.ok(a < b && BigInt(a) < BigInt(b));
  assert.deepEqual(parseSequenceNumber(b), {
    streamCreatedMs: 1_700_000_000_000,
    shardIndex: 3,
    counter: 10,
  });
  assert.equal(parseSequenceNumber('123'), undefined);
});

test('records are ordered per shard and routed by partition key or explicit hash key', async () => {
  const { ctx, events } = context();
  const k = createKinesisService(ctx);
  const { streamArn } = await k.createStream('s', 4);
  assert.equal(streamArn, 'arn:aws:kinesis:us-east-1:123456789012:stream/s');
  assert.deepEqual(await k.createStream('s', 2), { streamArn }, 'idempotent');
  assert.equal(k.streamArn('s'), streamArn);
  assert.equal(k.streamArn(streamArn), streamArn);
  assert.equal(k.streamArn('nope'), undefined);
  const shards = k.listShards(streamArn);
  assert.deepEqual(
    shards.map((s) => s.shardId),
    ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'],
  );

  const woken: string[] = [];
  const off = k.onRecords(streamArn, (id) => woken.push(id));
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  const out = (await callOp(
    k,
    'PutRecords',
    JSON.stringify({
      StreamName: 's',
      Records: [
        ...Array.from({ length: 5 }, (_, i) => ({ PartitionKey: 'a', Data: b64(`a${i}`) })),
        { PartitionKey: 'whatever', Data: b64('last'), ExplicitHashKey: MAX_HASH_KEY.toString() },
      ],
    }),
  )) as { FailedRecordCount: number; Records: Array<{ ShardId: string; SequenceNumber: string }> };
  assert.equal(out.FailedRecordCount, 0);
  const seqs = out.Records.map((r) => r.SequenceNumber);
  assert.deepEqual(
    out.Records.map((r) => r.ShardId),
    [...Array<string>(5).fill('shardId-000000000000'), 'shardId-000000000003'],
  );
  for (let i = 1; i < 5; i++) assert.ok(seqs[i - 1]! < seqs[i]!);
  assert.deepEqual(woken.sort(), ['shardId-000000000000', 'shardId-000000000003']);
  assert.equal(events.length, 1);
  assert.deepEqual(
    { type: events[0]!.type, arn: events[0]!.resourceArn, detail: events[0]!.detail },
    {
      type: 'RecordsPut',
      arn: streamArn,
      detail: { shardIds: ['shardId-000000000000', 'shardId-000000000003'], count: 6 },
    },
  );
  off();
  await callOp(k, 'PutRecord', JSON.stringify({ StreamName: 's', PartitionKey: 'a', Data: 'AA==' }));
  assert.equal(woken.length, 2, 'unsubscribed');
});

test('iterator positions: TRIM_HORIZON, LATEST, AT/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP', async () => {
  const { ctx, clock } = context();
  const k = createKinesisService(ctx);
  const { streamArn } = await k.createStream('s', 1);
  const shardId = 'shardId-000000000000';
  const put = async (n: number) => {
    const body = JSON.stringify({
      StreamName: 's',
      PartitionKey: 'p',
      Data: Buffer.from(String(n)).toString('base64'),
    });
    return callOp(k, 'PutRecord', body);
  };
  assert.equal(
    k.latestSequenceNumber(streamArn, shardId),
    k.listShards(streamArn)[0]!.startingSequenceNumber,
  );
  const woken: string[] = [];
  k.onRecords(streamArn, (id) => woken.push(id));
  const seqs: string[] = [];
  for (let i = 0; i < 10; i++) {
    seqs.push(((await put(i)) as { SequenceNumber: string }).SequenceNumber);
    clock.advance(1000);
  }
  assert.equal(woken.length, 10);
  const data = (r: { records: Array<{ data: Buffer }> }) => r.records.map((x) => x.data.toString());
  assert.deepEqual(data(k.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 3)), ['0', '1', '2']);
  assert.deepEqual(data(k.readRecords(streamArn, shardId, { type: 'LATEST' }, 100)), []);
  assert.deepEqual(
    data(k.readRecords(streamArn, shardId, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: seqs[4] }, 2)),
    ['4', '5'],
  );
  assert.deepEqual(
    data(k.readRecords(streamArn, shardId, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: seqs[4] }, 2)),
    ['5', '6'],
  );
  const t0 = 1_700_000_000_000;
  assert.deepEqual(
    data(k.readRecords(streamArn, shardId, { type: 'AT_TIMESTAMP', timestamp: t0 + 7000 }, 100)),
    ['7', '8', '9'],
  );
  assert.deepEqual(
    data(k.readRecords(streamArn, shardId, { type: 'AT_TIMESTAMP', timestamp: t0 + 6500 }, 1)),
    ['7'],
  );
  assert.deepEqual(
    data(k.readRecords(streamArn, shardId, { type: 'AT_TIMESTAMP', timestamp: t0 + 99_000 }, 100)),
    [],
  );
  assert.equal(k.latestSequenceNumber(streamArn, shardId), seqs[9]);
  const behind = k.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 1);
  assert.equal(behind.millisBehindLatest, clock.now() - (t0 + 1000));
  assert.equal(behind.records[0]!.approximateArrivalTimestamp, t0 / 1000);
  assert.equal(k.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 100).millisBehindLatest, 0);
  assert.throws(() => k.readRecords(streamArn, 'shardId-000000000009', { type: 'LATEST' }, 1), {
    code: 'ResourceNotFoundException',
  });
  assert.throws(
    () => k.readRecords(streamArn, shardId, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '1234' }, 1),
    { code: 'InvalidArgumentException' },
  );
});

test('retention drops old records lazily; decreasing it drops more', async () => {
  const { ctx, clock, store } = context();
  const k = createKinesisService(ctx);
  const { streamArn } = await k.createStream('s', 1);
  await callOp(k, 'PutRecord', JSON.stringify({ StreamName: 's', PartitionKey: 'p', Data: 'AA==' }));
  clock.advance(23 * 3_600_000);
  await callOp(k, 'PutRecord', JSON.stringify({ StreamName: 's', PartitionKey: 'p', Data: 'AQ==' }));
  const shardId = 'shardId-000000000000';
  assert.equal(k.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 10).records.length, 2);
  clock.advance(2 * 3_600_000);
  const left = k.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 10).records;
  assert.deepEqual(
    left.map((r) => [...r.data]),
    [[1]],
  );
  await new Promise((r) => setImmediate(r));
  assert.equal(store.namespace('kinesis').list('r/').length, 1, 'expired record deleted from the store');
  await callOp(
    k,
    'IncreaseStreamRetentionPeriod',
    JSON.stringify({ StreamName: 's', RetentionPeriodHours: 48 }),
  );
  clock.advance(30 * 3_600_000);
  assert.equal(k.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 10).records.length, 1);
  await callOp(
    k,
    'DecreaseStreamRetentionPeriod',
    JSON.stringify({ StreamName: 's', RetentionPeriodHours: 24 }),
  );
  assert.equal(k.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 10).records.length, 0);
});

test('a second service over the same store sees streams, records and counters', async () => {
  const { ctx, store } = context();
  const k1 = createKinesisService(ctx);
  const { streamArn } = await k1.createStream('s', 2);
  for (let i = 0; i < 20; i++)
    await callOp(k1, 'PutRecord', JSON.stringify({ StreamName: 's', PartitionKey: `k${i}`, Data: 'AA==' }));
  const k2 = createKinesisService(context(manualClock(), store).ctx);
  assert.equal(k2.streamArn('s'), streamArn);
  const count = (k: typeof k1) =>
    k
      .listShards(streamArn)
      .reduce(
        (n, s) => n + k.readRecords(streamArn, s.shardId, { type: 'TRIM_HORIZON' }, 100).records.length,
        0,
      );
  assert.equal(count(k2), 20);
  for (const { shardId } of k1.listShards(streamArn))
    assert.equal(k2.latestSequenceNumber(streamArn, shardId), k1.latestSequenceNumber(streamArn, shardId));
  const r = (await callOp(
    k2,
    'PutRecord',
    JSON.stringify({ StreamName: 's', PartitionKey: 'k0', Data: 'AA==' }),
  )) as { ShardId: string; SequenceNumber: string };
  assert.ok(
    r.SequenceNumber > k1.latestSequenceNumber(streamArn, r.ShardId),
    'counters continue after a restart',
  );
});

test('the caller of PutRecord(s) is kept with each record, persisted, and returned by readRecords', async () => {
  const { ctx, store } = context();
  const k1 = createKinesisService(ctx);
  const { streamArn } = await k1.createStream('s', 1);
  const caller = { accessKeyId: 'AKIDFN', functionLogicalId: 'Producer', invocationRequestId: 'req-1' };
  await callOp(k1, 'PutRecord', JSON.stringify({ StreamName: 's', PartitionKey: 'a', Data: 'AA==' }), caller);
  await callOp(
    k1,
    'PutRecords',
    JSON.stringify({ StreamName: 's', Records: [{ PartitionKey: 'b', Data: 'AQ==' }] }),
    caller,
  );
  await callOp(k1, 'PutRecord', JSON.stringify({ StreamName: 's', PartitionKey: 'c', Data: 'Ag==' }));
  const callers = (k: typeof k1) =>
    k
      .readRecords(streamArn, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, 10)
      .records.map((r) => r.caller);
  assert.deepEqual(callers(k1), [caller, caller, undefined]);
  const k2 = createKinesisService(context(manualClock(), store).ctx);
  assert.deepEqual(callers(k2), [caller, caller, undefined], 'persisted');
  const wire = (await callOp(
    k2,
    'GetRecords',
    JSON.stringify({
      ShardIterator: (
        (await callOp(
          k2,
          'GetShardIterator',
          JSON.stringify({
            StreamName: 's',
            ShardId: 'shardId-000000000000',
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )) as { ShardIterator: string }
      ).ShardIterator,
    }),
  )) as { Records: Array<Record<string, unknown>> };
  assert.equal(wire.Records.length, 3);
  assert.ok(
    wire.Records.every((r) => !('caller' in r) && !('Caller' in r)),
    'not on the wire',
  );
});

// ---- a direct call through the service's handler, without HTTP ----------------------------------

import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { KinesisService } from './index.ts';
import { AwsError, type Caller } from '../types.ts';

async function callOp(k: KinesisService, op: string, body: string, caller?: Caller): Promise<unknown> {
  const stream = new PassThrough();
  stream.end(body);
  let status = 0;
  let out = '';
  const res = {
    headersSent: false,
    writeHead(s: number) {
      status = s;
      return this;
    },
    end(text: string) {
      out = text;
    },
  } as unknown as ServerResponse;
  await k.handle(
    {
      requestId: 'r',
      method: 'POST',
      rawPath: '/',
      rawQuery: '',
      query: new URLSearchParams(),
      headers: { 'x-amz-target': `Kinesis_20131202.${op}` },
      host: 'localhost',
      region: 'us-east-1',
      stream,
      body: () => Promise.resolve(Buffer.from(body)),
      ...(caller ? { caller } : {}),
    },
    res,
  );
  const parsed = JSON.parse(out) as Record<string, string>;
  if (status !== 200) throw new AwsError(parsed.__type ?? 'Unknown', parsed.message ?? '', status);
  return parsed;
}
