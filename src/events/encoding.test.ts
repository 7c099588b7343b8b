import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  base64,
  decodeS3EventKey,
  encodeS3EventKey,
  gunzipBase64Json,
  gzipBase64Json,
  md5Hex,
} from './encoding.ts';
import { fixedEnv, generateEvent } from './index.ts';
import { md5OfMessageAttributes } from './sqs.ts';

test('S3 event keys are form-URL-encoded: spaces as +, reserved characters percent-encoded, / kept', () => {
  assert.equal(encodeS3EventKey('red flower.jpg'), 'red+flower.jpg');
  assert.equal(encodeS3EventKey('test_file(3).png'), 'test_file%283%29.png');
  assert.equal(encodeS3EventKey('year=2024/month=05/a+b.txt'), 'year%3D2024/month%3D05/a%2Bb.txt');
  assert.equal(encodeS3EventKey('naïve café.txt'), 'na%C3%AFve+caf%C3%A9.txt');
  assert.equal(encodeS3EventKey('a:b,c;d@e&f$g!h~i'), 'a%3Ab%2Cc%3Bd%40e%26f%24g%21h%7Ei');
  assert.equal(encodeS3EventKey('safe-._*'), 'safe-._*');
  for (const key of ['red flower.jpg', 'a+b=c/d e%f.txt', '日本語/ファイル 1.png'])
    assert.equal(decodeS3EventKey(encodeS3EventKey(key)), key);
});

test('s3 put carries the encoded key and a numeric size', () => {
  const event = generateEvent('s3', 'put', { key: 'my file.txt', size: '42' }, undefined, {
    env: fixedEnv(),
  }) as {
    Records: Array<{ s3: { object: { key: string; size: number } } }>;
  };
  assert.equal(event.Records[0]!.s3.object.key, 'my+file.txt');
  assert.equal(event.Records[0]!.s3.object.size, 42);
});

test('Kinesis data is base64 of the given text, one record per --data, sequence numbers increasing', () => {
  const event = generateEvent('kinesis', 'get-records', { data: ['Hello World', 'second'] }, undefined, {
    env: fixedEnv(),
  }) as {
    Records: Array<{
      kinesis: { data: string; sequenceNumber: string; approximateArrivalTimestamp: number };
    }>;
  };
  assert.equal(event.Records[0]!.kinesis.data, 'SGVsbG8gV29ybGQ=');
  assert.equal(Buffer.from(event.Records[1]!.kinesis.data, 'base64').toString('utf8'), 'second');
  assert.equal(base64('Hello World'), 'SGVsbG8gV29ybGQ=');
  const [a, b] = event.Records.map((r) => BigInt(r.kinesis.sequenceNumber));
  assert.equal(b! - a!, 1n);
  assert.equal(event.Records[0]!.kinesis.sequenceNumber.length, 56);
  assert.equal(
    event.Records[0]!.kinesis.approximateArrivalTimestamp,
    Date.parse('2024-05-01T12:00:00.000Z') / 1000,
  );
});

test('CloudWatch Logs awslogs.data is base64(gzip(JSON)) and round-trips', () => {
  const doc = { messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 1, message: 'hé' }] };
  assert.deepEqual(gunzipBase64Json(gzipBase64Json(doc)), doc);
  const event = generateEvent(
    'cloudwatch',
    'logs',
    { 'log-group': '/aws/lambda/x', message: ['a', 'b'] },
    undefined,
    {
      env: fixedEnv(),
    },
  ) as { awslogs: { data: string } };
  const inner = gunzipBase64Json(event.awslogs.data) as {
    owner: string;
    logGroup: string;
    subscriptionFilters: string[];
    logEvents: Array<{ id: string; timestamp: number; message: string }>;
  };
  assert.equal(Buffer.from(event.awslogs.data, 'base64').subarray(0, 2).toString('hex'), '1f8b');
  assert.equal(inner.owner, '123456789012');
  assert.equal(inner.logGroup, '/aws/lambda/x');
  assert.deepEqual(
    inner.logEvents.map((e) => e.message),
    ['a', 'b'],
  );
  assert.equal(typeof inner.logEvents[0]!.id, 'string');
  assert.equal(typeof inner.logEvents[0]!.timestamp, 'number');
});

test('SQS md5OfBody is the hex MD5 of the body; md5OfMessageAttributes follows the SQS algorithm', () => {
  assert.equal(md5Hex('test'), '098f6bcd4621d373cade4e832627b4f6');
  // Vectors published with SQS clients' checksum validators.
  assert.equal(
    md5OfMessageAttributes({ SellerName: { dataType: 'String', stringValue: 'Example Store' } }),
    'cd28f3b68aeee4b2eac9c66f2f694b58',
  );
  assert.equal(
    md5OfMessageAttributes({ timestamp: { dataType: 'Number', stringValue: '1493147359900' } }),
    '235c5c510d26fb653d073faed50ae77c',
  );
  const event = generateEvent(
    'sqs',
    'receive-message',
    { body: ['test'], attribute: ['SellerName=Example Store'] },
    undefined,
    {
      env: fixedEnv(),
    },
  ) as { Records: Array<Record<string, unknown> & { attributes: Record<string, unknown> }> };
  const record = event.Records[0]!;
  assert.equal(record.md5OfBody, '098f6bcd4621d373cade4e832627b4f6');
  assert.equal(record.md5OfMessageAttributes, 'cd28f3b68aeee4b2eac9c66f2f694b58');
  for (const value of Object.values(record.attributes)) assert.equal(typeof value, 'string');
  assert.equal(record.eventSourceARN, 'arn:aws:sqs:us-east-1:123456789012:example-queue');
});
