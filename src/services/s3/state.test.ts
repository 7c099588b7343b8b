import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/types.ts';
import type { Clock } from '../../shared/clock.ts';
import { MIN_PART_BYTES, S3State } from './state.ts';
import { Sequencer } from './events.ts';
import { bucketNameProblem } from './names.ts';
import { validateNotificationConfiguration } from './notification.ts';

let store: Store;
let now = 1_700_000_000_000;
const clock: Clock = { now: () => now, setTimeout: () => ({ cancel: () => undefined }) };
const newState = (): S3State => new S3State(store.namespace('s3'), store.blobDir('s3'), clock);

beforeEach(() => {
  store = createMemoryStore();
});
afterEach(async () => {
  await store.close();
});

const blobFiles = (): string[] => readdirSync(store.blobDir('s3')).sort();

describe('objects', () => {
  test('overwrite and delete remove the replaced blob; the index points at durable files', async () => {
    const s = newState();
    await s.createBucket('bkt', 'us-east-1');
    const a = await s.putObject('bkt', 'k', Buffer.from('one'));
    assert.deepEqual(blobFiles(), [a.blob]);
    const b = await s.putObject('bkt', 'k', Buffer.from('two'));
    await s.blobs.settled(); // the replaced blob is unlinked after the write is acknowledged
    assert.deepEqual(blobFiles(), [b.blob]);
    assert.equal((await s.readObject('bkt', 'k'))?.toString(), 'two');
    assert.equal(b.eTag, '"b8a9f715dbb64fd5c56e7783c6820a61"');
    await s.deleteObject('bkt', 'k');
    await s.blobs.settled();
    assert.deepEqual(blobFiles(), []);
    assert.equal(await s.deleteObject('bkt', 'k'), undefined);
  });

  test('a non-durable state (the memory store: no fsyncs) keeps the same blob and index behaviour', async () => {
    const s = new S3State(store.namespace('s3'), store.blobDir('s3'), clock, { durable: false });
    assert.equal(s.blobs.durable, false);
    await s.createBucket('bkt', 'us-east-1');
    const a = await s.putObject('bkt', 'k', Buffer.from('one'));
    assert.deepEqual(blobFiles(), [a.blob]);
    const b = await s.putObject('bkt', 'k', Buffer.from('two'));
    await s.blobs.settled();
    assert.deepEqual(blobFiles(), [b.blob]);
    assert.equal((await s.readObject('bkt', 'k'))?.toString(), 'two');
    const copy = await s.duplicateBlob(b);
    assert.deepEqual(blobFiles(), [b.blob, copy].sort());
  });

  test('concurrent writes to one key leave exactly one blob', async () => {
    const s = newState();
    await s.createBucket('bkt', 'us-east-1');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.putObject('bkt', 'same', Buffer.from(String(i)))),
    );
    await s.blobs.settled();
    assert.equal(blobFiles().length, 1);
    assert.equal(blobFiles()[0], s.getObject('bkt', 'same')?.blob);
  });

  test('startup sweeps temp files and unreferenced blobs', async () => {
    const s = newState();
    await s.createBucket('bkt', 'us-east-1');
    const kept = await s.putObject('bkt', 'k', Buffer.from('x'));
    writeFileSync(join(store.blobDir('s3'), 'tmp-0123456789abcdef0123456789abcdef'), 'partial');
    writeFileSync(join(store.blobDir('s3'), '0123456789abcdef0123456789abcdef'), 'orphan');
    newState();
    assert.deepEqual(blobFiles(), [kept.blob]);
  });

  test('a bucket with objects is not deleted; in-progress uploads go with it', async () => {
    const s = newState();
    await s.createBucket('bkt', 'us-east-1');
    assert.equal(await s.createBucket('bkt', 'us-east-1'), false);
    await s.putObject('bkt', 'k', Buffer.from('x'));
    await assert.rejects(s.deleteBucket('bkt'), { code: 'BucketNotEmpty' });
    await s.deleteObject('bkt', 'k');
    const u = await s.createUpload('bkt', 'k', { metadata: {} });
    const w = await s.writeBlob([Buffer.from('part')]);
    await s.commitPart('bkt', u.uploadId, 'k', { partNumber: 1, eTag: '"x"', size: w.size, blob: w.blob });
    await s.deleteBucket('bkt');
    assert.equal(s.getBucket('bkt'), undefined);
    assert.deepEqual(blobFiles(), []);
  });
});

describe('listing', () => {
  const keys = ['a', 'b/1', 'b/2', 'b/c/3', 'c', 'd/1', 'z/', 'é'];
  let s: S3State;
  beforeEach(async () => {
    s = newState();
    await s.createBucket('bkt', 'us-east-1');
    for (const k of keys) await s.putObject('bkt', k, Buffer.from(k));
    await s.createBucket('bkt2', 'us-east-1');
    await s.putObject('bkt2', 'other', Buffer.from('o'));
  });

  const page = (opts: Parameters<S3State['listObjects']>[1]) => {
    const r = s.listObjects('bkt', opts);
    return {
      keys: r.contents.map((o) => o.key),
      prefixes: r.commonPrefixes,
      truncated: r.isTruncated,
      last: r.last,
    };
  };

  test('keys in UTF-8 order, only from their bucket', () => {
    assert.deepEqual(page({ maxKeys: 1000 }).keys, keys);
  });

  test('delimiter rolls keys up; pagination by entries continues after a common prefix', () => {
    assert.deepEqual(page({ delimiter: '/', maxKeys: 1000 }), {
      keys: ['a', 'c', 'é'],
      prefixes: ['b/', 'd/', 'z/'],
      truncated: false,
      last: 'é',
    });
    const p1 = page({ delimiter: '/', maxKeys: 2 });
    assert.deepEqual([p1.keys, p1.prefixes, p1.truncated, p1.last], [['a'], ['b/'], true, 'b/']);
    const p2 = page({ delimiter: '/', maxKeys: 2, after: 'b/', afterIsPrefix: true });
    assert.deepEqual([p2.keys, p2.prefixes, p2.truncated], [['c'], ['d/'], true]);
    // StartAfter is a plain key bound: keys under "b/" after it still count.
    const p3 = page({ maxKeys: 2, after: 'b/' });
    assert.deepEqual(p3.keys, ['b/1', 'b/2']);
    assert.deepEqual(page({ prefix: 'b/', delimiter: '/', maxKeys: 10 }).prefixes, ['b/c/']);
    assert.deepEqual(page({ maxKeys: 0 }).keys, []);
  });

  test('large listings jump over common prefixes across batches', async () => {
    for (let i = 0; i < 1050; i++)
      await s.putObject('bkt', `many/${String(i).padStart(5, '0')}`, Buffer.alloc(0));
    const r = page({ delimiter: '/', maxKeys: 1000 });
    assert.deepEqual(r.prefixes, ['b/', 'd/', 'many/', 'z/']);
    const all = [];
    let after: string | undefined;
    for (;;) {
      const p = page({ prefix: 'many/', maxKeys: 1000, ...(after ? { after } : {}) });
      all.push(...p.keys);
      if (!p.truncated) break;
      after = p.last;
    }
    assert.equal(all.length, 1050);
    assert.equal(new Set(all).size, 1050);
  });
});

describe('multipart', () => {
  test('validation order: part order, existence, size', async () => {
    const s = newState();
    await s.createBucket('bkt', 'us-east-1');
    const u = await s.createUpload('bkt', 'k', { metadata: {} });
    const add = async (n: number, size: number) => {
      const w = await s.writeBlob([Buffer.alloc(size, n)]);
      return s.commitPart('bkt', u.uploadId, 'k', {
        partNumber: n,
        eTag: `"${w.md5.toString('hex')}"`,
        size,
        blob: w.blob,
      });
    };
    const p1 = await add(1, MIN_PART_BYTES);
    const p2 = await add(2, 10);
    const p3 = await add(3, 10);
    await assert.rejects(s.completeUpload('bkt', u.uploadId, 'k', []), { code: 'MalformedXML' });
    await assert.rejects(
      s.completeUpload('bkt', u.uploadId, 'k', [
        { partNumber: 2, eTag: p2.eTag },
        { partNumber: 1, eTag: p1.eTag },
      ]),
      { code: 'InvalidPartOrder' },
    );
    await assert.rejects(s.completeUpload('bkt', u.uploadId, 'k', [{ partNumber: 4, eTag: p1.eTag }]), {
      code: 'InvalidPart',
    });
    await assert.rejects(
      s.completeUpload('bkt', u.uploadId, 'k', [
        { partNumber: 2, eTag: p2.eTag },
        { partNumber: 3, eTag: p3.eTag },
      ]),
      { code: 'EntityTooSmall' },
    );
    await assert.rejects(s.completeUpload('bkt', u.uploadId, 'other-key', []), { code: 'NoSuchUpload' });
    const o = await s.completeUpload('bkt', u.uploadId, 'k', [
      { partNumber: 1, eTag: p1.eTag },
      { partNumber: 3, eTag: p3.eTag },
    ]);
    assert.equal(o.size, MIN_PART_BYTES + 10);
    assert.match(o.eTag, /-2"$/);
    // Part blobs (also the unused part 2) are gone; only the object's blob remains.
    assert.deepEqual(blobFiles(), [o.blob]);
  });
});

describe('names, notifications, sequencer', () => {
  test('bucket names', () => {
    for (const ok of ['abc', 'my-bucket.v2', 'a'.repeat(63)])
      assert.equal(bucketNameProblem(ok), undefined, ok);
    for (const bad of [
      'ab',
      'a'.repeat(64),
      'ABC',
      'a_b',
      '-ab',
      'ab-',
      'a..b',
      '10.0.0.1',
      'xn--x',
      'x-s3alias',
      'sthree-x',
    ])
      assert.ok(bucketNameProblem(bad), bad);
  });

  test('notification validation', () => {
    const arn = 'arn:aws:sqs:us-east-1:1:q';
    assert.throws(
      () =>
        validateNotificationConfiguration({ QueueConfigurations: [{ QueueArn: arn, Events: ['s3:Nope'] }] }),
      {
        code: 'InvalidArgument',
      },
    );
    assert.throws(
      () =>
        validateNotificationConfiguration({
          QueueConfigurations: [{ QueueArn: 'q', Events: ['s3:ObjectCreated:*'] }],
        }),
      {
        code: 'InvalidArgument',
      },
    );
    assert.throws(
      () =>
        validateNotificationConfiguration({
          QueueConfigurations: [
            {
              QueueArn: arn,
              Events: ['s3:ObjectCreated:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'a' },
                    { Name: 'prefix', Value: 'b' },
                  ],
                },
              },
            },
          ],
        }),
      { code: 'InvalidArgument' },
    );
    const v = validateNotificationConfiguration({
      QueueConfigurations: [
        {
          QueueArn: arn,
          Events: ['s3:ObjectRemoved:Delete'],
          Filter: { Key: { FilterRules: [{ Name: 'Suffix' as 'suffix', Value: '.png' }] } },
        },
      ],
    });
    assert.deepEqual(v.QueueConfigurations?.[0]?.Filter, {
      Key: { FilterRules: [{ Name: 'suffix', Value: '.png' }] },
    });
  });

  test('sequencers increase even within one millisecond and when the clock stalls', () => {
    const seq = new Sequencer(clock);
    const a = seq.next();
    const b = seq.next();
    now += 1;
    const c = seq.next();
    assert.ok(a < b && b < c, `${a} ${b} ${c}`);
    assert.match(a, /^[0-9A-F]{16}$/);
  });
});
