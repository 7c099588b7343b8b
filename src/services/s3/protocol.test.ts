import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import { createS3Service, type S3Service } from './index.ts';
import { errorOf, s3ClientFor } from './test-support.ts';

let served: ServedService<S3Service>;
let s3: S3Client;

before(async () => {
  served = await serveService(createS3Service);
  s3 = s3ClientFor(served.endpoint);
});
after(async () => {
  s3.destroy();
  await served.close();
});

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

describe('buckets', () => {
  test('create, head, list, location, delete', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'bk-one' }));
    // us-east-1: creating a bucket you own again answers 200.
    await s3.send(new CreateBucketCommand({ Bucket: 'bk-one' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'bk-one' }));
    assert.equal(head.BucketRegion, 'us-east-1');
    const list = await s3.send(new ListBucketsCommand({}));
    assert.ok(list.Buckets?.some((b) => b.Name === 'bk-one' && b.CreationDate instanceof Date));
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'bk-one' }));
    assert.equal(loc.LocationConstraint ?? '', '');
    await s3.send(new PutObjectCommand({ Bucket: 'bk-one', Key: 'x', Body: 'x' }));
    const notEmpty = await errorOf(s3.send(new DeleteBucketCommand({ Bucket: 'bk-one' })));
    assert.equal(notEmpty.name, 'BucketNotEmpty');
    assert.equal(notEmpty.$metadata.httpStatusCode, 409);
    await s3.send(new DeleteObjectCommand({ Bucket: 'bk-one', Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'bk-one' }));
    const gone = await errorOf(s3.send(new HeadBucketCommand({ Bucket: 'bk-one' })));
    assert.equal(gone.$metadata.httpStatusCode, 404);
    const noBucket = await errorOf(s3.send(new GetObjectCommand({ Bucket: 'bk-one', Key: 'x' })));
    assert.equal(noBucket.name, 'NoSuchBucket');
  });

  test('LocationConstraint and region rules', async () => {
    const eu = new S3Client({
      endpoint: served.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await eu.send(
        new CreateBucketCommand({
          Bucket: 'bk-eu',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      );
      const loc = await eu.send(new GetBucketLocationCommand({ Bucket: 'bk-eu' }));
      assert.equal(loc.LocationConstraint, 'eu-west-1');
      const again = await errorOf(
        eu.send(
          new CreateBucketCommand({
            Bucket: 'bk-eu',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        ),
      );
      assert.equal(again.name, 'BucketAlreadyOwnedByYou');
      assert.equal(again.$metadata.httpStatusCode, 409);
      const elsewhere = await errorOf(
        eu.send(
          new CreateBucketCommand({
            Bucket: 'bk-eu2',
            CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
          }),
        ),
      );
      assert.equal(elsewhere.name, 'IllegalLocationConstraintException');
      const useast = await errorOf(
        s3.send(
          new CreateBucketCommand({
            Bucket: 'bk-eu3',
            CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never },
          }),
        ),
      );
      assert.equal(useast.name, 'InvalidLocationConstraint');
    } finally {
      eu.destroy();
    }
  });

  test('invalid bucket names', async () => {
    for (const name of ['ab', 'Upper', 'a..b', '192.168.1.1', 'xn--abc', '-dash']) {
      const err = await errorOf(s3.send(new CreateBucketCommand({ Bucket: name })));
      assert.equal(err.name, 'InvalidBucketName', name);
    }
  });
});

describe('objects', () => {
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'objs' }));
  });

  test('put/get/head with metadata and headers', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objs',
        Key: 'a.txt',
        Body: 'hello world',
        ContentType: 'text/plain',
        ContentDisposition: 'attachment; filename="a.txt"',
        CacheControl: 'max-age=60',
        ContentEncoding: 'identity',
        Expires: new Date('2030-01-01T00:00:00Z'),
        Metadata: { color: 'blue', 'Mixed-Case': 'v' },
      }),
    );
    assert.equal(put.ETag, `"${md5('hello world')}"`);
    const get = await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'a.txt' }));
    assert.equal(await get.Body!.transformToString(), 'hello world');
    assert.equal(get.ContentType, 'text/plain');
    assert.equal(get.ContentDisposition, 'attachment; filename="a.txt"');
    assert.equal(get.CacheControl, 'max-age=60');
    assert.equal(get.ContentEncoding, 'identity');
    assert.equal(get.ExpiresString ?? get.Expires?.toUTCString(), 'Tue, 01 Jan 2030 00:00:00 GMT');
    assert.deepEqual(get.Metadata, { color: 'blue', 'mixed-case': 'v' });
    assert.equal(get.ETag, put.ETag);
    assert.ok(get.LastModified instanceof Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'a.txt' }));
    assert.equal(head.ContentLength, 11);
    assert.equal(head.ETag, put.ETag);
    const missing = await errorOf(s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'nope' })));
    assert.equal(missing.name, 'NoSuchKey');
    assert.equal(missing.$metadata.httpStatusCode, 404);
    assert.equal((missing as unknown as { Key?: string }).Key, 'nope');
    const headMissing = await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'nope' })));
    assert.equal(headMissing.$metadata.httpStatusCode, 404);
  });

  test('ranges', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: 'r', Body: '0123456789' }));
    const cases: Array<[string, string, string]> = [
      ['bytes=2-5', '2345', 'bytes 2-5/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=8-100', '89', 'bytes 8-9/10'],
    ];
    for (const [range, body, contentRange] of cases) {
      const r = await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'r', Range: range }));
      assert.equal(r.$metadata.httpStatusCode, 206);
      assert.equal(await r.Body!.transformToString(), body);
      assert.equal(r.ContentRange, contentRange);
    }
    const bad = await errorOf(
      s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'r', Range: 'bytes=10-' })),
    );
    assert.equal(bad.name, 'InvalidRange');
    assert.equal(bad.$metadata.httpStatusCode, 416);
  });

  test('conditional requests', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: 'c', Body: 'cond' }));
    const ok = await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'c', IfMatch: put.ETag }));
    assert.equal(await ok.Body!.transformToString(), 'cond');
    const failed = await errorOf(
      s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'c', IfMatch: '"nope"' })),
    );
    assert.equal(failed.$metadata.httpStatusCode, 412);
    assert.equal(failed.name, 'PreconditionFailed');
    const notModified = await errorOf(
      s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'c', IfNoneMatch: put.ETag })),
    );
    assert.equal(notModified.$metadata.httpStatusCode, 304);
    const future = new Date(Date.now() + 60_000);
    const past = new Date(Date.now() - 60_000);
    const ims = await errorOf(
      s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'c', IfModifiedSince: future })),
    );
    assert.equal(ims.$metadata.httpStatusCode, 304);
    const modified = await s3.send(
      new HeadObjectCommand({ Bucket: 'objs', Key: 'c', IfModifiedSince: past }),
    );
    assert.equal(modified.$metadata.httpStatusCode, 200);
    const ius = await errorOf(
      s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'c', IfUnmodifiedSince: past })),
    );
    assert.equal(ius.$metadata.httpStatusCode, 412);
    // Conditional writes.
    const exists = await errorOf(
      s3.send(new PutObjectCommand({ Bucket: 'objs', Key: 'c', Body: 'again', IfNoneMatch: '*' })),
    );
    assert.equal(exists.$metadata.httpStatusCode, 412);
  });

  test('copy with COPY and REPLACE directives', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'objs',
        Key: 'src key+%.txt',
        Body: 'copy me',
        ContentType: 'text/x',
        Metadata: { a: '1' },
      }),
    );
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: 'objs',
        Key: 'dst',
        CopySource: `objs/${encodeURIComponent('src key+%.txt')}`,
      }),
    );
    assert.equal(copied.CopyObjectResult?.ETag, `"${md5('copy me')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'dst' }));
    assert.equal(await got.Body!.transformToString(), 'copy me');
    assert.equal(got.ContentType, 'text/x');
    assert.deepEqual(got.Metadata, { a: '1' });
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'objs',
        Key: 'dst2',
        CopySource: `objs/${encodeURIComponent('src key+%.txt')}`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/y',
        Metadata: { b: '2' },
      }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'dst2' }));
    assert.equal(replaced.ContentType, 'text/y');
    assert.deepEqual(replaced.Metadata, { b: '2' });
    const self = await errorOf(
      s3.send(new CopyObjectCommand({ Bucket: 'objs', Key: 'dst', CopySource: 'objs/dst' })),
    );
    assert.equal(self.name, 'InvalidRequest');
    const missing = await errorOf(
      s3.send(new CopyObjectCommand({ Bucket: 'objs', Key: 'x', CopySource: 'objs/none' })),
    );
    assert.equal(missing.name, 'NoSuchKey');
    // The source is intact after the copy's blob shares its bytes.
    await s3.send(new DeleteObjectCommand({ Bucket: 'objs', Key: 'dst' }));
    const src = await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'src key+%.txt' }));
    assert.equal(await src.Body!.transformToString(), 'copy me');
  });

  test('delete objects (verbose and quiet)', async () => {
    for (const k of ['d1', 'd2', ' spaced '])
      await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: k, Body: k }));
    const r = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'objs',
        Delete: { Objects: [{ Key: 'd1' }, { Key: ' spaced ' }, { Key: 'never' }] },
      }),
    );
    assert.deepEqual(r.Deleted?.map((d) => d.Key).sort(), [' spaced ', 'd1', 'never']);
    const quiet = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'objs', Delete: { Objects: [{ Key: 'd2' }], Quiet: true } }),
    );
    assert.equal(quiet.Deleted, undefined);
    const missing = await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'd2' })));
    assert.equal(missing.$metadata.httpStatusCode, 404);
  });
});

describe('listing', () => {
  const keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd/x', 'd/y', 'e'];
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lists' }));
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'lists', Key: k, Body: k }));
  });

  test('v2 with delimiter, prefix and pagination', async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'lists' }));
    assert.deepEqual(
      all.Contents?.map((c) => c.Key),
      keys,
    );
    assert.equal(all.KeyCount, keys.length);
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'lists', Delimiter: '/' }));
    assert.deepEqual(
      top.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'b/', 'd/'],
    );
    assert.deepEqual(
      top.Contents?.map((c) => c.Key),
      ['c', 'e'],
    );
    const under = await s3.send(new ListObjectsV2Command({ Bucket: 'lists', Prefix: 'a/', Delimiter: '/' }));
    assert.deepEqual(
      under.Contents?.map((c) => c.Key),
      ['a/1', 'a/2'],
    );
    assert.deepEqual(
      under.CommonPrefixes?.map((p) => p.Prefix),
      ['a/b/'],
    );
    // Paginate two at a time with a delimiter: entries are keys and common prefixes.
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'lists', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
      );
      pages++;
      seen.push(
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
        ...(page.Contents ?? []).map((c) => c.Key!),
      );
      token = page.NextContinuationToken;
      assert.equal(page.IsTruncated, token !== undefined);
    } while (token);
    assert.deepEqual(seen.sort(), ['a/', 'b/', 'c', 'd/', 'e']);
    assert.equal(pages, 3);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'lists', StartAfter: 'b/1' }));
    assert.deepEqual(
      after.Contents?.map((c) => c.Key),
      ['c', 'd/x', 'd/y', 'e'],
    );
  });

  test('v1 with markers', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: 'lists', MaxKeys: 3 }));
    assert.deepEqual(
      first.Contents?.map((c) => c.Key),
      ['a/1', 'a/2', 'a/b/3'],
    );
    assert.equal(first.IsTruncated, true);
    assert.equal(first.NextMarker, undefined);
    const second = await s3.send(new ListObjectsCommand({ Bucket: 'lists', Marker: 'a/b/3' }));
    assert.deepEqual(
      second.Contents?.map((c) => c.Key),
      ['b/1', 'c', 'd/x', 'd/y', 'e'],
    );
    const delim = await s3.send(new ListObjectsCommand({ Bucket: 'lists', Delimiter: '/', MaxKeys: 2 }));
    assert.equal(delim.NextMarker, 'b/');
    const rest = await s3.send(
      new ListObjectsCommand({ Bucket: 'lists', Delimiter: '/', Marker: delim.NextMarker }),
    );
    assert.deepEqual(
      rest.Contents?.map((c) => c.Key),
      ['c', 'e'],
    );
    assert.deepEqual(
      rest.CommonPrefixes?.map((c) => c.Prefix),
      ['d/'],
    );
  });

  test('versions: one null version per object', async () => {
    const v = await s3.send(new ListObjectVersionsCommand({ Bucket: 'lists', Prefix: 'd/' }));
    assert.deepEqual(
      v.Versions?.map((x) => [x.Key, x.VersionId, x.IsLatest]),
      [
        ['d/x', 'null', true],
        ['d/y', 'null', true],
      ],
    );
  });

  test('encoding-type=url', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'lists', Key: 'z/a b+c%d&é', Body: '' }));
    const r = await s3.send(new ListObjectsV2Command({ Bucket: 'lists', Prefix: 'z/', EncodingType: 'url' }));
    assert.equal(decodeURIComponent(r.Contents![0]!.Key!), 'z/a b+c%d&é');
    assert.equal(r.EncodingType, 'url');
  });
});
