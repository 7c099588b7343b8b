import assert from 'node:assert/strict';
import { test } from 'node:test';
import { marshallItem } from './dynamodb.ts';
import { matchTemplate, samplePath } from './http.ts';
import { EVENT_SOURCES, fixedEnv, generateEvent, optionsOf, type RawOptions } from './index.ts';
import { SlipwayError } from '../shared/errors.ts';

const gen = (source: string, type: string, options: RawOptions = {}): Record<string, unknown> =>
  generateEvent(source, type, options, undefined, { env: fixedEnv() }) as Record<string, unknown>;

test('every registered type generates a JSON-serialisable event with its defaults, deterministically', () => {
  for (const [source, entry] of Object.entries(EVENT_SOURCES))
    for (const type of Object.keys(entry.types)) {
      const a = JSON.stringify(gen(source, type));
      assert.equal(
        a,
        JSON.stringify(gen(source, type)),
        `${source} ${type} is not deterministic under fixedEnv`,
      );
      assert.ok(a.length > 20, `${source} ${type}`);
    }
});

test('unknown sources, types and options are SlipwayErrors naming the valid ones', () => {
  assert.throws(
    () => gen('s4', 'put'),
    (e: unknown) => e instanceof SlipwayError && e.exitCode === 2 && /'s4'.*s3, sqs/.test(e.message),
  );
  assert.throws(
    () => gen('s3', 'post'),
    (e: unknown) => e instanceof SlipwayError && /'post'.*put, delete/.test(e.message),
  );
  assert.throws(
    () => gen('s3', 'put', { colour: 'red' }),
    (e: unknown) => e instanceof SlipwayError && /--colour.*--bucket/.test(e.message),
  );
  assert.throws(() => gen('s3', 'put', { size: 'big' }), /--size must be a whole number/);
  assert.throws(() => gen('dynamodb', 'update', { keys: '{oops' }), /--keys must be JSON/);
});

test('REST proxy: path parameters from the resource, query and header maps, stage in requestContext.path', () => {
  const e = gen('apigateway', 'aws-proxy', {
    method: 'get',
    resource: '/users/{id}/files/{proxy+}',
    path: '/users/42/files/a/b.txt',
    query: ['a=1&a=2', 'b=x y'],
    header: ['X-Trace: 1', 'X-Trace: 2'],
    stage: 'dev',
  });
  assert.equal(e.httpMethod, 'GET');
  assert.deepEqual(e.pathParameters, { id: '42', proxy: 'a/b.txt' });
  assert.deepEqual(e.queryStringParameters, { a: '2', b: 'x y' });
  assert.deepEqual(e.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x y'] });
  assert.deepEqual((e.multiValueHeaders as Record<string, string[]>)['X-Trace'], ['2']);
  assert.equal(e.body, null, 'GET has no body by default');
  const ctx = e.requestContext as Record<string, unknown>;
  assert.equal(ctx.path, '/dev/users/42/files/a/b.txt');
  assert.equal(ctx.resourcePath, '/users/{id}/files/{proxy+}');
  assert.equal(typeof ctx.requestTimeEpoch, 'number');
  assert.throws(
    () => gen('apigateway', 'aws-proxy', { resource: '/users/{id}', path: '/orders/1' }),
    /does not match/,
  );
});

test('HTTP API: lower-case headers, cookies apart, comma-joined query values, stage prefix in rawPath', () => {
  const e = gen('apigateway', 'http-api-proxy', {
    route: 'GET /items/{id}',
    path: '/items/7',
    query: ['q=1', 'q=2'],
    header: ['X-Custom: v', 'Cookie: a=1; b=2'],
    stage: 'prod',
    body: '{"x":1}',
  });
  assert.equal(e.rawPath, '/prod/items/7');
  assert.equal(e.rawQueryString, 'q=1&q=2');
  assert.deepEqual(e.queryStringParameters, { q: '1,2' });
  assert.deepEqual(e.cookies, ['a=1', 'b=2']);
  assert.equal((e.headers as Record<string, string>)['x-custom'], 'v');
  assert.equal((e.headers as Record<string, string>)['content-type'], 'application/json');
  assert.deepEqual(e.pathParameters, { id: '7' });
  assert.equal(e.body, '{"x":1}');
  const plain = gen('apigateway', 'http-api-proxy');
  for (const absent of ['cookies', 'queryStringParameters', 'pathParameters', 'body', 'stageVariables'])
    assert.ok(!(absent in plain), `${absent} is left out when empty`);
});

test('authorizers: TOKEN and REQUEST carry the methodArn of the request', () => {
  const token = gen('apigateway', 'authorizer', {
    token: 'allow',
    method: 'GET',
    path: '/pets/1',
    stage: 'test',
  });
  assert.match(
    token.methodArn as string,
    /^arn:aws:execute-api:us-east-1:123456789012:[a-z0-9]{10}\/test\/GET\/pets\/1$/,
  );
  const req = gen('apigateway', 'request-authorizer', { path: '/request', resource: '/request' });
  assert.equal(req.type, 'REQUEST');
  assert.ok(!('body' in req));
  assert.match(req.methodArn as string, /\/Prod\/GET\/request$/);
});

test('path templates: matching and sample paths', () => {
  assert.deepEqual(matchTemplate('/a/{b}', '/a/x%20y'), { b: 'x y' });
  assert.equal(matchTemplate('/a/{b}', '/a/x/y'), undefined);
  assert.equal(samplePath('/users/{id}/{proxy+}'), '/users/id1/path/to/resource');
});

test('DynamoDB: plain JSON is marshalled, DynamoDB JSON is kept; images follow the event name and view type', () => {
  assert.deepEqual(marshallItem({ s: 'x', n: 1.5, b: true, z: null, l: [1, 'a'], m: { k: 'v' } }), {
    s: { S: 'x' },
    n: { N: '1.5' },
    b: { BOOL: true },
    z: { NULL: true },
    l: { L: [{ N: '1' }, { S: 'a' }] },
    m: { M: { k: { S: 'v' } } },
  });
  assert.deepEqual(marshallItem({ id: { S: '1' } }), { id: { S: '1' } });
  type Rec = { eventName: string; dynamodb: Record<string, unknown> };
  const rec = (type: string, o: RawOptions = {}): Rec => (gen('dynamodb', type, o).Records as Rec[])[0]!;
  assert.equal(rec('insert').eventName, 'INSERT');
  assert.ok(!('OldImage' in rec('insert').dynamodb));
  assert.ok('OldImage' in rec('update').dynamodb && 'NewImage' in rec('update').dynamodb);
  assert.ok(!('NewImage' in rec('remove').dynamodb));
  assert.ok(!('NewImage' in rec('update', { 'stream-view-type': 'KEYS_ONLY' }).dynamodb));
  const d = rec('update', { keys: '{"pk": "a"}', 'new-image': '{"n": 2}' }).dynamodb;
  assert.deepEqual(d.NewImage, { pk: { S: 'a' }, n: { N: '2' } });
  assert.equal(typeof d.ApproximateCreationDateTime, 'number');
  assert.equal(typeof d.SizeBytes, 'number');
});

test('EventBridge and scheduled events use EventBridge envelope fields', () => {
  const e = gen('eventbridge', 'event', {
    source: 'my.app',
    'detail-type': 'Order Placed',
    detail: '{"id": 7}',
  });
  assert.deepEqual(Object.keys(e), [
    'version',
    'id',
    'detail-type',
    'source',
    'account',
    'time',
    'region',
    'resources',
    'detail',
  ]);
  assert.equal(e.time, '2024-05-01T12:00:00Z');
  assert.deepEqual(e.detail, { id: 7 });
  const s = gen('schedule', 'event', { rule: 'nightly' });
  assert.equal(s.source, 'aws.events');
  assert.equal(s['detail-type'], 'Scheduled Event');
  assert.deepEqual(s.resources, ['arn:aws:events:us-east-1:123456789012:rule/nightly']);
  assert.deepEqual(s.detail, {});
});

test('SNS: Subject null when absent; FIFO SQS queues get group attributes; region and account options apply', () => {
  const sns = (
    gen('sns', 'notification', { region: 'eu-west-1', 'account-id': '111122223333' }).Records as Array<{
      Sns: Record<string, unknown>;
    }>
  )[0]!.Sns;
  assert.equal(sns.Subject, null);
  assert.equal(sns.TopicArn, 'arn:aws:sns:eu-west-1:111122223333:example-topic');
  assert.equal(sns.SignatureVersion, '1');
  const fifo = (
    gen('sqs', 'receive-message', { queue: 'orders.fifo' }).Records as Array<{
      attributes: Record<string, string>;
    }>
  )[0]!;
  assert.equal(fifo.attributes.MessageGroupId, 'group1');
  assert.ok(fifo.attributes.SequenceNumber);
  assert.throws(() => gen('sns', 'notification', { 'account-id': '12' }), /12 digits/);
});

test("optionsOf lists a type's own options and the common ones", () => {
  const names = optionsOf('s3', 'put').map((o) => o.name);
  for (const n of ['bucket', 'key', 'size', 'etag', 'region', 'account-id']) assert.ok(names.includes(n), n);
});
