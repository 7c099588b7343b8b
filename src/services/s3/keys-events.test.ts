import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import { createS3Service, type S3Service } from './index.ts';
import { errorOf, s3ClientFor } from './test-support.ts';

let served: ServedService<S3Service>;
let s3: S3Client;

before(async () => {
  served = await serveService(createS3Service);
  s3 = s3ClientFor(served.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'keys' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'events' }));
});
after(async () => {
  s3.destroy();
  await served.close();
});

/** A raw HTTP request whose path is sent exactly as given (no URL normalisation). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(served.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('keys', () => {
  const weird = [
    'with space.txt',
    'unicodé/日本語/ключ 🚀',
    'plus+sign',
    'percent%20literal%',
    '../../escape',
    'a//double//slash',
    'trailing/',
    '/leading',
    'question?mark#hash&amp;=',
    'tab\there',
  ];

  test('weird keys round-trip exactly through put, get, list and copy', async () => {
    for (const key of weird) {
      await s3.send(new PutObjectCommand({ Bucket: 'keys', Key: key, Body: `body of ${key}` }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'keys', Key: key }));
      assert.equal(await got.Body!.transformToString(), `body of ${key}`, key);
    }
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'keys' }));
    assert.deepEqual(
      list.Contents?.map((c) => c.Key).sort(),
      [...weird].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'keys',
        Key: 'copied',
        CopySource: `keys/${encodeURIComponent('../../escape')}`,
      }),
    );
    const copied = await s3.send(new GetObjectCommand({ Bucket: 'keys', Key: 'copied' }));
    assert.equal(await copied.Body!.transformToString(), 'body of ../../escape');
  });

  test('a ../ path cannot reach outside the blob directory', async () => {
    const put = await rawRequest('PUT', '/keys/../../../../tmp/slipway-escape', {}, 'evil');
    assert.equal(put.status, 200);
    const got = await rawRequest('GET', '/keys/../../../../tmp/slipway-escape');
    assert.equal(got.body, 'evil');
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'keys', Prefix: '../' }));
    assert.deepEqual(
      list.Contents?.map((c) => c.Key),
      ['../../../../tmp/slipway-escape', '../../escape'],
    );
    // Blob files are named by id only: no file anywhere carries the key's name.
    assert.equal(existsSync('/tmp/slipway-escape'), false);
    for (const root of readdirSync(tmpdir()).filter((n) => n.startsWith('slipway-ephemeral-'))) {
      let files: string[];
      try {
        files = readdirSync(join(tmpdir(), root), { recursive: true }).map(String);
      } catch {
        continue; // another process's store, removed meanwhile
      }
      assert.ok(!files.some((f) => f.includes('escape')), files.join(','));
    }
    // Encoded dot segments as well.
    const enc = await rawRequest('PUT', '/keys/%2E%2E%2F%2E%2E%2Fenc', {}, 'e');
    assert.equal(enc.status, 200);
    const encGet = await s3.send(new GetObjectCommand({ Bucket: 'keys', Key: '../../enc' }));
    assert.equal(await encGet.Body!.transformToString(), 'e');
  });

  test('virtual-host style via the Host header', async () => {
    const port = new URL(served.endpoint).port;
    for (const host of [`keys.s3.localhost.localstack.cloud:${port}`, `keys.localhost:${port}`]) {
      const put = await rawRequest('PUT', '/vhost/obj.txt', { host }, `via ${host}`);
      assert.equal(put.status, 200, put.body);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'keys', Key: 'vhost/obj.txt' }));
      assert.equal(await got.Body!.transformToString(), `via ${host}`);
      const list = await rawRequest('GET', '/?list-type=2&prefix=vhost/', { host });
      assert.match(list.body, /<Name>keys<\/Name>/);
      assert.match(list.body, /<Key>vhost\/obj.txt<\/Key>/);
    }
  });
});

describe('errors', () => {
  test('S3 error codes for malformed and unsupported requests', async () => {
    const malformed = await rawRequest(
      'POST',
      '/keys?delete',
      { 'content-type': 'application/xml' },
      '<Delete><Object>',
    );
    assert.equal(malformed.status, 400);
    assert.match(malformed.body, /<Code>MalformedXML<\/Code>/);
    const notXml = await rawRequest('POST', '/keys?delete', {}, 'nope');
    assert.match(notXml.body, /<Code>MalformedXML<\/Code>/);
    const unsupported = await rawRequest('GET', '/keys?policy');
    assert.equal(unsupported.status, 501);
    assert.match(unsupported.body, /<Code>NotImplemented<\/Code>/);
    assert.match(unsupported.body, /policy/);
    const method = await rawRequest('PATCH', '/keys/x');
    assert.equal(method.status, 405);
    assert.match(method.body, /<Code>MethodNotAllowed<\/Code>/);
    const badUri = await rawRequest('GET', '/keys/%E0%A4%A');
    assert.match(badUri.body, /<Code>InvalidURI<\/Code>/);
    const noUpload = await errorOf(
      s3.send(
        new UploadPartCommand({ Bucket: 'keys', Key: 'k', UploadId: 'deadbeef', PartNumber: 1, Body: 'x' }),
      ),
    );
    assert.equal(noUpload.name, 'NoSuchUpload');
    const noBucket = await errorOf(
      s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })),
    );
    assert.equal(noBucket.name, 'NoSuchBucket');
    assert.equal(noBucket.$metadata.httpStatusCode, 404);
  });
});

describe('notifications and events', () => {
  test('notification configuration round-trips (SDK XML ↔ typed API) and is validated', async () => {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'events',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Id: 'fn',
              LambdaFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Fn',
              Events: ['s3:ObjectCreated:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'uploads/' },
                    { Name: 'suffix', Value: '.jpg' },
                  ],
                },
              },
            },
          ],
          QueueConfigurations: [
            { QueueArn: 'arn:aws:sqs:us-east-1:123456789012:q', Events: ['s3:ObjectRemoved:Delete'] },
          ],
          TopicConfigurations: [
            { Id: 't', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Events: ['s3:ObjectCreated:Put'] },
          ],
          EventBridgeConfiguration: {},
        },
      }),
    );
    const typed = served.service.getBucketNotificationConfiguration('events');
    assert.deepEqual(typed?.LambdaFunctionConfigurations, [
      {
        Id: 'fn',
        LambdaFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Fn',
        Events: ['s3:ObjectCreated:*'],
        Filter: {
          Key: {
            FilterRules: [
              { Name: 'prefix', Value: 'uploads/' },
              { Name: 'suffix', Value: '.jpg' },
            ],
          },
        },
      },
    ]);
    assert.equal(typed?.QueueConfigurations?.[0]?.QueueArn, 'arn:aws:sqs:us-east-1:123456789012:q');
    assert.ok(typed?.QueueConfigurations?.[0]?.Id, 'an id is assigned');
    assert.deepEqual(typed?.EventBridgeConfiguration, {});
    const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'events' }));
    assert.equal(
      got.LambdaFunctionConfigurations?.[0]?.LambdaFunctionArn,
      'arn:aws:lambda:us-east-1:123456789012:function:Fn',
    );
    assert.deepEqual(got.LambdaFunctionConfigurations?.[0]?.Filter?.Key?.FilterRules, [
      { Name: 'Prefix', Value: 'uploads/' },
      { Name: 'Suffix', Value: '.jpg' },
    ]);
    assert.deepEqual(got.TopicConfigurations?.[0]?.Events, ['s3:ObjectCreated:Put']);
    assert.deepEqual(got.EventBridgeConfiguration, {});

    const bad = await errorOf(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'events',
          NotificationConfiguration: {
            QueueConfigurations: [
              { QueueArn: 'arn:aws:sqs:us-east-1:123456789012:q', Events: ['s3:ObjectMade:*' as never] },
            ],
          },
        }),
      ),
    );
    assert.equal(bad.name, 'InvalidArgument');

    // The typed API for the app; an empty configuration clears it.
    await served.service.putBucketNotificationConfiguration('events', {});
    assert.equal(served.service.getBucketNotificationConfiguration('events'), undefined);
    const empty = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'events' }));
    assert.equal(empty.QueueConfigurations, undefined);
  });

  test('object events carry bucket, raw key, size, unquoted eTag, increasing sequencer and caller', async () => {
    served.events.length = 0;
    const key = 'dir/a key+é.txt';
    const put = await s3.send(new PutObjectCommand({ Bucket: 'events', Key: key, Body: 'twelve bytes' }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'events',
        Key: 'copy',
        CopySource: `events/${encodeURIComponent(key)}`,
      }),
    );
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'events', Key: 'mp' }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'events', Key: 'mp', UploadId, PartNumber: 1, Body: 'p' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'events',
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: 'events', Key: key }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'events', Key: 'never-existed' }));
    await s3.send(
      new DeleteObjectsCommand({ Bucket: 'events', Delete: { Objects: [{ Key: 'copy' }, { Key: 'mp' }] } }),
    );
    await served.service.putObject('events', 'seeded', Buffer.from('seed'), { contentType: 'text/plain' });

    const events = served.events;
    assert.deepEqual(
      events.map((e) => [e.type, e.detail.key]),
      [
        ['ObjectCreated:Put', key],
        ['ObjectCreated:Copy', 'copy'],
        ['ObjectCreated:CompleteMultipartUpload', 'mp'],
        ['ObjectRemoved:Delete', key],
        ['ObjectRemoved:Delete', 'copy'],
        ['ObjectRemoved:Delete', 'mp'],
        ['ObjectCreated:Put', 'seeded'],
      ],
    );
    const first = events[0]!;
    assert.equal(first.source, 's3');
    assert.equal(first.resourceArn, 'arn:aws:s3:::events');
    assert.equal(first.detail.bucket, 'events');
    assert.equal(first.detail.size, 12);
    assert.equal(first.detail.eTag, put.ETag!.replaceAll('"', ''));
    assert.equal(first.detail.sourceIPAddress, '127.0.0.1');
    assert.equal(typeof first.detail.requestId, 'string');
    assert.equal(first.caller?.accessKeyId, 'test');
    assert.equal(first.detail.principalId, 'AWS:test');
    assert.match(events[2]!.detail.eTag as string, /^[0-9a-f]{32}-1$/);
    const seqs = events.map((e) => e.detail.sequencer as string);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `${seqs[i]} > ${seqs[i - 1]}`);
    assert.equal(events[6]!.caller, undefined);
    assert.equal(await served.service.getObject('events', 'seeded').then((b) => b?.toString()), 'seed');
    assert.equal(await served.service.getObject('events', 'none'), undefined);
  });

  test('app API: createBucket is idempotent, listBuckets and bucketArn', async () => {
    await served.service.createBucket('template-bucket');
    await served.service.createBucket('template-bucket');
    const b = served.service.listBuckets().find((x) => x.name === 'template-bucket');
    assert.equal(b?.region, 'us-east-1');
    assert.equal(b?.arn, 'arn:aws:s3:::template-bucket');
    assert.equal(served.service.bucketArn('x-y'), 'arn:aws:s3:::x-y');
  });
});
