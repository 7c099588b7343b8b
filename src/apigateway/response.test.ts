import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseProxyResponse, type ParsedResponse } from './response.ts';

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

function ok(p: ParsedResponse): Extract<ParsedResponse, { ok: true }>['response'] {
  assert.equal(p.ok, true, p.ok ? '' : p.reason);
  return p.response;
}

function bad(p: ParsedResponse, pattern: RegExp): void {
  assert.equal(p.ok, false);
  assert.match((p as { reason: string }).reason, pattern);
}

test('v1: the reference response apigw-response.json maps field for field', () => {
  const payload = readFileSync(
    new URL('../../test/fixtures/aws-events/apigw-response.json', import.meta.url),
  );
  const r = ok(parseProxyResponse(payload, '1.0'));
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, 'Hello World');
  assert.equal(r.isBase64Encoded, false);
  // A name in both headers and multiValueHeaders is taken from multiValueHeaders only.
  assert.equal(r.headers.filter((h) => h === 'Accept').length, 1);
});

test('v1: headers and multiValueHeaders merge; hop-by-hop headers dropped; numeric values stringified', () => {
  const r = ok(
    parseProxyResponse(
      json({
        statusCode: '201',
        headers: { 'X-One': 1, 'Content-Length': '999', 'Set-Cookie': 'ignored' },
        multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] },
        body: 'x',
        isBase64Encoded: false,
      }),
      '1.0',
    ),
  );
  assert.equal(r.statusCode, 201);
  assert.deepEqual(r.headers, ['set-cookie', 'a=1', 'set-cookie', 'b=2', 'X-One', '1']);
});

test('v1: malformed responses are refused with a reason', () => {
  bad(parseProxyResponse(Buffer.from('not json'), '1.0'), /not valid JSON/);
  bad(parseProxyResponse(json('hello'), '1.0'), /must be an object/);
  bad(parseProxyResponse(json(null), '1.0'), /must be an object.*null/);
  bad(parseProxyResponse(json([1]), '1.0'), /array/);
  bad(parseProxyResponse(json({ body: 'x' }), '1.0'), /no statusCode/);
  bad(parseProxyResponse(json({ statusCode: 'abc' }), '1.0'), /statusCode/);
  bad(parseProxyResponse(json({ statusCode: 200, body: { a: 1 } }), '1.0'), /body must be a string/);
  bad(parseProxyResponse(json({ statusCode: 200, headers: [] }), '1.0'), /headers must be an object/);
  bad(
    parseProxyResponse(json({ statusCode: 200, headers: { a: { b: 1 } } }), '1.0'),
    /header values are strings/,
  );
  bad(
    parseProxyResponse(json({ statusCode: 200, multiValueHeaders: { a: 'x' } }), '1.0'),
    /must be an array/,
  );
  bad(parseProxyResponse(json({ statusCode: 200, isBase64Encoded: 'yes' }), '1.0'), /isBase64Encoded/);
});

test('v1: a missing body is an empty body', () => {
  const r = ok(parseProxyResponse(json({ statusCode: 204 }), '1.0'));
  assert.equal(r.body, '');
});

test('v2 shorthand: no statusCode → 200 application/json with the payload as body', () => {
  const obj = ok(parseProxyResponse(Buffer.from('{"message":"hi"}'), '2.0'));
  assert.equal(obj.statusCode, 200);
  assert.equal(obj.body, '{"message":"hi"}');
  assert.deepEqual(obj.headers, ['content-type', 'application/json']);
  assert.equal(ok(parseProxyResponse(json('hello'), '2.0')).body, 'hello');
  assert.equal(ok(parseProxyResponse(json(42), '2.0')).body, '42');
  assert.equal(ok(parseProxyResponse(json([1, 2]), '2.0')).body, '[1,2]');
  assert.equal(ok(parseProxyResponse(Buffer.from('null'), '2.0')).body, 'null');
  bad(parseProxyResponse(Buffer.from('{oops'), '2.0'), /not valid JSON/);
});

test('v2 structured: cookies become Set-Cookie, multiValueHeaders ignored', () => {
  const r = ok(
    parseProxyResponse(
      json({
        statusCode: 302,
        headers: { location: '/x' },
        multiValueHeaders: { 'x-ignored': ['1'] },
        cookies: ['a=1; Path=/', 'b=2'],
        body: '',
      }),
      '2.0',
    ),
  );
  assert.equal(r.statusCode, 302);
  assert.deepEqual(r.headers, ['location', '/x', 'set-cookie', 'a=1; Path=/', 'set-cookie', 'b=2']);
  bad(parseProxyResponse(json({ statusCode: 200, cookies: 'a=1' }), '2.0'), /cookies must be an array/);
  bad(parseProxyResponse(json({ statusCode: 200, body: { a: 1 } }), '2.0'), /body must be a string/);
});
