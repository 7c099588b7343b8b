import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { serveKinesis, type DualServed } from './test-server.ts';

let served: DualServed;
let client: KinesisClient;
const ARN = (name: string) => `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`;

before(async () => {
  served = await serveKinesis(); // HTTP/1.1 + h2c: the v3 Kinesis client speaks HTTP/2
  client = new KinesisClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
after(async () => {
  client.destroy();
  await served.close();
});

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('create, describe, list and delete streams (by name and by ARN)', async () => {
  await client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 3 }));
  await client.send(
    new CreateStreamCommand({ StreamName: 'ondemand', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
  );
  await rejects(
    client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 })),
    'ResourceInUseException',
  );
  await rejects(
    client.send(new CreateStreamCommand({ StreamName: 'bad name', ShardCount: 1 })),
    'ValidationException',
  );

  const d = (await client.send(new DescribeStreamCommand({ StreamName: 'orders' }))).StreamDescription!;
  assert.equal(d.StreamARN, ARN('orders'));
  assert.equal(d.StreamStatus, 'ACTIVE');
  assert.equal(d.RetentionPeriodHours, 24);
  assert.equal(d.Shards!.length, 3);
  assert.equal(d.Shards![2]!.HashKeyRange!.EndingHashKey, '340282366920938463463374607431768211455');
  assert.ok(d.StreamCreationTimestamp instanceof Date);
  assert.equal(d.StreamModeDetails!.StreamMode, 'PROVISIONED');

  const page1 = (await client.send(new DescribeStreamCommand({ StreamARN: ARN('orders'), Limit: 2 })))
    .StreamDescription!;
  assert.deepEqual(
    page1.Shards!.map((s) => s.ShardId),
    ['shardId-000000000000', 'shardId-000000000001'],
  );
  assert.equal(page1.HasMoreShards, true);
  const page2 = (
    await client.send(
      new DescribeStreamCommand({ StreamName: 'orders', ExclusiveStartShardId: 'shardId-000000000001' }),
    )
  ).StreamDescription!;
  assert.deepEqual(
    page2.Shards!.map((s) => s.ShardId),
    ['shardId-000000000002'],
  );
  assert.equal(page2.HasMoreShards, false);

  const sum = (await client.send(new DescribeStreamSummaryCommand({ StreamARN: ARN('ondemand') })))
    .StreamDescriptionSummary!;
  assert.equal(sum.OpenShardCount, 4);
  assert.equal(sum.StreamModeDetails!.StreamMode, 'ON_DEMAND');

  const l1 = await client.send(new ListStreamsCommand({ Limit: 1 }));
  assert.deepEqual(l1.StreamNames, ['ondemand']);
  assert.equal(l1.HasMoreStreams, true);
  const l2 = await client.send(new ListStreamsCommand({ NextToken: l1.NextToken! }));
  assert.deepEqual(l2.StreamNames, ['orders']);
  assert.equal(l2.StreamSummaries![0]!.StreamARN, ARN('orders'));

  const s1 = await client.send(new ListShardsCommand({ StreamName: 'orders', MaxResults: 2 }));
  assert.equal(s1.Shards!.length, 2);
  const s2 = await client.send(new ListShardsCommand({ NextToken: s1.NextToken! }));
  assert.deepEqual(
    s2.Shards!.map((s) => s.ShardId),
    ['shardId-000000000002'],
  );
  assert.equal(s2.NextToken, undefined);
  const s3 = await client.send(
    new ListShardsCommand({
      StreamARN: ARN('orders'),
      ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: 'shardId-000000000000' },
    }),
  );
  assert.equal(s3.Shards!.length, 2);
  await rejects(
    client.send(new ListShardsCommand({ StreamName: 'orders', NextToken: s1.NextToken! })),
    'InvalidArgumentException',
  );

  await client.send(new DeleteStreamCommand({ StreamARN: ARN('ondemand') }));
  await rejects(
    client.send(new DescribeStreamCommand({ StreamName: 'ondemand' })),
    'ResourceNotFoundException',
    /ondemand/,
  );
  await rejects(
    client.send(new DeleteStreamCommand({ StreamName: 'ondemand' })),
    'ResourceNotFoundException',
  );
});

test('PutRecord and PutRecords: shards, ordering, limits, RecordsPut events', async () => {
  await client.send(new CreateStreamCommand({ StreamName: 'put', ShardCount: 2 }));
  const r = await client.send(
    new PutRecordCommand({ StreamName: 'put', PartitionKey: 'a', Data: Buffer.from('hello') }),
  );
  assert.equal(r.ShardId, 'shardId-000000000000'); // md5('a') < 2^127
  assert.match(r.SequenceNumber!, /^\d{56}$/);
  const r2 = await client.send(
    new PutRecordCommand({
      StreamARN: ARN('put'),
      PartitionKey: 'a',
      Data: Buffer.from('x'),
      ExplicitHashKey: String(2n ** 127n),
      SequenceNumberForOrdering: r.SequenceNumber,
    }),
  );
  assert.equal(r2.ShardId, 'shardId-000000000001');
  const event = served.events.at(-1)!;
  assert.equal(event.type, 'RecordsPut');
  assert.equal(event.resourceArn, ARN('put'));
  assert.deepEqual(event.detail, { shardIds: ['shardId-000000000001'], count: 1 });
  assert.equal(event.caller?.accessKeyId, 'test');

  const batch = await client.send(
    new PutRecordsCommand({
      StreamName: 'put',
      Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`v${i}`) })),
    }),
  );
  assert.equal(batch.FailedRecordCount, 0);
  assert.equal(batch.Records!.length, 500);
  const perShard = new Map<string, string[]>();
  for (const rec of batch.Records!)
    perShard.set(rec.ShardId!, [...(perShard.get(rec.ShardId!) ?? []), rec.SequenceNumber!]);
  assert.equal(perShard.size, 2);
  for (const seqs of perShard.values()) assert.deepEqual([...seqs].sort(), seqs, 'increasing per shard');

  await rejects(
    client.send(
      new PutRecordsCommand({
        StreamName: 'put',
        Records: Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: Buffer.from('v') })),
      }),
    ),
    'ValidationException',
  );
  await rejects(
    client.send(
      new PutRecordCommand({ StreamName: 'put', PartitionKey: 'a', Data: Buffer.alloc(1024 * 1024 + 1) }),
    ),
    'ValidationException',
    /1048576/,
  );
  await client.send(
    new PutRecordCommand({ StreamName: 'put', PartitionKey: 'a', Data: Buffer.alloc(1024 * 1024) }),
  );
  await rejects(
    client.send(
      new PutRecordCommand({
        StreamName: 'put',
        PartitionKey: 'a',
        Data: Buffer.from('x'),
        ExplicitHashKey: String(2n ** 128n),
      }),
    ),
    'InvalidArgumentException',
  );
  await rejects(
    client.send(new PutRecordCommand({ StreamName: 'missing', PartitionKey: 'a', Data: Buffer.from('x') })),
    'ResourceNotFoundException',
  );
  await rejects(
    client.send(new PutRecordCommand({ StreamName: 'put', PartitionKey: '', Data: Buffer.from('x') })),
    'ValidationException',
  );
});

async function readAll(iterator: string, limit: number): Promise<{ records: _Record[]; calls: number }> {
  const records: _Record[] = [];
  let calls = 0;
  for (;;) {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    calls++;
    records.push(...out.Records!);
    iterator = out.NextShardIterator!;
    if (out.Records!.length === 0 || out.MillisBehindLatest === 0) break;
  }
  return { records, calls };
}

test('TRIM_HORIZON read of 1000 records across pages; LATEST; AT/AFTER_SEQUENCE_NUMBER; AT_TIMESTAMP', async () => {
  await client.send(new CreateStreamCommand({ StreamName: 'read', ShardCount: 1 }));
  const shardId = 'shardId-000000000000';
  const before = new Date();
  for (let i = 0; i < 1000; i += 250)
    await client.send(
      new PutRecordsCommand({
        StreamName: 'read',
        Records: Array.from({ length: 250 }, (_, j) => ({
          PartitionKey: `p${i + j}`,
          Data: Buffer.from(`record-${i + j}`),
        })),
      }),
    );
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ StreamName: 'read', ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const { records, calls } = await readAll(ShardIterator!, 300);
  assert.equal(calls, 4);
  assert.equal(records.length, 1000);
  assert.deepEqual(
    records.map((r) => Buffer.from(r.Data!).toString()),
    Array.from({ length: 1000 }, (_, i) => `record-${i}`),
  );
  assert.equal(records[7]!.PartitionKey, 'p7');
  assert.ok(records[0]!.ApproximateArrivalTimestamp instanceof Date);
  assert.ok(records[0]!.ApproximateArrivalTimestamp.getTime() >= before.getTime() - 1);

  const latest = await client.send(
    new GetShardIteratorCommand({ StreamARN: ARN('read'), ShardId: shardId, ShardIteratorType: 'LATEST' }),
  );
  const empty = await client.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator! }));
  assert.deepEqual(empty.Records, []);
  assert.equal(empty.MillisBehindLatest, 0);
  await new Promise((r) => setTimeout(r, 20));
  const cut = new Date();
  await client.send(
    new PutRecordCommand({ StreamName: 'read', PartitionKey: 'p', Data: Buffer.from('after-latest') }),
  );
  const next = await client.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator! }));
  assert.deepEqual(
    next.Records!.map((r) => Buffer.from(r.Data!).toString()),
    ['after-latest'],
  );

  const seq = records[500]!.SequenceNumber!;
  const at = await client.send(
    new GetShardIteratorCommand({
      StreamName: 'read',
      ShardId: shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: seq,
    }),
  );
  assert.equal(
    (await client.send(new GetRecordsCommand({ ShardIterator: at.ShardIterator!, Limit: 1 }))).Records![0]!
      .SequenceNumber,
    seq,
  );
  const aft = await client.send(
    new GetShardIteratorCommand({
      StreamName: 'read',
      ShardId: shardId,
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: seq,
    }),
  );
  assert.equal(
    (await client.send(new GetRecordsCommand({ ShardIterator: aft.ShardIterator!, Limit: 1 }))).Records![0]!
      .SequenceNumber,
    records[501]!.SequenceNumber,
  );

  const ts = await client.send(
    new GetShardIteratorCommand({
      StreamName: 'read',
      ShardId: shardId,
      ShardIteratorType: 'AT_TIMESTAMP',
      Timestamp: cut,
    }),
  );
  const tsRead = await client.send(new GetRecordsCommand({ ShardIterator: ts.ShardIterator! }));
  assert.deepEqual(
    tsRead.Records!.map((r) => Buffer.from(r.Data!).toString()),
    ['after-latest'],
  );

  await rejects(
    client.send(
      new GetShardIteratorCommand({
        StreamName: 'read',
        ShardId: 'shardId-000000000001',
        ShardIteratorType: 'LATEST',
      }),
    ),
    'ResourceNotFoundException',
  );
  await rejects(
    client.send(
      new GetShardIteratorCommand({
        StreamName: 'read',
        ShardId: shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      }),
    ),
    'InvalidArgumentException',
  );
  await rejects(
    client.send(
      new GetShardIteratorCommand({
        StreamName: 'read',
        ShardId: shardId,
        ShardIteratorType: 'AT_TIMESTAMP',
      }),
    ),
    'InvalidArgumentException',
  );
  await rejects(
    client.send(new GetRecordsCommand({ ShardIterator: 'bm9wZQ==' })),
    'InvalidArgumentException',
  );
  await rejects(
    client.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator!, Limit: 10001 })),
    'ValidationException',
  );
});

test('iterators expire after 5 minutes', async () => {
  const { encodeIterator } = await import('./iterator.ts');
  await client.send(new CreateStreamCommand({ StreamName: 'expire', ShardCount: 1 }));
  const d = await client.send(new DescribeStreamCommand({ StreamName: 'expire' }));
  const old = encodeIterator({
    stream: 'expire',
    streamCreatedMs: d.StreamDescription!.StreamCreationTimestamp!.getTime(),
    shardIndex: 0,
    after: 0,
    issuedMs: Date.now() - 5 * 60 * 1000 - 1000,
  });
  await rejects(
    client.send(new GetRecordsCommand({ ShardIterator: old })),
    'ExpiredIteratorException',
    /Iterator expired/,
  );
});

test('retention, tags, consumers, limits', async () => {
  await client.send(new CreateStreamCommand({ StreamName: 'meta', ShardCount: 1, Tags: { team: 'a' } }));
  await client.send(
    new IncreaseStreamRetentionPeriodCommand({ StreamName: 'meta', RetentionPeriodHours: 48 }),
  );
  await rejects(
    client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'meta', RetentionPeriodHours: 25 })),
    'InvalidArgumentException',
  );
  await rejects(
    client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'meta', RetentionPeriodHours: 12 })),
    'InvalidArgumentException',
  );
  await client.send(
    new DecreaseStreamRetentionPeriodCommand({ StreamARN: ARN('meta'), RetentionPeriodHours: 36 }),
  );
  assert.equal(
    (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'meta' }))).StreamDescriptionSummary!
      .RetentionPeriodHours,
    36,
  );

  await client.send(new AddTagsToStreamCommand({ StreamName: 'meta', Tags: { env: 'dev', owner: 'me' } }));
  const tags = await client.send(new ListTagsForStreamCommand({ StreamName: 'meta', Limit: 2 }));
  assert.deepEqual(tags.Tags, [
    { Key: 'env', Value: 'dev' },
    { Key: 'owner', Value: 'me' },
  ]);
  assert.equal(tags.HasMoreTags, true);
  await client.send(new RemoveTagsFromStreamCommand({ StreamName: 'meta', TagKeys: ['owner'] }));
  const rest = await client.send(
    new ListTagsForStreamCommand({ StreamARN: ARN('meta'), ExclusiveStartTagKey: 'env' }),
  );
  assert.deepEqual(rest.Tags, [{ Key: 'team', Value: 'a' }]);

  const reg = await client.send(
    new RegisterStreamConsumerCommand({ StreamARN: ARN('meta'), ConsumerName: 'c1' }),
  );
  assert.match(
    reg.Consumer!.ConsumerARN!,
    /^arn:aws:kinesis:us-east-1:123456789012:stream\/meta\/consumer\/c1:\d+$/,
  );
  await rejects(
    client.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('meta'), ConsumerName: 'c1' })),
    'ResourceInUseException',
  );
  const list = await client.send(new ListStreamConsumersCommand({ StreamARN: ARN('meta') }));
  assert.deepEqual(
    list.Consumers!.map((c) => c.ConsumerName),
    ['c1'],
  );
  const desc = await client.send(
    new DescribeStreamConsumerCommand({ ConsumerARN: reg.Consumer!.ConsumerARN! }),
  );
  assert.equal(desc.ConsumerDescription!.StreamARN, ARN('meta'));
  await rejects(client.send(new DeleteStreamCommand({ StreamName: 'meta' })), 'ResourceInUseException');
  await client.send(new DeregisterStreamConsumerCommand({ StreamARN: ARN('meta'), ConsumerName: 'c1' }));
  assert.deepEqual(
    (await client.send(new ListStreamConsumersCommand({ StreamARN: ARN('meta') }))).Consumers,
    [],
  );

  const limits = await client.send(new DescribeLimitsCommand({}));
  assert.equal(limits.ShardLimit, 500);
  assert.ok(limits.OpenShardCount! >= 1);
});

test('onRecords wakes a listener once records are readable', async () => {
  const { streamArn } = await served.service.createStream('push', 1);
  const got = new Promise<string>((resolve) => {
    const off = served.service.onRecords(streamArn, (shardId) => {
      off();
      const { records } = served.service.readRecords(streamArn, shardId, { type: 'TRIM_HORIZON' }, 10);
      resolve(records.map((r) => r.data.toString()).join());
    });
  });
  await client.send(
    new PutRecordCommand({ StreamName: 'push', PartitionKey: 'k', Data: Buffer.from('pushed') }),
  );
  assert.equal(await got, 'pushed');
});
