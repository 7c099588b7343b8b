/** The edge over real HTTP with stub services that record what they got (and real SDK v3 clients). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsError, type AwsRequest, type AwsService } from '../services/types.ts';
import { startEdge, type EdgeHandle, type RecentCall } from './server.ts';

interface Seen {
  service: string;
  method: string;
  path: string;
  body: string;
  caller?: string;
  region: string;
}
const seen: Seen[] = [];

/** A stub that records, then answers (or throws) as the request asks through `x-test-behaviour`. */
function stub(
  signingName: string,
  answer: (req: AwsRequest) => { type: string; body: string; headers?: Record<string, string> },
  extra: Partial<AwsService> = {},
): AwsService {
  return {
    signingName,
    ...extra,
    async handle(req, res) {
      const body = (await req.body()).toString();
      seen.push({
        service: signingName,
        method: req.method,
        path: req.rawPath,
        body,
        caller: req.caller?.functionLogicalId,
        region: req.region,
      });
      const behaviour = req.headers['x-test-behaviour'];
      if (behaviour === 'throw') throw new Error('kaboom');
      if (behaviour === 'aws-error') throw new AwsError('ThrottlingException', 'slow down', 429);
      if (behaviour === 'half') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        throw new Error('died mid-answer');
      }
      const a = answer(req);
      res.writeHead(200, {
        'content-type': a.type,
        'content-length': Buffer.byteLength(a.body),
        ...a.headers,
      });
      res.end(a.body);
    },
  };
}

const json = (body: unknown) => () => ({ type: 'application/x-amz-json-1.0', body: JSON.stringify(body) });
const services: AwsService[] = [
  stub('s3', () => ({ type: 'application/xml', body: '', headers: { etag: '"abc"' } })),
  stub('sqs', json({ QueueUrls: [] }), {
    targetPrefixes: ['AmazonSQS.'],
    queryActions: new Set(['ListQueues', 'SendMessage']),
  }),
  stub('sns', () => ({ type: 'text/xml', body: '<PublishResponse/>' }), {
    queryActions: new Set(['Publish']),
  }),
  stub(
    'events',
    () => ({
      type: 'application/x-amz-json-1.1',
      body: JSON.stringify({ Entries: [{ EventId: '1' }], FailedEntryCount: 0 }),
    }),
    { targetPrefixes: ['AWSEvents.'] },
  ),
  stub('lambda', json({})),
];

let edge: EdgeHandle;
const pushed: RecentCall[] = [];
const faults: unknown[] = [];
const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'secret' });

before(async () => {
  edge = await startEdge({
    host: '127.0.0.1',
    port: 0,
    health: () => ({ functions: ['A'] }),
    services,
    region: 'eu-west-3',
    resolveCaller: (accessKeyId) =>
      accessKeyId === 'AKFN'
        ? { accessKeyId, functionLogicalId: 'Fn', invocationRequestId: 'r-1' }
        : { accessKeyId },
    recentCallsLimit: 3,
    onError: (err) => faults.push(err),
  });
  edge.onCall((call) => pushed.push(call));
});
after(() => edge.close());

const sig = (service: string, key = 'AKFN'): string =>
  `AWS4-HMAC-SHA256 Credential=${key}/20240102/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

test('health check and a request id on every response', async () => {
  const res = await fetch(`${edge.url}/_slipway/health`);
  assert.deepEqual(await res.json(), { status: 'ready', functions: ['A'] });
  assert.ok(res.headers.get('x-amzn-requestid'));
  const s3 = await fetch(`${edge.url}/bucket/key`);
  assert.equal(s3.status, 200);
  assert.match(s3.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(seen.at(-1)?.region, 'eu-west-3');
});

test('CORS: preflights are answered permissively; answers to browser requests expose headers', async () => {
  const pre = await fetch(`${edge.url}/bucket/key`, {
    method: 'OPTIONS',
    headers: {
      origin: 'http://localhost:5173',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'authorization,x-amz-date,content-type',
    },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization,x-amz-date,content-type');
  const res = await fetch(`${edge.url}/bucket/key`, {
    method: 'PUT',
    body: 'x',
    headers: { origin: 'http://localhost:5173' },
  });
  assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.match(res.headers.get('access-control-expose-headers') ?? '', /ETag.*x-amz-request-id/);
  const plain = await fetch(`${edge.url}/bucket/key`);
  assert.equal(plain.headers.get('access-control-allow-origin'), null);
});

test('real SDK v3 clients reach the right service: S3, SQS (JSON), EventBridge', async () => {
  const common = {
    endpoint: edge.url,
    region: 'us-east-1',
    credentials: credentials('AKOTHER'),
    maxAttempts: 1,
  };
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const sqs = new SQSClient(common);
  const events = new EventBridgeClient(common);
  try {
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k.txt', Body: 'hello' }));
    assert.deepEqual(seen.at(-1), {
      service: 's3',
      method: 'PUT',
      path: '/b/k.txt',
      body: 'hello',
      caller: undefined,
      region: 'us-east-1',
    });
    await sqs.send(new ListQueuesCommand({}));
    assert.equal(seen.at(-1)?.service, 'sqs');
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
    );
    assert.equal(put.FailedEntryCount, 0);
    assert.equal(seen.at(-1)?.service, 'events');
  } finally {
    s3.destroy();
    sqs.destroy();
    events.destroy();
  }
});

test('an unsigned form POST is routed by its Action and the service still gets the whole body', async () => {
  const body = 'Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Message=' + 'm'.repeat(10_000);
  const res = await fetch(`${edge.url}/`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(seen.at(-1), {
    service: 'sns',
    method: 'POST',
    path: '/',
    body,
    caller: undefined,
    region: 'eu-west-3',
  });
});

test('unknown operations are 400 UnknownOperationException in JSON', async () => {
  const res = await fetch(`${edge.url}/`, {
    method: 'POST',
    body: '{}',
    headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' },
  });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  const body = (await res.json()) as { __type: string; message: string };
  assert.equal(body.__type, 'UnknownOperationException');
  assert.match(body.message, /DynamoDB_20120810\.PutItem/);
  const sts = await fetch(`${edge.url}/`, {
    method: 'POST',
    body: 'Action=GetCallerIdentity',
    headers: { authorization: sig('sts'), 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(sts.status, 400);
  assert.match(await sts.text(), /not emulate the AWS service 'sts'/);
});

test('a service that throws answers 500 in its own protocol, and the edge keeps serving', async () => {
  const throwing = { 'x-test-behaviour': 'throw' };
  const j = await fetch(`${edge.url}/`, {
    method: 'POST',
    body: '{}',
    headers: {
      ...throwing,
      'x-amz-target': 'AmazonSQS.ListQueues',
      'content-type': 'application/x-amz-json-1.0',
    },
  });
  assert.equal(j.status, 500);
  assert.equal(j.headers.get('content-type'), 'application/x-amz-json-1.0');
  assert.equal(((await j.json()) as { __type: string }).__type, 'InternalFailure');
  const q = await fetch(`${edge.url}/`, {
    method: 'POST',
    body: 'Action=SendMessage',
    headers: { ...throwing, authorization: sig('sqs'), 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(q.status, 500);
  assert.match(
    await q.text(),
    /<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Receiver<\/Type><Code>InternalFailure<\/Code>/,
  );
  const x = await fetch(`${edge.url}/b/k`, { headers: throwing });
  assert.equal(x.status, 500);
  assert.match(await x.text(), /<Error><Code>InternalError<\/Code>/);
  const r = await fetch(`${edge.url}/2015-03-31/functions/f/invocations`, {
    method: 'POST',
    headers: throwing,
  });
  assert.equal(r.status, 500);
  assert.equal(r.headers.get('x-amzn-errortype'), 'InternalFailure');
  const coded = await fetch(`${edge.url}/b/k`, { headers: { 'x-test-behaviour': 'aws-error' } });
  assert.equal(coded.status, 429);
  assert.match(await coded.text(), /<Code>ThrottlingException<\/Code>/);
  await assert.rejects(
    fetch(`${edge.url}/b/k`, { headers: { 'x-test-behaviour': 'half' } }).then((res) => res.text()),
  );
  assert.equal(faults.length, 4);
  const ok = await fetch(`${edge.url}/b/k`);
  assert.equal(ok.status, 200);
});

test('recent calls: attributed calls only, newest last, bounded; pushed to listeners', async () => {
  pushed.length = 0;
  await fetch(`${edge.url}/`, {
    method: 'POST',
    body: '{}',
    headers: {
      authorization: sig('sqs'),
      'x-amz-target': 'AmazonSQS.ListQueues',
      'content-type': 'application/x-amz-json-1.0',
    },
  });
  await fetch(`${edge.url}/`, {
    method: 'POST',
    body: 'Action=Publish&Message=x',
    headers: { authorization: sig('sns'), 'content-type': 'application/x-www-form-urlencoded' },
  });
  await fetch(`${edge.url}/?Action=Publish&Message=x`, {
    method: 'POST',
    headers: { authorization: sig('sns') },
  });
  await fetch(`${edge.url}/b/k`, { method: 'PUT', body: 'x', headers: { authorization: sig('s3') } });
  await fetch(`${edge.url}/b/k`, { method: 'PUT', body: 'x' });
  await new Promise((r) => setTimeout(r, 20));
  const calls = edge.recentCalls();
  assert.equal(calls.length, 3);
  assert.deepEqual(
    calls.map((c) => [c.service, c.operation, c.caller.functionLogicalId, c.status]),
    [
      ['sns', 'Publish', 'Fn', 200],
      ['sns', 'Publish', 'Fn', 200],
      ['s3', undefined, 'Fn', 200],
    ],
  );
  assert.equal(pushed.length, 4);
  assert.deepEqual([pushed[0]?.service, pushed[0]?.operation], ['sqs', 'ListQueues']);
  assert.equal(calls[2]?.caller.invocationRequestId, 'r-1');
});
