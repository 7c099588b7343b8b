import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptMatches, isTextContentType, mediaTypeMatcher } from './binary.ts';
import { compileCors } from './cors.ts';
import type { CorsModel } from '../project/model.ts';

test('binaryMediaTypes: exact, wildcard subtype, */*, CloudFormation ~1 escaping, parameters ignored', () => {
  const m = mediaTypeMatcher(['image/png', 'application~1octet-stream', 'audio/*']);
  assert.ok(m.matches('image/png'));
  assert.ok(m.matches('IMAGE/PNG; charset=binary'));
  assert.ok(m.matches('application/octet-stream'));
  assert.ok(m.matches('audio/mpeg'));
  assert.ok(!m.matches('image/jpeg'));
  assert.ok(!m.matches(undefined));
  assert.ok(mediaTypeMatcher(['*/*']).matches('text/plain'));
  assert.ok(!mediaTypeMatcher([]).matches('image/png'));
  assert.ok(acceptMatches('text/html, image/png;q=0.9', m));
  assert.ok(acceptMatches('image/*', m));
  assert.ok(!acceptMatches('text/html', m));
  assert.ok(!acceptMatches(undefined, m));
});

test('HTTP API text rule', () => {
  for (const t of [
    'text/plain',
    'application/json; charset=utf-8',
    'application/xml',
    'application/vnd.api+json',
    undefined,
  ]) {
    assert.ok(isTextContentType(t), String(t));
  }
  for (const t of [
    'image/png',
    'application/octet-stream',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ]) {
    assert.ok(!isTextContentType(t), t);
  }
});

const cors = (over: Partial<CorsModel> = {}): CorsModel => ({
  allowOrigins: ['https://app.example.com', 'https://*.example.org'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['content-type', 'x-api-key'],
  exposeHeaders: ['x-total'],
  allowCredentials: true,
  maxAge: 600,
  ...over,
});

test('HTTP API preflight: allowed origin echoed with the configured headers; others get none', () => {
  const c = compileCors(cors());
  assert.deepEqual(c.httpPreflightHeaders('https://app.example.com'), [
    'access-control-allow-origin',
    'https://app.example.com',
    'access-control-allow-methods',
    'GET,POST',
    'access-control-allow-headers',
    'content-type,x-api-key',
    'access-control-expose-headers',
    'x-total',
    'access-control-max-age',
    '600',
    'access-control-allow-credentials',
    'true',
  ]);
  assert.equal(c.httpPreflightHeaders('https://a.b.example.org')[1], 'https://a.b.example.org');
  assert.deepEqual(c.httpPreflightHeaders('https://evil.com'), []);
  assert.deepEqual(c.httpResponseHeaders(undefined), []);
  const star = compileCors(cors({ allowOrigins: ['*'], allowCredentials: false }));
  assert.equal(star.httpResponseHeaders('https://x.dev')[1], '*');
});

test('REST (SAM) OPTIONS response: configured origin, methods defaulting to the path methods plus OPTIONS', () => {
  const c = compileCors(
    cors({
      allowOrigins: ['*'],
      allowMethods: [],
      allowHeaders: [],
      allowCredentials: false,
      maxAge: undefined,
    }),
  );
  assert.deepEqual(c.restPreflightHeaders(['POST', 'GET']), [
    'Access-Control-Allow-Origin',
    '*',
    'Access-Control-Allow-Methods',
    'GET,OPTIONS,POST',
  ]);
  assert.equal(c.restPreflightHeaders(['ANY'])[3], 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT');
});
