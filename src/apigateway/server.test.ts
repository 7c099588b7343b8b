/**
 * The gateway over real HTTP (fetch against 127.0.0.1, ephemeral port), with a tiny in-test
 * Invoker standing in for the runtime (the real runtime's end-to-end tests live elsewhere).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiModel, AuthorizerModel, FunctionModel, RouteModel } from '../project/model.ts';
import type { InvokeRequest, InvokeResult, Invoker } from '../runtime/types.ts';
import { AwsServiceError, SlipwayError } from '../shared/errors.ts';
import { startApiGateway, type ApiGatewayHandle } from './index.ts';

type Handler = (event: Record<string, unknown>) => unknown;

function fn(logicalId: string): FunctionModel {
  return {
    logicalId,
    resourceType: 'AWS::Serverless::Function',
    functionName: `stack-${logicalId}`,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:stack-${logicalId}`,
    runtime: 'nodejs20.x',
    runtimeFamily: 'nodejs',
    handler: 'index.handler',
    packageType: 'Zip',
    timeout: 3,
    memorySize: 128,
    ephemeralStorageMB: 512,
    architectures: ['x86_64'],
    environment: {},
    layers: [],
    events: [],
    loggingConfig: { logFormat: 'Text' },
    location: { file: 'template.yaml', line: 1, column: 1 },
  };
}

/** Handlers by logical id; a handler may throw `{ errorType, errorMessage }` or an AwsServiceError. */
class TestInvoker implements Invoker {
  calls: Array<{ name: string; event: Record<string, unknown> }> = [];
  constructor(private readonly handlers: Record<string, Handler>) {}
  async invoke(functionName: string, request: InvokeRequest): Promise<InvokeResult> {
    const logicalId = functionName.replace(/^stack-/, '');
    const event = JSON.parse(request.payload.toString('utf8')) as Record<string, unknown>;
    this.calls.push({ name: logicalId, event });
    const handler = this.handlers[logicalId];
    if (!handler)
      throw new AwsServiceError('ResourceNotFoundException', 404, `Function not found: ${functionName}`);
    const base = {
      requestId: 'r',
      statusCode: 200,
      logs: '',
      executedVersion: '$LATEST',
      durationMs: 1,
      billedDurationMs: 1,
      maxMemoryUsedMB: 64,
    };
    try {
      const value = await handler(event);
      return { ...base, payload: Buffer.from(value === undefined ? 'null' : JSON.stringify(value)) };
    } catch (err) {
      if (err instanceof AwsServiceError) throw err;
      const error = { errorType: 'Error', errorMessage: (err as Error).message };
      return { ...base, payload: Buffer.from(JSON.stringify(error)), functionError: 'Unhandled', error };
    }
  }
}

function route(
  method: string,
  path: string,
  functionLogicalId: string,
  over: Partial<RouteModel> = {},
): RouteModel {
  return {
    method,
    path,
    functionLogicalId,
    eventId: `${method}${path}`,
    payloadFormatVersion: '1.0',
    ...over,
  };
}

function api(over: Partial<ApiModel> & Pick<ApiModel, 'logicalId' | 'protocol' | 'routes'>): ApiModel {
  return {
    implicit: false,
    name: over.logicalId,
    stageName: over.protocol === 'REST' ? 'Prod' : '$default',
    stageVariables: {},
    apiKeyRequired: false,
    authorizers: {},
    binaryMediaTypes: [],
    ...over,
  };
}

const echo: Handler = (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(event),
});

const tokenAuthorizer: AuthorizerModel = {
  name: 'TokenAuth',
  type: 'TOKEN',
  functionLogicalId: 'AuthFn',
  identitySource: ['method.request.header.Authorization'],
  ttlSeconds: 300,
};

function policy(
  effect: string,
  resource: string,
  context?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    principalId: 'user-1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    context,
  };
}

function jwt(claims: Record<string, unknown>): string {
  const b = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b({ alg: 'RS256' })}.${b(claims)}.signature`;
}

let now = Date.UTC(2024, 0, 1);
const logs: string[] = [];
const invoker = new TestInvoker({
  Echo: echo,
  Hello: () => ({ statusCode: 200, body: 'hello' }),
  Malformed: () => ({ statusCode: 200, body: { not: 'a string' } }),
  Crash: () => {
    throw new Error('boom');
  },
  Throttled: () => {
    throw new AwsServiceError('TooManyRequestsException', 429, 'Rate Exceeded.', {
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
  },
  Slow: () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, body: 'late' }), 300)),
  Shorthand: () => ({ hello: 'world' }),
  Cookies: () => ({
    statusCode: 200,
    cookies: ['a=1; Path=/', 'b=2'],
    headers: { 'access-control-allow-origin': 'https://wrong' },
    body: 'ok',
  }),
  Binary: (event) => ({
    statusCode: 200,
    headers: { 'Content-Type': 'image/png' },
    isBase64Encoded: true,
    body: event.body ?? Buffer.from([1, 2, 3]).toString('base64'),
  }),
  AuthFn: (event) => {
    const token = (event.authorizationToken as string | undefined) ?? '';
    if (token === 'allow')
      return policy('Allow', event.methodArn as string, { user: 'alice', n: 1, ok: true });
    if (token === 'allow-all') return policy('Allow', 'arn:aws:execute-api:*', { user: 'bob' });
    if (token === 'deny') return policy('Deny', event.methodArn as string);
    if (token === 'unauthorized') throw new Error('Unauthorized');
    if (token === 'garbage') return { principalId: 'x' };
    throw new Error('authorizer crashed');
  },
  SimpleAuth: (event) => {
    const headers = event.headers as Record<string, string>;
    return { isAuthorized: headers['x-user'] === 'alice', context: { who: headers['x-user'], n: 2 } };
  },
});

const restApi = api({
  logicalId: 'ServerlessRestApi',
  protocol: 'REST',
  stageVariables: { env: 'local' },
  binaryMediaTypes: ['image/png'],
  cors: {
    allowOrigins: ['*'],
    allowMethods: [],
    allowHeaders: ['Content-Type'],
    exposeHeaders: [],
    allowCredentials: false,
    maxAge: 60,
  },
  authorizers: { TokenAuth: tokenAuthorizer },
  routes: [
    route('GET', '/hello', 'Hello'),
    route('POST', '/users/{id}', 'Echo'),
    route('GET', '/items/{proxy+}', 'Echo'),
    route('GET', '/malformed', 'Malformed'),
    route('GET', '/crash', 'Crash'),
    route('GET', '/throttled', 'Throttled'),
    route('GET', '/slow', 'Slow', { timeoutInMillis: 50 }),
    route('POST', '/binary', 'Binary'),
    route('GET', '/keyed', 'Echo', { apiKeyRequired: true }),
    route('GET', '/secure', 'Echo', { authorizer: 'TokenAuth' }),
    route('GET', '/secure/other', 'Echo', { authorizer: 'TokenAuth' }),
  ],
});

const httpApi = api({
  logicalId: 'MyHttpApi',
  protocol: 'HTTP',
  cors: {
    allowOrigins: ['https://app.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type'],
    exposeHeaders: ['x-total'],
    allowCredentials: true,
    maxAge: 300,
  },
  authorizers: {
    Simple: {
      name: 'Simple',
      type: 'REQUEST',
      functionLogicalId: 'SimpleAuth',
      identitySource: ['$request.header.x-user'],
      ttlSeconds: 0,
      payloadFormatVersion: '2.0',
      enableSimpleResponses: true,
    },
    Jwt: {
      name: 'Jwt',
      type: 'JWT',
      identitySource: ['$request.header.Authorization'],
      ttlSeconds: 0,
      jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['my-client'] },
    },
  },
  routes: [
    route('GET', '/v2/things/{id}', 'Echo', { payloadFormatVersion: '2.0' }),
    route('POST', '/v2/v1format', 'Echo', { payloadFormatVersion: '1.0' }),
    route('GET', '/v2/shorthand', 'Shorthand', { payloadFormatVersion: '2.0' }),
    route('GET', '/v2/cookies', 'Cookies', { payloadFormatVersion: '2.0' }),
    route('GET', '/v2/crash', 'Crash', { payloadFormatVersion: '2.0' }),
    route('GET', '/v2/malformed', 'Malformed', { payloadFormatVersion: '2.0' }),
    route('GET', '/v2/slow', 'Slow', { payloadFormatVersion: '2.0', timeoutInMillis: 50 }),
    route('POST', '/v2/binary', 'Binary', { payloadFormatVersion: '2.0' }),
    route('GET', '/v2/simple', 'Echo', { payloadFormatVersion: '2.0', authorizer: 'Simple' }),
    route('GET', '/v2/jwt', 'Echo', { payloadFormatVersion: '2.0', authorizer: 'Jwt' }),
  ],
});

const functions = new Map(
  [
    'Echo',
    'Hello',
    'Malformed',
    'Crash',
    'Throttled',
    'Slow',
    'Shorthand',
    'Cookies',
    'Binary',
    'AuthFn',
    'SimpleAuth',
  ].map((id) => [id, fn(id)]),
);

let gw: ApiGatewayHandle;

before(async () => {
  gw = await startApiGateway({
    apis: [restApi, httpApi],
    functions,
    invoker,
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
    accountId: '123456789012',
    logger: (line) => logs.push(line),
    clock: () => now,
  });
});

after(async () => {
  await gw.close();
});

async function call(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(gw.url + path, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

function lastEvent(): Record<string, unknown> {
  return invoker.calls[invoker.calls.length - 1]!.event;
}

test('REST: a route answers with the function response and AWS request-id headers', async () => {
  const r = await call('/hello');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'hello');
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.match(r.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(r.headers.get('x-amz-apigw-id'));
});

test('REST: v1 event carries path parameters, query, stage, stage variables and body', async () => {
  const r = await call('/users/a%20b?x=1&x=2', {
    method: 'POST',
    body: '{"a":1}',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(r.status, 200);
  const e = r.json();
  assert.equal(e.resource, '/users/{id}');
  assert.equal(e.path, '/users/a%20b');
  assert.deepEqual(e.pathParameters, { id: 'a b' });
  assert.deepEqual(e.multiValueQueryStringParameters, { x: ['1', '2'] });
  assert.deepEqual(e.stageVariables, { env: 'local' });
  assert.equal(e.body, '{"a":1}');
  assert.equal(e.isBase64Encoded, false);
  const rc = e.requestContext as Record<string, unknown>;
  assert.equal(rc.stage, 'Prod');
  assert.equal(rc.path, '/Prod/users/a%20b');
  assert.equal(rc.accountId, '123456789012');
  assert.match(rc.apiId as string, /^[a-z0-9]{10}$/);
  assert.equal((rc.identity as Record<string, unknown>).sourceIp, '127.0.0.1');
  const headers = e.headers as Record<string, string>;
  assert.equal(headers['X-Forwarded-For'], '127.0.0.1');
  assert.equal(headers['X-Forwarded-Proto'], 'http');
});

test('REST: greedy path and stage-prefixed URLs', async () => {
  assert.deepEqual((await call('/items/a/b/c')).json().pathParameters, { proxy: 'a/b/c' });
  assert.equal((await call('/Prod/hello')).text, 'hello');
});

test('REST: unmatched route → 403 Missing Authentication Token', async () => {
  const r = await call('/nope');
  assert.equal(r.status, 403);
  assert.equal(r.text, '{"message":"Missing Authentication Token"}');
  assert.equal(r.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
});

test('REST: malformed response → 502 and a log line saying why', async () => {
  const r = await call('/malformed');
  assert.equal(r.status, 502);
  assert.equal(r.text, '{"message": "Internal server error"}');
  assert.ok(logs.some((l) => l.includes('Malformed') && l.includes('body must be a string')));
});

test('REST: function error → 502; Lambda throttling → 500 (API Gateway does not forward 429)', async () => {
  const crash = await call('/crash');
  assert.equal(crash.status, 502);
  assert.ok(logs.some((l) => l.includes('boom')));
  const throttled = await call('/throttled');
  assert.equal(throttled.status, 500);
  assert.equal(throttled.text, '{"message": "Internal server error"}');
  assert.ok(logs.some((l) => l.includes('TooManyRequestsException')));
});

test('integration timeout: REST 504, HTTP 503', async () => {
  const rest = await call('/slow');
  assert.equal(rest.status, 504);
  assert.equal(rest.text, '{"message": "Endpoint request timed out"}');
  const http = await call('/v2/slow');
  assert.equal(http.status, 503);
  assert.equal(http.text, '{"message":"Service Unavailable"}');
});

test('REST binary: body base64 when Content-Type is a binary media type; response decoded only for a binary Accept', async () => {
  const bytes = Buffer.from([0, 255, 1, 2]);
  const decoded = await fetch(gw.url + '/binary', {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'image/png', accept: 'image/png' },
  });
  assert.deepEqual(Buffer.from(await decoded.arrayBuffer()), bytes);
  assert.equal(lastEvent().isBase64Encoded, true);
  assert.equal(lastEvent().body, bytes.toString('base64'));
  const text = await call('/binary', {
    method: 'POST',
    body: 'abc',
    headers: { 'content-type': 'text/plain', accept: 'text/plain' },
  });
  assert.equal(lastEvent().isBase64Encoded, false);
  assert.equal(text.text, 'abc'); // the function echoed "abc" as if base64; text/plain is not binary → sent as is
});

test('REST CORS: SAM-added OPTIONS method answers with the configured headers', async () => {
  const r = await call('/users/1', { method: 'OPTIONS' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('access-control-allow-methods'), 'OPTIONS,POST');
  assert.equal(r.headers.get('access-control-allow-headers'), 'Content-Type');
  assert.equal(r.headers.get('access-control-max-age'), '60');
});

test('REST API keys: missing → 403 Forbidden; any non-empty key accepted and passed to the event', async () => {
  const missing = await call('/keyed');
  assert.equal(missing.status, 403);
  assert.equal(missing.text, '{"message":"Forbidden"}');
  const ok = await call('/keyed', { headers: { 'x-api-key': 'k1' } });
  assert.equal(ok.status, 200);
  const identity = (ok.json().requestContext as Record<string, Record<string, unknown>>).identity!;
  assert.equal(identity.apiKey, 'k1');
  assert.equal(typeof identity.apiKeyId, 'string');
});

test('REST TOKEN authorizer: allow passes context (as strings) and principalId; deny, missing, Unauthorized, failures', async () => {
  const ok = await call('/secure', { headers: { authorization: 'allow' } });
  assert.equal(ok.status, 200);
  const authorizer = (ok.json().requestContext as Record<string, Record<string, unknown>>).authorizer!;
  assert.equal(authorizer.principalId, 'user-1');
  assert.equal(authorizer.user, 'alice');
  assert.equal(authorizer.n, '1');
  assert.equal(authorizer.ok, 'true');
  const authEvent = invoker.calls.find((c) => c.name === 'AuthFn')!.event;
  assert.deepEqual(Object.keys(authEvent), ['type', 'authorizationToken', 'methodArn']);
  assert.match(
    authEvent.methodArn as string,
    /^arn:aws:execute-api:us-east-1:123456789012:[a-z0-9]{10}\/Prod\/GET\/secure$/,
  );

  const deny = await call('/secure', { headers: { authorization: 'deny' } });
  assert.equal(deny.status, 403);
  assert.equal(
    deny.text,
    '{"Message":"User is not authorized to access this resource with an explicit deny"}',
  );
  const missing = await call('/secure');
  assert.equal(missing.status, 401);
  assert.equal(missing.text, '{"message":"Unauthorized"}');
  const unauthorized = await call('/secure', { headers: { authorization: 'unauthorized' } });
  assert.equal(unauthorized.status, 401);
  const crashed = await call('/secure', { headers: { authorization: 'crash' } });
  assert.equal(crashed.status, 500);
  assert.equal(crashed.text, '{"message": null}');
  assert.equal(crashed.headers.get('x-amzn-errortype'), 'AuthorizerConfigurationException');
  const garbage = await call('/secure', { headers: { authorization: 'garbage' } });
  assert.equal(garbage.status, 500);
});

test('REST authorizer cache: per token for ttlSeconds; a cached policy is evaluated against each method ARN', async () => {
  const count = (): number => invoker.calls.filter((c) => c.name === 'AuthFn').length;
  const before = count();
  assert.equal((await call('/secure', { headers: { authorization: 'allow' } })).status, 200);
  assert.equal(count(), before, 'served from the cache filled by the previous test');
  // The cached policy names /secure only: the other path is implicitly denied (as on AWS).
  const other = await call('/secure/other', { headers: { authorization: 'allow' } });
  assert.equal(other.status, 403);
  assert.equal(other.text, '{"Message":"User is not authorized to access this resource"}');
  assert.equal(count(), before);
  now += 301_000;
  assert.equal((await call('/secure/other', { headers: { authorization: 'allow' } })).status, 200);
  assert.equal(count(), before + 1);
});

test('HTTP v2 event through the server: routeKey, lower-case headers, cookies, no multi-value fields', async () => {
  const r = await call('/v2/things/42?a=1&a=2', { headers: { cookie: 'c1=1; c2=2', 'X-Custom': 'v' } });
  assert.equal(r.status, 200);
  const e = r.json();
  assert.equal(e.version, '2.0');
  assert.equal(e.routeKey, 'GET /v2/things/{id}');
  assert.deepEqual(e.pathParameters, { id: '42' });
  assert.deepEqual(e.queryStringParameters, { a: '1,2' });
  assert.deepEqual(e.cookies, ['c1=1', 'c2=2']);
  assert.equal((e.headers as Record<string, string>)['x-custom'], 'v');
  assert.equal('multiValueHeaders' in e, false);
  assert.equal('body' in e, false);
  assert.equal((e.requestContext as Record<string, unknown>).stage, '$default');
  assert.ok(r.headers.get('apigw-requestid'));
});

test('HTTP API with payload 1.0 gets a v1 event with version 1.0', async () => {
  const e = (
    await call('/v2/v1format', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })
  ).json();
  assert.equal(e.version, '1.0');
  assert.equal(e.body, 'x');
  assert.ok('multiValueHeaders' in e);
});

test('HTTP v2 response: shorthand, cookies, errors', async () => {
  const s = await call('/v2/shorthand');
  assert.equal(s.status, 200);
  assert.equal(s.headers.get('content-type'), 'application/json');
  assert.deepEqual(s.json(), { hello: 'world' });
  const c = await fetch(gw.url + '/v2/cookies');
  assert.deepEqual(c.headers.getSetCookie(), ['a=1; Path=/', 'b=2']);
  const crash = await call('/v2/crash');
  assert.equal(crash.status, 500);
  assert.equal(crash.text, '{"message":"Internal Server Error"}');
  const malformed = await call('/v2/malformed');
  assert.equal(malformed.status, 500);
});

test('HTTP binary: non-text bodies base64; isBase64Encoded responses always decoded', async () => {
  const bytes = Buffer.from([9, 8, 7]);
  const r = await fetch(gw.url + '/v2/binary', {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes);
  assert.equal(lastEvent().isBase64Encoded, true);
});

test('HTTP CORS: preflight answered by the gateway (204); responses get CORS headers, the function’s are dropped', async () => {
  const pre = await call('/v2/anything', {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example.com');
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST');
  assert.equal(pre.headers.get('access-control-max-age'), '300');
  const r = await call('/v2/cookies', { headers: { origin: 'https://app.example.com' } });
  assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example.com');
  assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(r.headers.get('access-control-expose-headers'), 'x-total');
  const evil = await call('/v2/cookies', { headers: { origin: 'https://evil.com' } });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
});

test('HTTP REQUEST authorizer, payload 2.0 simple responses', async () => {
  const missing = await call('/v2/simple');
  assert.equal(missing.status, 401);
  assert.equal(missing.text, '{"message":"Unauthorized"}');
  const denied = await call('/v2/simple', { headers: { 'x-user': 'mallory' } });
  assert.equal(denied.status, 403);
  assert.equal(denied.text, '{"message":"Forbidden"}');
  const ok = await call('/v2/simple', { headers: { 'x-user': 'alice' } });
  assert.equal(ok.status, 200);
  const rc = ok.json().requestContext as Record<string, unknown>;
  assert.deepEqual(rc.authorizer, { lambda: { who: 'alice', n: 2 } });
  const authEvent = invoker.calls.filter((c) => c.name === 'SimpleAuth').pop()!.event;
  assert.equal(authEvent.version, '2.0');
  assert.equal(authEvent.type, 'REQUEST');
  assert.deepEqual(authEvent.identitySource, ['alice']);
  assert.match(authEvent.routeArn as string, /\/\$default\/GET\/v2\/simple$/);
});

test('HTTP JWT authorizer: claims decoded (signature not verified), issuer/audience/expiry checked', async () => {
  const exp = Math.floor(now / 1000) + 3600;
  const good = jwt({
    iss: 'https://issuer.example.com',
    aud: 'my-client',
    sub: 'u1',
    exp,
    scope: 'read write',
  });
  const ok = await call('/v2/jwt', { headers: { authorization: `Bearer ${good}` } });
  assert.equal(ok.status, 200);
  const authorizer = (ok.json().requestContext as Record<string, Record<string, Record<string, unknown>>>)
    .authorizer!.jwt!;
  assert.equal((authorizer.claims as Record<string, string>).sub, 'u1');
  assert.equal((authorizer.claims as Record<string, string>).exp, String(exp));
  assert.deepEqual(authorizer.scopes, ['read', 'write']);
  for (const claims of [
    { iss: 'https://issuer.example.com', aud: 'my-client', exp: Math.floor(now / 1000) - 1 },
    { iss: 'https://other', aud: 'my-client', exp },
    { iss: 'https://issuer.example.com', aud: 'someone-else', exp },
  ]) {
    assert.equal((await call('/v2/jwt', { headers: { authorization: jwt(claims) } })).status, 401);
  }
  assert.equal((await call('/v2/jwt', { headers: { authorization: 'not-a-jwt' } })).status, 401);
  assert.equal((await call('/v2/jwt')).status, 401);
});

test('request bodies over 10 MB → 413', async () => {
  const r = await call('/users/1', { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) });
  assert.equal(r.status, 413);
  assert.equal(r.text, '{"message":"Request Too Long"}');
});

test('route table lists every route with its URL, function and API', () => {
  const table = gw.formatRouteTable();
  assert.match(
    table,
    new RegExp(`GET {4}${gw.url.replace(/\./g, '\\.')}/hello +→ Hello \\(ServerlessRestApi, REST\\)`),
  );
  assert.match(table, /→ Echo \(MyHttpApi, HTTP, authorizer Jwt\)/);
  assert.equal(gw.routes.length, restApi.routes.length + httpApi.routes.length);
});

test('setApis hot-swaps routes; a conflict is refused and the old routes stay', async () => {
  const other = api({
    logicalId: 'OtherApi',
    protocol: 'HTTP',
    routes: [route('GET', '/hello', 'Echo', { payloadFormatVersion: '2.0' })],
  });
  assert.throws(
    () => gw.setApis([restApi, other], functions),
    (err: unknown) =>
      err instanceof SlipwayError &&
      err.code === 'RouteConflict' &&
      /ServerlessRestApi \(function Hello\)/.test(err.message) &&
      /OtherApi \(function Echo\)/.test(err.message),
  );
  assert.equal((await call('/hello')).text, 'hello');
  gw.setApis([other], functions);
  assert.equal((await call('/hello')).json().version, '2.0');
  const missing = await call('/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, '{"message":"Not Found"}');
  gw.setApis([restApi, httpApi], functions);
});
