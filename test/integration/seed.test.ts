import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT, startDev } from '../helpers/slipway.ts';

const fixture = join(REPO_ROOT, 'test/integration/fixtures/seed');

test('a bucket with Metadata.Slipway.Seed is seeded from that folder at start-up', async () => {
  const dev = await startDev(['--ephemeral', '--stack-name', 'seeded'], { cwd: fixture });
  try {
    const s3 = new S3Client({
      endpoint: dev.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const Bucket = 'seeded-assets';
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    assert.deepEqual(
      (listed.Contents ?? []).map((o) => o.Key),
      ['hello.txt', 'nested/deeper/data.json'],
    );
    const nested = await s3.send(new GetObjectCommand({ Bucket, Key: 'nested/deeper/data.json' }));
    assert.deepEqual(JSON.parse(await nested.Body!.transformToString()), { nested: true });
    await dev.waitForLine((l) => /seeded 2 objects into s3:\/\/seeded-assets/.test(JSON.stringify(l)));
  } finally {
    await dev.stop();
  }
});
