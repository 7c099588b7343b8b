/* eslint-disable @typescript-eslint/no-unsafe-member-access -- the events are dynamic JSON read field by field */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, startDev, type DevProcess } from '../helpers/slipway.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** REST and HTTP API behaviours end to end: slipway dev, the real runtime, a real HTTP client. */
describe('API Gateway through slipway dev', () => {
  let dev: DevProcess;
  let url: string;
  before(async () => {
    dev = await startDev([
      '--template',
      join(REPO_ROOT, 'test/integration/fixtures/api-features/template.yaml'),
      '--no-watch',
    ]);
    url = dev.apiUrl!;
  });
  after(async () => {
    await dev?.stop('SIGKILL');
  });

  const event = async (res: Response): Promise<Json> => ((await res.json()) as { event: Json }).event;

  test('REST: path and multi-value query parameters in the v1 proxy event; multi-value response headers', async () => {
    const res = await fetch(`${url}/users/42?tag=a&tag=b`, { headers: { 'X-Custom': 'v' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-multi'), 'a, b');
    const e = await event(res);
    assert.equal(e.resource, '/users/{id}');
    assert.equal(e.path, '/users/42');
    assert.equal(e.httpMethod, 'GET');
    assert.deepEqual(e.pathParameters, { id: '42' });
    assert.deepEqual(e.multiValueQueryStringParameters, { tag: ['a', 'b'] });
    assert.deepEqual(e.queryStringParameters, { tag: 'b' });
    assert.equal(e.headers['X-Custom'] ?? e.headers['x-custom'], 'v');
    assert.equal(e.requestContext.stage, 'dev');
    assert.equal(e.requestContext.resourcePath, '/users/{id}');
    assert.equal(e.body, null);
    assert.equal(e.isBase64Encoded, false);
  });

  test('REST: greedy {proxy+} path', async () => {
    const e = await event(await fetch(`${url}/files/a/b/c.txt`, { method: 'DELETE' }));
    assert.equal(e.resource, '/files/{proxy+}');
    assert.deepEqual(e.pathParameters, { proxy: 'a/b/c.txt' });
    assert.equal(e.httpMethod, 'DELETE');
  });

  test('REST: CORS preflight answered as configured', async () => {
    const res = await fetch(`${url}/users/1`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' },
    });
    assert.ok(res.status === 200 || res.status === 204, `status ${res.status}`);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /GET/);
  });

  test('REST: TOKEN authorizer — 401 without a token, 403 on Deny, context passed on Allow, result cached', async () => {
    const none = await fetch(`${url}/secret`);
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { message: 'Unauthorized' });
    const denied = await fetch(`${url}/secret`, { headers: { Authorization: 'deny' } });
    assert.equal(denied.status, 403);
    const first = await event(await fetch(`${url}/secret`, { headers: { Authorization: 'allow' } }));
    assert.equal(first.requestContext.authorizer.principalId, 'user-7');
    assert.equal(first.requestContext.authorizer.tier, 'gold');
    const second = await event(await fetch(`${url}/secret`, { headers: { Authorization: 'allow' } }));
    assert.equal(
      second.requestContext.authorizer.calls,
      first.requestContext.authorizer.calls,
      'cached for ReauthorizeEvery',
    );
  });

  test('REST: API key required', async () => {
    const missing = await fetch(`${url}/keyed`);
    assert.equal(missing.status, 403);
    assert.deepEqual(await missing.json(), { message: 'Forbidden' });
    const ok = await fetch(`${url}/keyed`, { headers: { 'x-api-key': 'local-key' } });
    assert.equal(ok.status, 200);
    assert.equal((await event(ok)).requestContext.identity.apiKey, 'local-key');
  });

  test('REST: a malformed function response is API Gateway’s 502', async () => {
    const res = await fetch(`${url}/malformed`);
    assert.equal(res.status, 502);
    assert.deepEqual(await res.json(), { message: 'Internal server error' });
  });

  test('REST: a base64 binary response is decoded for a binary media type', async () => {
    const res = await fetch(`${url}/image`, { headers: { Accept: 'image/png' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(bytes.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  test('HTTP API: the v2 event, cookies and body', async () => {
    const res = await fetch(`${url}/items/9?x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'a=1; b=2' },
      body: JSON.stringify({ n: 1 }),
    });
    assert.equal(res.status, 200);
    const e = await event(res);
    assert.equal(e.version, '2.0');
    assert.equal(e.routeKey, 'POST /items/{id}');
    assert.equal(e.rawPath, '/items/9');
    assert.equal(e.rawQueryString, 'x=1&x=2');
    assert.deepEqual(e.queryStringParameters, { x: '1,2' });
    assert.deepEqual(e.cookies, ['a=1', 'b=2']);
    assert.deepEqual(e.pathParameters, { id: '9' });
    assert.equal(e.requestContext.http.method, 'POST');
    assert.equal(e.body, '{"n":1}');
    assert.equal(e.isBase64Encoded, false);
  });

  test('HTTP API: CORS preflight and headers on responses', async () => {
    const pre = await fetch(`${url}/items/9`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example.com');
    const res = await fetch(`${url}/items/9`, {
      method: 'POST',
      headers: { Origin: 'https://app.example.com' },
      body: '',
    });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
  });

  test('HTTP API: Lambda authorizer with simple responses', async () => {
    assert.equal((await fetch(`${url}/private`)).status, 401);
    assert.equal((await fetch(`${url}/private`, { headers: { 'x-token': 'nope' } })).status, 403);
    const ok = await fetch(`${url}/private`, { headers: { 'x-token': 'letmein' } });
    assert.equal(ok.status, 200);
    assert.equal((await event(ok)).requestContext.authorizer.lambda.who, 'simple');
  });

  test('HTTP API: the response shorthand', async () => {
    const res = await fetch(`${url}/short`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), { hello: 'shorthand' });
  });

  test('HTTP API: the route’s integration timeout gives 503', async () => {
    const res = await fetch(`${url}/slow`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { message: 'Service Unavailable' });
  });
});
