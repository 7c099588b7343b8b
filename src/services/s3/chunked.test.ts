import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAwsChunked, storedContentEncoding } from './chunked.ts';

async function decode(pieces: string[]): Promise<{ body: string; trailers: Record<string, string> }> {
  const trailers: Record<string, string> = {};
  const out: Buffer[] = [];
  async function* src(): AsyncGenerator<Buffer> {
    for (const p of pieces) yield await Promise.resolve(Buffer.from(p, 'latin1'));
  }
  for await (const c of decodeAwsChunked(src(), trailers)) out.push(c);
  return { body: Buffer.concat(out).toString('latin1'), trailers };
}

test('unsigned trailer framing, split at every byte', async () => {
  const wire = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
  const whole = await decode([wire]);
  assert.deepEqual(whole, { body: 'hello world', trailers: { 'x-amz-checksum-crc32': 'DUoRhQ==' } });
  const bytewise = await decode([...wire]);
  assert.deepEqual(bytewise, whole);
});

test('signed chunks with chunk-signature extensions', async () => {
  const sig = ';chunk-signature=' + 'a'.repeat(64);
  const r = await decode([`3${sig}\r\nabc\r\n0${sig}\r\n\r\n`]);
  assert.equal(r.body, 'abc');
});

test('truncated and malformed bodies are rejected', async () => {
  await assert.rejects(decode(['5\r\nhel']), { code: 'IncompleteBody' });
  await assert.rejects(decode(['zz\r\nhello\r\n']), { code: 'InvalidRequest' });
  await assert.rejects(decode(['2\r\nhello\r\n']), { code: 'InvalidRequest' });
});

test('aws-chunked is dropped from the stored Content-Encoding', () => {
  assert.equal(storedContentEncoding('aws-chunked'), undefined);
  assert.equal(storedContentEncoding('aws-chunked,gzip'), 'gzip');
  assert.equal(storedContentEncoding('gzip'), 'gzip');
});
