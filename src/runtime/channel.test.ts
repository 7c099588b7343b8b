import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { encodeFrame, FrameDecoder, FrameError, type Frame, MAX_FRAME_BODY_BYTES } from './channel.ts';

function decodeAll(chunks: Buffer[]): Frame[] {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  for (const c of chunks)
    decoder.push(c, (f) => frames.push({ header: f.header, body: Buffer.from(f.body) }));
  return frames;
}

test('frames round-trip whole, split at every byte, and coalesced', () => {
  const frames = [
    encodeFrame({ op: 'next' }),
    encodeFrame({ op: 'response', requestId: 'r-1' }, Buffer.from('{"ok":true}')),
    encodeFrame(
      { op: 'error', requestId: 'r-2', headers: { 'Lambda-Runtime-Function-Error-Type': 'X' } },
      randomBytes(70_000),
    ),
  ];
  const stream = Buffer.concat(frames);
  const whole = decodeAll([stream]);
  assert.equal(whole.length, 3);
  assert.deepEqual(whole[0]?.header, { op: 'next' });
  assert.equal(whole[1]?.body.toString(), '{"ok":true}');
  for (const size of [1, 3, 7, 8, 9, 4096]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
    const got = decodeAll(chunks);
    assert.deepEqual(
      got.map((f) => [f.header, f.body.toString('hex')]),
      whole.map((f) => [f.header, f.body.toString('hex')]),
    );
  }
});

test('malformed frames are rejected, never buffered without bound', () => {
  const bad = (buf: Buffer) => assert.throws(() => new FrameDecoder().push(buf, () => undefined), FrameError);
  const prefix = (h: number, b: number) => {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(h, 0);
    p.writeUInt32BE(b, 4);
    return p;
  };
  bad(prefix(0, 0));
  bad(prefix(10 ** 9, 0));
  bad(prefix(2, MAX_FRAME_BODY_BYTES + 1));
  bad(Buffer.concat([prefix(3, 0), Buffer.from('{x}')]));
  bad(Buffer.concat([prefix(2, 0), Buffer.from('[]')]));
  bad(Buffer.concat([prefix(12, 0), Buffer.from('{"op":12345}')]));
});

test('fuzz: random bytes never throw anything but FrameError', () => {
  for (let i = 0; i < 2000; i++) {
    const decoder = new FrameDecoder();
    try {
      decoder.push(randomBytes(1 + (i % 64)), () => undefined);
    } catch (err) {
      assert.ok(err instanceof FrameError, String(err));
    }
  }
});
