import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasInvalidCharacters, md5OfAttributes, messageSize, validateMessageAttributes } from './message.ts';

test('MD5OfMessageAttributes matches published vectors', () => {
  // The Amazon SQS developer guide's example, and a vector from an SDK-verified implementation.
  assert.equal(
    md5OfAttributes({ SellerName: { dataType: 'String', stringValue: 'Example Store' } }),
    'cd28f3b68aeee4b2eac9c66f2f694b58',
  );
  assert.equal(
    md5OfAttributes({
      ordinal: { dataType: 'Number', stringValue: '1' },
      category: { dataType: 'String', stringValue: 'test' },
    }),
    'd21ae90c49061e927f57df5f5d72be1f',
  );
  assert.equal(md5OfAttributes({}), undefined);
});

test('allowed characters follow XML 1.0', () => {
  assert.equal(hasInvalidCharacters('hello\t\n\r wörld 😀'), false);
  assert.equal(hasInvalidCharacters('bad\u0000'), true);
  assert.equal(hasInvalidCharacters('bad\uFFFF'), true);
  assert.equal(hasInvalidCharacters('lone \uD800 surrogate'), true);
});

test('message size counts body and attribute names, types and values', () => {
  assert.equal(messageSize('abc', { n: { dataType: 'String', stringValue: 'xy' } }), 3 + 1 + 6 + 2);
  assert.equal(
    messageSize('é', { b: { dataType: 'Binary', binaryValue: new Uint8Array(4) } }),
    2 + 1 + 6 + 4,
  );
});

test('message attribute validation', () => {
  const bad = (attrs: Parameters<typeof validateMessageAttributes>[0], re: RegExp): void =>
    assert.throws(
      () => validateMessageAttributes(attrs),
      (e: Error) => re.test(e.message),
    );
  bad({ 'AWS.x': { dataType: 'String', stringValue: 'v' } }, /name 'AWS.x' is invalid/);
  bad({ a: { dataType: 'Integer', stringValue: '1' } }, /supported type prefixes/);
  bad({ a: { dataType: 'Number', stringValue: 'one' } }, /to a number/);
  bad({ a: { dataType: 'String', stringValue: '' } }, /non-empty message attribute value/);
  const eleven = Object.fromEntries(
    Array.from({ length: 11 }, (_, i) => [`a${i}`, { dataType: 'String', stringValue: 'v' }]),
  );
  bad(eleven, /exceeds the allowed maximum \[10\]/);
  validateMessageAttributes({ 'a.b-c_d': { dataType: 'Number.float', stringValue: '-1.5e3' } });
});
