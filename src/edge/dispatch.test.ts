import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { AwsRequest, AwsService } from '../services/types.ts';
import { createDispatcher, isLambdaPath, virtualHostBucket, withBufferedForm } from './dispatch.ts';
import { toAwsRequest } from './request.ts';

function stub(signingName: string, extra: Partial<AwsService> = {}): AwsService {
  return { signingName, handle: () => Promise.resolve(), ...extra };
}

const services = {
  s3: stub('s3'),
  sqs: stub('sqs', {
    targetPrefixes: ['AmazonSQS.'],
    queryActions: new Set(['SendMessage', 'ReceiveMessage', 'ListQueues', 'CreateQueue']),
  }),
  sns: stub('sns', { queryActions: new Set(['Publish', 'CreateTopic', 'Subscribe']) }),
  kinesis: stub('kinesis', { targetPrefixes: ['Kinesis_20131202.'] }),
  events: stub('events', { targetPrefixes: ['AWSEvents.'] }),
  lambda: stub('lambda'),
};
const dispatch = createDispatcher(Object.values(services));

const sig = (service: string, key = 'AKIDTEST'): string =>
  `AWS4-HMAC-SHA256 Credential=${key}/20240102/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd`;

interface Shape {
  name: string;
  method: string;
  url: string;
  headers?: IncomingHttpHeaders;
  body?: string;
  expect: keyof typeof services | undefined;
}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

const shapes: Shape[] = [
  {
    name: 'S3 path style PUT',
    method: 'PUT',
    url: '/my-bucket/dir/key.txt',
    headers: { authorization: sig('s3') },
    body: 'hello',
    expect: 's3',
  },
  {
    name: 'S3 path style GET, SDK list',
    method: 'GET',
    url: '/my-bucket?list-type=2&prefix=a',
    headers: { authorization: sig('s3') },
    expect: 's3',
  },
  {
    name: 'S3 virtual host, signed',
    method: 'GET',
    url: '/key.txt',
    headers: { host: 'my-bucket.s3.localhost.localstack.cloud:4566', authorization: sig('s3') },
    expect: 's3',
  },
  {
    name: 'S3 virtual host <bucket>.localhost, unsigned',
    method: 'GET',
    url: '/key.txt',
    headers: { host: 'my-bucket.localhost:4566' },
    expect: 's3',
  },
  {
    name: 'S3 presigned GET',
    method: 'GET',
    url: '/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240102%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240102T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=ab',
    expect: 's3',
  },
  {
    name: 'S3 SigV2 presigned GET',
    method: 'GET',
    url: '/b/k?AWSAccessKeyId=AKID&Expires=1700000000&Signature=abc',
    expect: 's3',
  },
  { name: 'S3 unsigned curl', method: 'GET', url: '/b/k', expect: 's3' },
  {
    name: 'S3 unsigned curl -d form POST to a key',
    method: 'POST',
    url: '/b/k?uploads',
    headers: { 'content-type': FORM },
    body: 'a=b',
    expect: 's3',
  },
  {
    name: 'S3 virtual host with a Lambda-looking key',
    method: 'GET',
    url: '/2015-03-31/functions/x',
    headers: { host: 'b.s3.amazonaws.com' },
    expect: 's3',
  },
  {
    name: 'SQS JSON (X-Amz-Target)',
    method: 'POST',
    url: '/',
    headers: {
      'x-amz-target': 'AmazonSQS.SendMessage',
      'content-type': 'application/x-amz-json-1.0',
      authorization: sig('sqs'),
    },
    body: '{"QueueUrl":"q","MessageBody":"m"}',
    expect: 'sqs',
  },
  {
    name: 'SQS query, aws CLI v1 (signed form POST)',
    method: 'POST',
    url: '/',
    headers: { 'content-type': FORM, authorization: sig('sqs') },
    body: 'Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq&MessageBody=hi',
    expect: 'sqs',
  },
  {
    name: 'SQS query, unsigned form POST to a queue URL',
    method: 'POST',
    url: '/000000000000/q',
    headers: { 'content-type': FORM },
    body: 'Action=SendMessage&MessageBody=hi',
    expect: 'sqs',
  },
  {
    name: 'SQS query GET with Action in the URL',
    method: 'GET',
    url: '/?Action=ListQueues&Version=2012-11-05',
    expect: 'sqs',
  },
  {
    name: 'SNS query, signed',
    method: 'POST',
    url: '/',
    headers: { 'content-type': FORM, authorization: sig('sns') },
    body: 'Action=Publish&TopicArn=arn&Message=m',
    expect: 'sns',
  },
  {
    name: 'SNS query, unsigned form POST',
    method: 'POST',
    url: '/',
    headers: { 'content-type': FORM },
    body: 'Action=Publish&TopicArn=arn&Message=m',
    expect: 'sns',
  },
  {
    name: 'Kinesis (X-Amz-Target)',
    method: 'POST',
    url: '/',
    headers: {
      'x-amz-target': 'Kinesis_20131202.PutRecord',
      'content-type': 'application/x-amz-json-1.1',
      authorization: sig('kinesis'),
    },
    body: '{}',
    expect: 'kinesis',
  },
  {
    name: 'Kinesis CBOR (SDK v3 default is JSON, older ones CBOR)',
    method: 'POST',
    url: '/',
    headers: { 'x-amz-target': 'Kinesis_20131202.GetRecords', 'content-type': 'application/x-amz-cbor-1.1' },
    expect: 'kinesis',
  },
  {
    name: 'EventBridge (AWSEvents.PutEvents)',
    method: 'POST',
    url: '/',
    headers: {
      'x-amz-target': 'AWSEvents.PutEvents',
      'content-type': 'application/x-amz-json-1.1',
      authorization: sig('events'),
    },
    body: '{}',
    expect: 'events',
  },
  {
    name: 'Lambda Invoke (signed)',
    method: 'POST',
    url: '/2015-03-31/functions/my-fn/invocations',
    headers: { authorization: sig('lambda') },
    body: '{}',
    expect: 'lambda',
  },
  {
    name: 'Lambda ListFunctions (unsigned)',
    method: 'GET',
    url: '/2015-03-31/functions/?MaxItems=10',
    expect: 'lambda',
  },
  {
    name: 'Lambda event source mappings (unsigned)',
    method: 'GET',
    url: '/2015-03-31/event-source-mappings/',
    expect: 'lambda',
  },
  {
    name: 'Lambda tags (unsigned)',
    method: 'GET',
    url: '/2017-03-31/tags/arn%3Aaws%3Alambda',
    expect: 'lambda',
  },
  {
    name: 'unknown X-Amz-Target',
    method: 'POST',
    url: '/',
    headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', authorization: sig('dynamodb') },
    body: '{}',
    expect: undefined,
  },
  {
    name: 'signed for a service not served (STS)',
    method: 'POST',
    url: '/',
    headers: { 'content-type': FORM, authorization: sig('sts') },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    expect: undefined,
  },
  {
    name: 'unsigned unknown Action at the root',
    method: 'POST',
    url: '/',
    headers: { 'content-type': FORM },
    body: 'Action=GetCallerIdentity',
    expect: undefined,
  },
];

function rawRequest(shape: Shape): IncomingMessage {
  const stream = Readable.from(
    shape.body === undefined ? [] : [Buffer.from(shape.body)],
  ) as unknown as IncomingMessage;
  stream.method = shape.method;
  stream.url = shape.url;
  stream.headers = { host: '127.0.0.1:4566', ...shape.headers };
  return stream;
}

async function prepared(shape: Shape): Promise<AwsRequest> {
  const req = toAwsRequest(rawRequest(shape), 'us-east-1');
  return dispatch.needsForm(req) ? withBufferedForm(req) : req;
}

for (const shape of shapes) {
  test(`dispatch: ${shape.name} → ${shape.expect ?? 'none'}`, async () => {
    const req = await prepared(shape);
    const got = dispatch(req);
    assert.equal(got, shape.expect === undefined ? undefined : services[shape.expect]);
    // Whatever dispatch looked at, the service still reads the whole body.
    assert.equal((await req.body()).toString(), shape.body ?? '');
  });
}

test('only unsigned (or unknown-service) form POSTs are buffered', async () => {
  const find = (name: string): Shape => shapes.find((s) => s.name === name) as Shape;
  const needs = (s: Shape): boolean => dispatch.needsForm(toAwsRequest(rawRequest(s), 'us-east-1'));
  assert.equal(needs(find('SQS query, aws CLI v1 (signed form POST)')), false);
  assert.equal(needs(find('SQS JSON (X-Amz-Target)')), false);
  assert.equal(needs(find('S3 path style PUT')), false);
  assert.equal(needs(find('SNS query, unsigned form POST')), true);
  const buffered = await prepared(find('SNS query, unsigned form POST'));
  assert.equal(dispatch.needsForm(buffered), false);
});

test('a buffered form body streams the same bytes and respects a smaller bound', async () => {
  const req = await prepared({
    name: '',
    method: 'POST',
    url: '/',
    headers: { 'content-type': FORM },
    body: 'Action=Publish&Message=xyz',
    expect: 'sns',
  });
  const chunks: Buffer[] = [];
  for await (const chunk of req.stream) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'Action=Publish&Message=xyz');
  await assert.rejects(req.body(4), /exceeds 4 bytes/);
});

test('form bodies over the bound are refused, not buffered whole', async () => {
  const req = toAwsRequest(
    rawRequest({
      name: '',
      method: 'POST',
      url: '/',
      headers: { 'content-type': FORM },
      body: 'Action=Publish&M=' + 'x'.repeat(2000),
      expect: 'sns',
    }),
    'us-east-1',
  );
  await assert.rejects(
    withBufferedForm(req, 1000),
    (err: Error & { statusCode?: number }) => err.statusCode === 413,
  );
});

test('no services: nothing is dispatched', () => {
  const none = createDispatcher([]);
  const req = toAwsRequest(
    rawRequest({ name: '', method: 'GET', url: '/b/k', expect: undefined }),
    'us-east-1',
  );
  assert.equal(none(req), undefined);
  assert.equal(none.needsForm(req), false);
});

test('virtualHostBucket and isLambdaPath', () => {
  assert.equal(virtualHostBucket('my-bucket.s3.amazonaws.com'), 'my-bucket');
  assert.equal(virtualHostBucket('my.dotted.bucket.s3.us-east-1.amazonaws.com'), 'my.dotted.bucket');
  assert.equal(virtualHostBucket('b.s3.localhost.localstack.cloud:4566'), 'b');
  assert.equal(virtualHostBucket('b.localhost:4566'), 'b');
  assert.equal(virtualHostBucket('B.LOCALHOST'), 'b');
  assert.equal(virtualHostBucket('s3.localhost:4566'), undefined);
  assert.equal(virtualHostBucket('localhost:4566'), undefined);
  assert.equal(virtualHostBucket('127.0.0.1:4566'), undefined);
  assert.equal(virtualHostBucket('[::1]:4566'), undefined);
  assert.equal(virtualHostBucket(''), undefined);
  assert.equal(isLambdaPath('/2015-03-31/functions'), true);
  assert.equal(isLambdaPath('/2015-03-31/functions/'), true);
  assert.equal(isLambdaPath('/2015-03-31/event-source-mappings/abc'), true);
  assert.equal(isLambdaPath('/2015-03-31/functionsX'), false);
  assert.equal(isLambdaPath('/2015-03-31/'), false);
  assert.equal(isLambdaPath('/bucket/2015-03-31/functions'), false);
  assert.equal(isLambdaPath('/'), false);
});

test('fuzz: random request shapes never throw in dispatch', () => {
  let a = 7;
  const rand = (): number => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x7fffffff;
  };
  const parts = [
    '/',
    'b',
    '2015-03-31',
    'functions',
    '?',
    'Action=',
    'Publish',
    '&',
    '%',
    'x-amz',
    '.',
    ':',
    '000000000000',
  ];
  const hosts = ['', 'b.localhost', 'x.s3.', '.s3.', 'localhost:', '[::1]', ':', 'a.localhost:99999'];
  const targets = [undefined, '', 'AmazonSQS.', '.', 'AWSEvents', 'Kinesis_20131202.X.Y'];
  for (let i = 0; i < 5000; i++) {
    let url = '';
    for (let j = Math.floor(rand() * 8); j > 0; j--) url += parts[Math.floor(rand() * parts.length)];
    const headers: IncomingHttpHeaders = { host: hosts[Math.floor(rand() * hosts.length)] };
    const target = targets[Math.floor(rand() * targets.length)];
    if (target !== undefined) headers['x-amz-target'] = target;
    if (rand() < 0.3) headers.authorization = sig(parts[Math.floor(rand() * parts.length)] as string);
    if (rand() < 0.3) headers['content-type'] = FORM;
    const req = toAwsRequest(
      rawRequest({ name: '', method: rand() < 0.5 ? 'GET' : 'POST', url, headers, expect: undefined }),
      'us-east-1',
    );
    dispatch.needsForm(req);
    dispatch(req);
  }
});
