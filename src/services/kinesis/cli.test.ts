import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serveKinesis, type DualServed } from './test-server.ts';

const run = promisify(execFile);
let served: DualServed;

before(async () => {
  served = await serveKinesis();
});
after(() => served.close());

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'aws',
    ['--endpoint-url', served.endpoint, '--output', 'json', 'kinesis', ...args],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      timeout: 60_000,
    },
  );
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

test('aws CLI v1: create-stream, put-record, get-shard-iterator, get-records, describe-stream', async () => {
  await aws('create-stream', '--stream-name', 'cli', '--shard-count', '1');
  const desc = (await aws('describe-stream', '--stream-name', 'cli')).StreamDescription as Record<
    string,
    unknown
  >;
  assert.equal(desc.StreamStatus, 'ACTIVE');
  assert.equal((desc.Shards as unknown[]).length, 1);
  // CLI v1 sends a blob argument's text as the bytes (v2 would expect base64).
  const put = await aws(
    'put-record',
    '--stream-name',
    'cli',
    '--partition-key',
    'k',
    '--data',
    'from the cli',
  );
  assert.equal(put.ShardId, 'shardId-000000000000');
  const it = await aws(
    'get-shard-iterator',
    '--stream-name',
    'cli',
    '--shard-id',
    'shardId-000000000000',
    '--shard-iterator-type',
    'TRIM_HORIZON',
  );
  const got = await aws('get-records', '--shard-iterator', it.ShardIterator as string);
  const records = got.Records as Array<Record<string, unknown>>;
  assert.equal(records.length, 1);
  assert.equal(Buffer.from(records[0]!.Data as string, 'base64').toString(), 'from the cli');
  assert.equal(records[0]!.SequenceNumber, put.SequenceNumber);
  assert.equal(typeof records[0]!.ApproximateArrivalTimestamp, 'number');
  assert.equal(got.MillisBehindLatest, 0);
  await assert.rejects(aws('describe-stream', '--stream-name', 'missing'), /ResourceNotFoundException/);
});
