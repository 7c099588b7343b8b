import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksumOf, crc32, crc32c, createHasher, jsCrc32 } from './checksums.ts';

test('CRC32 and CRC32C match the reference check values', () => {
  const check = Buffer.from('123456789');
  assert.equal(crc32(check), 0xcbf43926);
  assert.equal(crc32c(check), 0xe3069283);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  // Same value whether fed at once or in odd-sized pieces.
  const data = Buffer.from(Array.from({ length: 1001 }, (_, i) => (i * 31) & 0xff));
  const h = createHasher('CRC32C');
  for (let i = 0; i < data.length; i += 7) h.update(data.subarray(i, i + 7));
  assert.equal(h.digest().readUInt32BE(), crc32c(data));
  assert.equal(crc32(data.subarray(500), crc32(data.subarray(0, 500))), crc32(data));
  // The JS table (the fallback where node:zlib has no crc32) agrees with the native one.
  assert.equal(jsCrc32(check), 0xcbf43926);
  for (const n of [0, 1, 7, 8, 9, 1001])
    assert.equal(jsCrc32(data.subarray(0, n)), crc32(data.subarray(0, n)));
  assert.equal(jsCrc32(data.subarray(3), jsCrc32(data.subarray(0, 3))), crc32(data));
});

test('checksums are base64 of the big-endian digest', () => {
  assert.equal(checksumOf('CRC32', Buffer.from('hello')), Buffer.from('3610a686', 'hex').toString('base64'));
  assert.equal(checksumOf('SHA256', Buffer.from('')), '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
});
