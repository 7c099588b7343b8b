import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { copyProject, startDev, type DevProcess } from '../helpers/slipway.ts';

const run = promisify(execFile);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const s3For = (dev: DevProcess): S3Client =>
  new S3Client({ endpoint: dev.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });

async function bucketNamed(s3: S3Client, prefix: string): Promise<string> {
  const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
  const bucket = Buckets.find((b) => b.Name?.startsWith(prefix))?.Name;
  assert.ok(bucket, `a bucket starting with ${prefix}: ${Buckets.map((b) => b.Name).join(', ')}`);
  return bucket;
}

/** Reads an object, waiting (bounded) for it to appear. */
async function eventually(s3: S3Client, Bucket: string, Key: string, timeoutMs = 30000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
      return await out.Body!.transformToString();
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`s3://${Bucket}/${Key} did not appear in ${timeoutMs} ms: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('examples/s3-hash: an S3-triggered function, through slipway dev and the AWS SDK v3', () => {
  const project = copyProject('examples/s3-hash');
  after(() => project.remove());

  test('an upload gets its .sha1 beside it; the .sha1 itself is skipped', async () => {
    const dev = await startDev(['--stack-name', 's3-hash'], { cwd: project.dir, durable: true });
    try {
      const s3 = s3For(dev);
      const bucket = await bucketNamed(s3, 's3-hash-uploads');
      const body = 'hello, slipway\n';
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/a b+c.txt', Body: body }));
      const sha1 = await eventually(s3, bucket, 'docs/a b+c.txt.sha1');
      assert.equal(sha1.trim(), createHash('sha1').update(body).digest('hex'));
      await dev.waitForLine(
        (l) => l.type === 'log' && /skipping docs\/a b\+c\.txt\.sha1/.test(String(l.line)),
      );
    } finally {
      await dev.stop();
    }
  });

  test('state survives a kill -9 and a restart', async () => {
    const dev = await startDev(['--stack-name', 's3-hash'], { cwd: project.dir, durable: true });
    const s3 = s3For(dev);
    const bucket = await bucketNamed(s3, 's3-hash-uploads');
    assert.equal((await eventually(s3, bucket, 'docs/a b+c.txt')).trim(), 'hello, slipway');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'acked.txt', Body: 'acknowledged' }));
    await dev.stop('SIGKILL');
    const again = await startDev(['--stack-name', 's3-hash'], { cwd: project.dir, durable: true });
    try {
      assert.equal(await eventually(s3For(again), bucket, 'acked.txt', 5000), 'acknowledged');
    } finally {
      await again.stop();
    }
  });

  test('the loop variant is stopped after 16 invocations, with one clear line', async () => {
    const dev = await startDev(
      ['--stack-name', 's3-hash', '--ephemeral', '--parameter-overrides', 'SkipHashFiles=false'],
      { cwd: project.dir },
    );
    try {
      const s3 = s3For(dev);
      const bucket = await bucketNamed(s3, 's3-hash-uploads');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'loop.txt', Body: 'again and again' }));
      const line = await dev.waitForLine(
        (l) => /Recursive loop detected/.test(String(l.message ?? l.line)),
        60000,
      );
      assert.match(
        String(line.message ?? line.line),
        /HashFunction .*\(16 invocations\); stopped\. Set RecursiveLoop: Allow on HashFunction/,
      );
      const { KeyCount } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'loop.txt' }));
      assert.equal(KeyCount, 17, 'the upload and the 16 hashes written before the loop was stopped');
    } finally {
      await dev.stop();
    }
  });
});

describe('examples/chain: S3 → Ingest → Kinesis → Transform → SQS → Publish → S3', () => {
  const project = copyProject('examples/chain');
  after(() => project.remove());

  test('one `aws s3 cp` rolls the whole chain out', async () => {
    const dev = await startDev(['--stack-name', 'chain', '--ephemeral'], { cwd: project.dir });
    try {
      const s3 = s3For(dev);
      const bucket = await bucketNamed(s3, 'chain-files');
      const file = join(project.dir, 'fox.txt');
      writeFileSync(file, 'the quick brown fox jumps\n');
      await run(
        'aws',
        ['--endpoint-url', dev.endpoint, 's3', 'cp', file, `s3://${bucket}/incoming/fox.txt`],
        {
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_DEFAULT_REGION: 'us-east-1',
          },
        },
      );
      const result = JSON.parse(await eventually(s3, bucket, 'results/fox.txt')) as {
        name: string;
        words: number;
        text: string;
      };
      assert.deepEqual(result, { name: 'fox.txt', words: 5, text: 'THE QUICK BROWN FOX JUMPS\n' });
      for (const fn of ['Ingest', 'Transform', 'Publish'])
        await dev.waitForLine(
          (l) => l.type === 'log' && l.function === fn && String(l.line).startsWith('REPORT'),
        );
    } finally {
      await dev.stop();
    }
  });
});
