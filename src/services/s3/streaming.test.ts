import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import { createS3Service, type S3Service } from './index.ts';
import { s3ClientFor } from './test-support.ts';

const SIZE = 200 * 1024 * 1024;
const CHUNK = 256 * 1024;
/** Far below the body size: the body must never be held whole on either side. */
const MAX_RSS_GROWTH = 80 * 1024 * 1024;

let served: ServedService<S3Service>;
let s3: S3Client;

before(async () => {
  served = await serveService(createS3Service);
  s3 = s3ClientFor(served.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'stream' }));
});
after(async () => {
  s3.destroy();
  await served.close();
});

function generated(): Readable {
  let sent = 0;
  const chunk = Buffer.alloc(CHUNK);
  return new Readable({
    read() {
      if (sent >= SIZE) return void this.push(null);
      chunk.writeUInt32BE(sent);
      sent += CHUNK;
      this.push(Buffer.from(chunk));
    },
  });
}

test('PUT and GET 200 MB without buffering the body', { timeout: 180_000 }, async () => {
  global.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const expected = createHash('md5');
    for await (const c of generated()) expected.update(c as Buffer);
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'stream', Key: 'big', Body: generated(), ContentLength: SIZE }),
    );
    assert.equal(put.ETag, `"${expected.digest('hex')}"`);
    const get = await s3.send(new GetObjectCommand({ Bucket: 'stream', Key: 'big' }));
    assert.equal(get.ContentLength, SIZE);
    let received = 0;
    const actual = createHash('md5');
    for await (const c of get.Body as Readable) {
      received += (c as Buffer).length;
      actual.update(c as Buffer);
    }
    assert.equal(received, SIZE);
    assert.equal(`"${actual.digest('hex')}"`, put.ETag);
  } finally {
    clearInterval(sampler);
  }
  const growth = peak - baseline;
  assert.ok(
    growth < MAX_RSS_GROWTH,
    `RSS grew by ${Math.round(growth / 1024 / 1024)} MB for a ${SIZE / 1024 / 1024} MB body`,
  );
});
