/**
 * Event shapes against AWS's reference events (test/fixtures/aws-events, from aws-lambda-go):
 * the same keys, nesting and value types. Every difference we allow is listed with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildEventV1 } from './event-v1.ts';
import { buildEventV2 } from './event-v2.ts';
import { authorizerEvent, compileAuthorizer, type AuthorizeRequest } from './authorizers.ts';
import type { GatewayRequest } from './request.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../../test/fixtures/aws-events/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Differences between two JSON shapes, as `path: what`. Paths in `allow` may differ in any way
 * (`a.b.*` allows anything below a.b); `nullable` paths may be null where AWS's sample has a value.
 */
function shapeDiff(
  expected: unknown,
  actual: unknown,
  opts: { allow: string[]; nullable: string[]; superset?: string[] },
  path = '',
): string[] {
  const allowed = (p: string): boolean =>
    opts.allow.some((a) => a === p || (a.endsWith('.*') && p.startsWith(a.slice(0, -1))));
  if (allowed(path)) return [];
  const ke = kind(expected);
  const ka = kind(actual);
  if (ke !== ka) {
    if (ka === 'null' && opts.nullable.includes(path)) return [];
    return [`${path}: expected ${ke}, got ${ka}`];
  }
  if (ke !== 'object') return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  // Keys of free-form maps (headers, query...) are data, not shape.
  const dataMaps = [
    'headers',
    'multiValueHeaders',
    'queryStringParameters',
    'multiValueQueryStringParameters',
    'pathParameters',
    'stageVariables',
    'requestContext.authorizer',
    'requestContext.authorizer.lambda',
    'requestContext.authorizer.jwt.claims',
  ];
  if (dataMaps.includes(path)) return [];
  for (const k of Object.keys(e)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in a)) {
      if (!allowed(p)) out.push(`${p}: missing`);
      continue;
    }
    out.push(...shapeDiff(e[k], a[k], opts, p));
  }
  for (const k of Object.keys(a)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in e) && !allowed(p) && !opts.superset?.includes(path)) out.push(`${p}: unexpected`);
  }
  return out;
}

function request(over: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'POST',
    rawPath: '/hello/world',
    rawQuery: 'name=me&name=you&x=a%20b',
    rawHeaders: [
      'Host',
      '127.0.0.1:3000',
      'User-Agent',
      'curl/8.0',
      'Content-Type',
      'application/json',
      'Cookie',
      'a=1; b=2',
      'Accept',
      'text/html',
      'Accept',
      'application/json',
      'X-Forwarded-For',
      '127.0.0.1',
    ],
    body: Buffer.from('{"a":1}'),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    host: '127.0.0.1:3000',
    userAgent: 'curl/8.0',
    contentType: 'application/json',
    timeEpoch: 1589522469693,
    requestId: 'deef4878-7910-11e6-8f14-25afc3e9ae33',
    traceId: 'Root=1-5e9f0c65-1de4d666d4dd26aced652b6c',
    ...over,
  };
}

function v1(over: Partial<Parameters<typeof buildEventV1>[0]> = {}): Record<string, unknown> {
  return buildEventV1({
    req: request(),
    protocol: 'REST',
    accountId: '123456789012',
    apiId: 'gy415nuibc',
    stage: 'Prod',
    stageVariables: { stageVariableName: 'stageVariableValue' },
    resource: '/{proxy+}',
    resourceId: 'roq9wj',
    pathParameters: { proxy: 'hello/world' },
    body: '{"a":1}',
    isBase64Encoded: false,
    domainName: '127.0.0.1:3000',
    domainPrefix: '127',
    extendedRequestId: 'TWegAcC4EowCHnA=',
    authorizer: { principalId: 'admin', clientId: '1', integrationLatency: 0 },
    ...over,
  });
}

function v2(over: Partial<Parameters<typeof buildEventV2>[0]> = {}): Record<string, unknown> {
  return buildEventV2({
    req: request(),
    accountId: '123456789012',
    apiId: 'api-id',
    stage: '$default',
    stageVariables: { stageVariable1: 'value1' },
    routeKey: '$default',
    pathParameters: { proxy: 'hello/world' },
    body: '{"a":1}',
    isBase64Encoded: false,
    domainName: '127.0.0.1:3000',
    domainPrefix: '127',
    requestId: 'LV7fzho-PHcEJPw=',
    authorizer: { lambda: { key: 'value' } },
    ...over,
  });
}

test('REST v1 event has the shape of apigw-request.json', () => {
  const diff = shapeDiff(fixture('apigw-request.json'), v1(), {
    allow: [
      // Only with mutual TLS, which a local HTTP server does not do.
      'requestContext.identity.clientCert',
      // Real REST events carry it (null); the sample predates it.
      'requestContext.identity.principalOrgId',
      // Part of the documented REST input format ("isBase64Encoded": true|false); the sample omits it.
      'isBase64Encoded',
    ],
    // Cognito / IAM caller identity and API key fields are null unless those features are in use.
    nullable: [
      'requestContext.identity.cognitoIdentityPoolId',
      'requestContext.identity.accountId',
      'requestContext.identity.cognitoIdentityId',
      'requestContext.identity.caller',
      'requestContext.identity.apiKey',
      'requestContext.identity.apiKeyId',
      'requestContext.identity.accessKey',
      'requestContext.identity.cognitoAuthenticationType',
      'requestContext.identity.cognitoAuthenticationProvider',
      'requestContext.identity.userArn',
      'requestContext.identity.user',
    ],
  });
  assert.deepEqual(diff, []);
});

test('REST v1 event values: multi-value headers and query, nulls when absent, stage in requestContext.path', () => {
  const e = v1();
  const headers = e.headers as Record<string, string>;
  const multi = e.multiValueHeaders as Record<string, string[]>;
  assert.equal(headers.Accept, 'application/json');
  assert.deepEqual(multi.Accept, ['text/html', 'application/json']);
  assert.deepEqual(e.queryStringParameters, { name: 'you', x: 'a b' });
  assert.deepEqual(e.multiValueQueryStringParameters, { name: ['me', 'you'], x: ['a b'] });
  const rc = e.requestContext as Record<string, unknown>;
  assert.equal(rc.path, '/Prod/hello/world');
  assert.equal(rc.requestTime, '15/May/2020:06:01:09 +0000');
  assert.equal(rc.requestTimeEpoch, 1589522469693);
  assert.equal(e.path, '/hello/world');

  const bare = v1({ req: request({ rawQuery: '' }), pathParameters: null, stageVariables: null, body: null });
  assert.equal(bare.queryStringParameters, null);
  assert.equal(bare.multiValueQueryStringParameters, null);
  assert.equal(bare.pathParameters, null);
  assert.equal(bare.stageVariables, null);
  assert.equal(bare.body, null);
  assert.equal(bare.isBase64Encoded, false);
  assert.equal('version' in bare, false);
  const noAuth = v1({ authorizer: undefined });
  assert.equal('authorizer' in (noAuth.requestContext as object), false);
});

test('HTTP API payload 1.0 event: version 1.0, lower-case headers, HTTP identity keys', () => {
  const e = v1({ protocol: 'HTTP', stage: '$default' });
  assert.equal(e.version, '1.0');
  assert.ok('content-type' in (e.headers as object));
  const rc = e.requestContext as Record<string, unknown>;
  assert.equal(rc.path, '/hello/world');
  assert.ok('cognitoAmr' in (rc.identity as object));
  for (const k of [
    'accountId',
    'apiId',
    'domainName',
    'domainPrefix',
    'extendedRequestId',
    'httpMethod',
    'path',
    'protocol',
    'requestId',
    'requestTime',
    'requestTimeEpoch',
    'resourceId',
    'resourcePath',
    'stage',
  ]) {
    assert.ok(k in rc, k);
  }
});

const V2_OPTS = {
  // Only with mutual TLS, which a local HTTP server does not do.
  allow: ['requestContext.authentication'],
  nullable: [],
};

test('HTTP v2 event with every optional part has the shape of apigw-v2-request-lambda-authorizer.json', () => {
  assert.deepEqual(shapeDiff(fixture('apigw-v2-request-lambda-authorizer.json'), v2(), V2_OPTS), []);
});

test('HTTP v2 event without cookies, query, params, body, stage variables, authorizer: apigw-v2-request-no-authorizer.json', () => {
  const e = v2({
    req: request({
      method: 'GET',
      rawPath: '/',
      rawQuery: '',
      rawHeaders: ['Host', 'x', 'Accept', '*/*'],
      body: Buffer.alloc(0),
    }),
    pathParameters: null,
    body: null,
    stageVariables: null,
    authorizer: undefined,
  });
  assert.deepEqual(shapeDiff(fixture('apigw-v2-request-no-authorizer.json'), e, V2_OPTS), []);
});

test('HTTP v2 event values: lower-case comma-joined headers, cookies apart, comma-joined query', () => {
  const e = v2();
  const headers = e.headers as Record<string, string>;
  assert.equal(headers.accept, 'text/html,application/json');
  assert.equal(headers.cookie, undefined);
  assert.deepEqual(e.cookies, ['a=1', 'b=2']);
  assert.deepEqual(e.queryStringParameters, { name: 'me,you', x: 'a b' });
  assert.equal(e.rawQueryString, 'name=me&name=you&x=a%20b');
  const rc = e.requestContext as Record<string, unknown>;
  assert.deepEqual(rc.http, {
    method: 'POST',
    path: '/hello/world',
    protocol: 'HTTP/1.1',
    sourceIp: '127.0.0.1',
    userAgent: 'curl/8.0',
  });
  assert.equal(rc.time, '15/May/2020:06:01:09 +0000');
});

function authRequest(format: '1.0' | '2.0', protocol: 'REST' | 'HTTP'): AuthorizeRequest {
  return {
    headers: { authorization: 'user1,123' },
    query: undefined,
    stageVariables: { StageVar1: 'stageValue1' },
    context: {},
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request',
    integrationFormat: format,
    baseEvent: (f) =>
      f === '2.0'
        ? v2({ pathParameters: null, authorizer: undefined })
        : v1({ protocol, pathParameters: null, authorizer: undefined, resource: '/request' }),
  };
}

// Authorizer samples list a few requestContext keys; real authorizer events carry the whole
// requestContext of the proxy event (extendedRequestId, requestTime, domainName...).
const AUTH_OPTS = {
  allow: ['requestContext.identity.clientCert', 'requestContext.authentication'],
  nullable: ['requestContext.identity.apiKey'],
  superset: ['requestContext', 'requestContext.identity'],
};

test('REST TOKEN authorizer event is exactly apigw-custom-auth-request.json', () => {
  const az = compileAuthorizer(
    'Api',
    'REST',
    { name: 'T', type: 'TOKEN', identitySource: [], ttlSeconds: 300 },
    'fn',
  );
  const e = authorizerEvent(az, ['allow'], authRequest('1.0', 'REST'));
  assert.deepEqual(shapeDiff(fixture('apigw-custom-auth-request.json'), e, { allow: [], nullable: [] }), []);
});

test('REST REQUEST authorizer event has the shape of apigw-custom-auth-request-type-request.json', () => {
  const az = compileAuthorizer(
    'Api',
    'REST',
    { name: 'R', type: 'REQUEST', identitySource: ['method.request.header.Authorization'], ttlSeconds: 0 },
    'fn',
  );
  const e = authorizerEvent(az, ['user1,123'], authRequest('1.0', 'REST'));
  assert.deepEqual(shapeDiff(fixture('apigw-custom-auth-request-type-request.json'), e, AUTH_OPTS), []);
});

test('HTTP REQUEST authorizer events (1.0 and 2.0) have the shape of the apigw-v2-custom-authorizer samples', () => {
  const model = {
    name: 'H',
    type: 'REQUEST' as const,
    identitySource: ['$request.header.Authorization'],
    ttlSeconds: 0,
  };
  const v1Auth = compileAuthorizer('Api', 'HTTP', { ...model, payloadFormatVersion: '1.0' }, 'fn');
  const e1 = authorizerEvent(v1Auth, ['user1,123'], authRequest('1.0', 'HTTP'));
  // HTTP APIs have no API keys: the 1.0 identity of HTTP APIs (developer guide) has no apiKey.
  const httpV1Opts = { ...AUTH_OPTS, allow: [...AUTH_OPTS.allow, 'requestContext.identity.apiKey'] };
  assert.deepEqual(shapeDiff(fixture('apigw-v2-custom-authorizer-v1-request.json'), e1, httpV1Opts), []);
  const v2Auth = compileAuthorizer('Api', 'HTTP', { ...model, payloadFormatVersion: '2.0' }, 'fn');
  const e2 = authorizerEvent(v2Auth, ['user1', '123'], authRequest('2.0', 'HTTP'));
  assert.deepEqual(shapeDiff(fixture('apigw-v2-custom-authorizer-v2-request.json'), e2, AUTH_OPTS), []);
});
