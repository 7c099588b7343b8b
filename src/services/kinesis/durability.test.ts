import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  CreateStreamCommand,
} from '@aws-sdk/client-kinesis';
import { createMemoryStore } from '../../store/memory.ts';
import type { JsonValue, Namespace, Store } from '../../store/types.ts';
import { serveKinesis } from './test-server.ts';

const clientFor = (endpoint: string) =>
  new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

/** A memory store whose `kinesis` batches wait for `release()` (or fail when `fail` is set). */
function gatedStore(): Store & { release(): void; fail: boolean; waiting(): number } {
  const inner = createMemoryStore();
  let gates: Array<() => void> = [];
  const store = {
    ...inner,
    fail: false,
    release() {
      const g = gates;
      gates = [];
      g.forEach((f) => f());
    },
    waiting: () => gates.length,
    namespace(name: string): Namespace {
      const ns = inner.namespace(name);
      const gated: Namespace = {
        get: (k) => ns.get(k),
        put: (k, v) => ns.put(k, v),
        delete: (k) => ns.delete(k),
        list: (p, o) => ns.list(p, o),
        async batch(ops: Array<{ key: string; value: JsonValue | undefined }>) {
          await new Promise<void>((r) => gates.push(r));
          if (store.fail) throw new Error('disk full');
          await ns.batch(ops);
        },
      };
      return gated;
    },
  };
  return store;
}

test('records persist across a second service instance over the same Store', async () => {
  const store = createMemoryStore();
  const first = await serveKinesis({ store });
  const c1 = clientFor(first.endpoint);
  await c1.send(new CreateStreamCommand({ StreamName: 'durable', ShardCount: 2 }));
  const put = await c1.send(
    new PutRecordsCommand({
      StreamName: 'durable',
      Records: Array.from({ length: 50 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`v${i}`) })),
    }),
  );
  c1.destroy();
  await first.close();

  const second = await serveKinesis({ store });
  const c2 = clientFor(second.endpoint);
  try {
    assert.deepEqual((await c2.send(new ListStreamsCommand({}))).StreamNames, ['durable']);
    const seen: string[] = [];
    for (const shardId of ['shardId-000000000000', 'shardId-000000000001']) {
      const it = await c2.send(
        new GetShardIteratorCommand({
          StreamName: 'durable',
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const out = await c2.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
      seen.push(...out.Records!.map((r) => r.SequenceNumber!));
    }
    assert.deepEqual(seen.sort(), put.Records!.map((r) => r.SequenceNumber!).sort());
    const next = await c2.send(
      new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'k0', Data: Buffer.from('more') }),
    );
    const sameShard = put.Records!.filter((r) => r.ShardId === next.ShardId).map((r) => r.SequenceNumber!);
    assert.ok(
      sameShard.every((s) => s < next.SequenceNumber!),
      'sequence numbers keep increasing after the restart',
    );
  } finally {
    c2.destroy();
    await second.close();
    await store.close();
  }
});

test('PutRecord answers only once durable; readers see nothing before; a failed write is InternalFailure', async () => {
  const store = gatedStore();
  const served = await serveKinesis({ store });
  const client = clientFor(served.endpoint);
  try {
    const creating = served.service.createStream('gated', 1);
    // Stream metadata is a put, not a batch: not gated.
    const { streamArn } = await creating;
    let answered = false;
    const putting = client
      .send(new PutRecordCommand({ StreamName: 'gated', PartitionKey: 'k', Data: Buffer.from('x') }))
      .then((r) => {
        answered = true;
        return r;
      });
    while (store.waiting() === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(answered, false);
    assert.equal(
      served.service.readRecords(streamArn, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, 10).records
        .length,
      0,
    );
    assert.equal(served.events.length, 0);
    store.release();
    const r = await putting;
    assert.equal(served.service.latestSequenceNumber(streamArn, 'shardId-000000000000'), r.SequenceNumber);
    assert.equal(served.events.length, 1);

    store.fail = true;
    const failing = client.send(
      new PutRecordCommand({ StreamName: 'gated', PartitionKey: 'k', Data: Buffer.from('y') }),
    );
    const failingBatch = client.send(
      new PutRecordsCommand({
        StreamName: 'gated',
        Records: [
          { PartitionKey: 'a', Data: Buffer.from('1') },
          { PartitionKey: 'b', Data: Buffer.from('2') },
        ],
      }),
    );
    while (store.waiting() < 2) await new Promise((r) => setTimeout(r, 5));
    store.release();
    await assert.rejects(failing, (e: Error) => e.name === 'InternalFailure');
    const batch = await failingBatch;
    assert.equal(batch.FailedRecordCount, 2);
    assert.deepEqual(
      batch.Records!.map((x) => x.ErrorCode),
      ['InternalFailure', 'InternalFailure'],
    );
    store.fail = false;
    const after = client.send(
      new PutRecordCommand({ StreamName: 'gated', PartitionKey: 'k', Data: Buffer.from('z') }),
    );
    while (store.waiting() === 0) await new Promise((r) => setTimeout(r, 5));
    store.release();
    await after;
    const data = served.service
      .readRecords(streamArn, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, 10)
      .records.map((x) => x.data.toString());
    assert.deepEqual(data, ['x', 'z'], 'failed records are skipped, later ones still become visible');
  } finally {
    client.destroy();
    await served.close();
  }
});
