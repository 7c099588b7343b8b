import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { parseSigV4 } from './sigv4.ts';

const none = new URLSearchParams();
const auth = (authorization: string, extra: IncomingHttpHeaders = {}): IncomingHttpHeaders => ({
  authorization,
  ...extra,
});

test('SigV4 Authorization header: access key, date, region, service', () => {
  const h = auth(
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef',
  );
  assert.deepEqual(parseSigV4(h, none), {
    accessKeyId: 'AKIDEXAMPLE',
    date: '20240102',
    region: 'eu-west-1',
    service: 'sqs',
    presigned: false,
    version: 4,
  });
});

test('SigV4 header variants: no spaces after commas, Credential not first, tabs', () => {
  for (const header of [
    'AWS4-HMAC-SHA256 Credential=K/20240102/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=x',
    'AWS4-HMAC-SHA256 SignedHeaders=host, Credential=K/20240102/us-east-1/s3/aws4_request, Signature=x',
    'AWS4-HMAC-SHA256\tCredential=K/20240102/us-east-1/s3/aws4_request\t,Signature=x',
  ]) {
    const scope = parseSigV4(auth(header), none);
    assert.equal(scope?.accessKeyId, 'K', header);
    assert.equal(scope?.service, 's3', header);
    assert.equal(scope?.region, 'us-east-1', header);
  }
});

test('SigV4 presigned URL: X-Amz-Credential in the query', () => {
  const q = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': 'ASIAFN/20240102/us-west-2/s3/aws4_request',
    'X-Amz-Signature': 'abc',
  });
  assert.deepEqual(parseSigV4({}, q), {
    accessKeyId: 'ASIAFN',
    date: '20240102',
    region: 'us-west-2',
    service: 's3',
    presigned: true,
    version: 4,
  });
});

test('SigV4a: service from the 4-part scope, region from X-Amz-Region-Set', () => {
  const h = auth(
    'AWS4-ECDSA-P256-SHA256 Credential=K4A/20240102/s3/aws4_request, SignedHeaders=host, Signature=x',
    {
      'x-amz-region-set': 'eu-central-1,eu-west-1',
    },
  );
  const scope = parseSigV4(h, none);
  assert.equal(scope?.accessKeyId, 'K4A');
  assert.equal(scope?.service, 's3');
  assert.equal(scope?.region, 'eu-central-1');
  const wildcard = parseSigV4({ ...h, 'x-amz-region-set': '*' }, none);
  assert.equal(wildcard?.region, undefined);
  assert.equal(wildcard?.service, 's3');
});

test('SigV2 Authorization header and SigV2 presigned query: access key only', () => {
  assert.deepEqual(parseSigV4(auth('AWS AKIAOLD:frJIUN8DYpKDtOLCwo//yllqDzg='), none), {
    accessKeyId: 'AKIAOLD',
    presigned: false,
    version: 2,
  });
  const q = new URLSearchParams({ AWSAccessKeyId: 'AKV2', Signature: 'sig', Expires: '1700000000' });
  assert.deepEqual(parseSigV4({}, q), { accessKeyId: 'AKV2', presigned: true, version: 2 });
  assert.equal(parseSigV4({}, new URLSearchParams({ AWSAccessKeyId: 'AKV2' })), undefined);
});

test('the header wins over the query; a malformed header falls back to the query', () => {
  const q = new URLSearchParams({ 'X-Amz-Credential': 'Q/20240102/us-east-1/s3/aws4_request' });
  const good = auth('AWS4-HMAC-SHA256 Credential=H/20240102/us-east-1/sqs/aws4_request, Signature=x');
  assert.equal(parseSigV4(good, q)?.accessKeyId, 'H');
  assert.equal(parseSigV4(auth('AWS4-HMAC-SHA256 Credential=broken'), q)?.accessKeyId, 'Q');
});

test('malformed signatures are unsigned (undefined), never an exception', () => {
  const bad = [
    '',
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 ',
    'AWS4-HMAC-SHA256 Credential=',
    'AWS4-HMAC-SHA256 Credential=/20240102/us-east-1/s3/aws4_request',
    'AWS4-HMAC-SHA256 Credential=K/2024010/us-east-1/s3/aws4_request',
    'AWS4-HMAC-SHA256 Credential=K/2024010x/us-east-1/s3/aws4_request',
    'AWS4-HMAC-SHA256 Credential=K/20240102//s3/aws4_request',
    'AWS4-HMAC-SHA256 Credential=K/20240102/us-east-1//aws4_request',
    'AWS4-HMAC-SHA256 Credential=K/20240102/us-east-1/s3/aws5_request',
    'AWS4-HMAC-SHA256 Credential=K/20240102/us-east-1/s3/aws4_request/extra',
    'AWS4-HMAC-SHA256 Credential=K/20240102/s3/aws4_request',
    'AWS4-ECDSA-P256-SHA256 Credential=K/20240102/us-east-1/s3/aws4_request',
    `AWS4-HMAC-SHA256 Credential=${'K'.repeat(500)}/20240102/us-east-1/s3/aws4_request`,
    'AWS',
    'AWS ',
    'AWS :sig',
    'AWS AKID:',
    'AWS AKID',
    'AWS A K:sig',
    'Bearer abc',
    'Basic dXNlcjpwYXNz',
  ];
  for (const header of bad) assert.equal(parseSigV4(auth(header), none), undefined, JSON.stringify(header));
  for (const credential of ['', '////', 'a/b/c/d/e', 'K/20240102/us-east-1/s3']) {
    const q = new URLSearchParams({ 'X-Amz-Credential': credential });
    assert.equal(parseSigV4({}, q), undefined, credential);
  }
});

/** A small deterministic PRNG (mulberry32) so a failure reproduces from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: random and mutated Authorization headers and queries never throw', () => {
  const seeds = [
    'AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab',
    'AWS4-ECDSA-P256-SHA256 Credential=AKID/20240102/s3/aws4_request, SignedHeaders=host, Signature=ab',
    'AWS AKID:c2lnbmF0dXJl',
  ];
  const alphabet = 'AWS4-HMAC-SHA256 Credential=/,:;=\t\n\u0000é😀aws4_request20240102us-east-1';
  for (let seed = 1; seed <= 3000; seed++) {
    const rand = prng(seed);
    const pick = (s: string): string => s[Math.floor(rand() * s.length)] ?? '';
    let header = seeds[seed % seeds.length] as string;
    const edits = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(rand() * (header.length + 1));
      const op = rand();
      if (op < 0.33) header = header.slice(0, at) + pick(alphabet) + header.slice(at);
      else if (op < 0.66) header = header.slice(0, at) + header.slice(at + 1 + Math.floor(rand() * 5));
      else header = header.slice(0, at) + header.slice(at, at + 8) + header.slice(at);
    }
    const randomQuery = Array.from({ length: Math.floor(rand() * 40) }, () => pick(alphabet)).join('');
    const queries = [
      new URLSearchParams(randomQuery),
      new URLSearchParams({ 'X-Amz-Credential': header.slice(28) }),
      new URLSearchParams({ AWSAccessKeyId: header, Signature: '' }),
    ];
    for (const q of queries) {
      const scope = parseSigV4({ authorization: header, 'x-amz-region-set': randomQuery }, q);
      if (scope) {
        assert.ok(scope.accessKeyId.length > 0 && scope.accessKeyId.length <= 128, header);
        assert.ok(scope.version === 2 || scope.version === 4);
      }
      parseSigV4({}, q);
    }
  }
});
