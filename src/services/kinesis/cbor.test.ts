import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCbor, encodeCbor } from './cbor.ts';
import { serveKinesis, type DualServed } from './test-server.ts';

test('CBOR round-trips the subset Kinesis uses', () => {
  const value = {
    a: 1,
    big: 2 ** 40,
    neg: -500,
    f: 1.5,
    s: 'héllo',
    b: Buffer.from([0, 1, 255]),
    list: [true, false, null],
    nested: { x: [] },
  };
  assert.deepEqual(decodeCbor(encodeCbor(value)), value);
  const when = new Date(1_700_000_000_123);
  assert.deepEqual(decodeCbor(encodeCbor({ t: when })), { t: when });
});

test('CBOR decodes RFC 8949 examples: half floats, indefinite lengths, tag 1 seconds', () => {
  assert.equal(decodeCbor(Buffer.from('f93c00', 'hex')), 1);
  assert.equal(decodeCbor(Buffer.from('f9c400', 'hex')), -4);
  assert.equal(decodeCbor(Buffer.from('fb3ff199999999999a', 'hex')), 1.1);
  assert.equal(decodeCbor(Buffer.from('1b000000e8d4a51000', 'hex')), 1_000_000_000_000);
  assert.deepEqual(decodeCbor(Buffer.from('5f42010243030405ff', 'hex')), Buffer.from([1, 2, 3, 4, 5]));
  assert.equal(decodeCbor(Buffer.from('7f657374726561646d696e67ff', 'hex')), 'streaming');
  assert.deepEqual(decodeCbor(Buffer.from('bf61610161629f0203ffff', 'hex')), { a: 1, b: [2, 3] });
  assert.deepEqual(decodeCbor(Buffer.from('c11a514b67b0', 'hex')), new Date(1_363_896_240_000));
  assert.deepEqual(decodeCbor(Buffer.from('c1fb41d452d9ec200000', 'hex')), new Date(1_363_896_240_500));
  for (const bad of ['', '1c', 'a1', '6261', 'ff', '0000'])
    assert.throws(() => decodeCbor(Buffer.from(bad, 'hex')), { code: 'SerializationException' });
});

let served: DualServed;
before(async () => {
  served = await serveKinesis();
});
after(() => served.close());

async function cborCall(
  op: string,
  body: unknown,
): Promise<{ status: number; type: string | null; error: string | null; body: Record<string, unknown> }> {
  const res = await fetch(served.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-cbor-1.1', 'x-amz-target': `Kinesis_20131202.${op}` },
    body: encodeCbor(body),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    error: res.headers.get('x-amzn-errortype'),
    body: decodeCbor(Buffer.from(await res.arrayBuffer())) as Record<string, unknown>,
  };
}

test('Kinesis over CBOR: bytes in, bytes out, millisecond timestamps, CBOR errors', async () => {
  assert.equal((await cborCall('CreateStream', { StreamName: 'cbor', ShardCount: 1 })).status, 200);
  const put = await cborCall('PutRecord', {
    StreamName: 'cbor',
    PartitionKey: 'k',
    Data: Buffer.from([1, 2, 3]),
  });
  assert.equal(put.status, 200);
  assert.equal(put.type, 'application/x-amz-cbor-1.1');
  const it = await cborCall('GetShardIterator', {
    StreamName: 'cbor',
    ShardId: 'shardId-000000000000',
    ShardIteratorType: 'AT_TIMESTAMP',
    Timestamp: new Date(Date.now() - 60_000),
  });
  const got = await cborCall('GetRecords', { ShardIterator: it.body.ShardIterator });
  const records = got.body.Records as Array<Record<string, unknown>>;
  assert.deepEqual(records[0]!.Data, Buffer.from([1, 2, 3]));
  assert.equal(records[0]!.SequenceNumber, put.body.SequenceNumber);
  assert.ok(records[0]!.ApproximateArrivalTimestamp instanceof Date);
  assert.ok(Math.abs(records[0]!.ApproximateArrivalTimestamp.getTime() - Date.now()) < 60_000);
  const missing = await cborCall('DescribeStream', { StreamName: 'nope' });
  assert.equal(missing.status, 400);
  assert.equal(missing.error, 'ResourceNotFoundException');
  assert.equal(missing.body.__type, 'ResourceNotFoundException');
});
