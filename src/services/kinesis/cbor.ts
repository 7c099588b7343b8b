/**
 * A small CBOR (RFC 8949) codec for the subset AWS's CBOR-speaking SDKs use with Kinesis
 * (`Content-Type: application/x-amz-cbor-1.1`, the AWS SDK for Java's default): maps, arrays,
 * text and byte strings (definite and indefinite length), integers, floats, booleans, null and
 * tag 1 timestamps. AWS's CBOR carries timestamps as tag 1 with epoch MILLISECONDS; a float or a
 * small integer under tag 1 is read as epoch seconds.
 */
import { AwsError } from '../types.ts';

const BREAK = Symbol('break');
const malformed = (why: string): AwsError =>
  new AwsError('SerializationException', `Malformed CBOR request body: ${why}.`);

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw malformed('unexpected end of input');
  }

  private argument(info: number): number {
    if (info < 24) return info;
    const sizes: Record<number, number> = { 24: 1, 25: 2, 26: 4, 27: 8 };
    const size = sizes[info];
    if (size === undefined) throw malformed(`reserved additional information ${info}`);
    this.need(size);
    const at = this.pos;
    this.pos += size;
    if (size === 1) return this.buf.readUInt8(at);
    if (size === 2) return this.buf.readUInt16BE(at);
    if (size === 4) return this.buf.readUInt32BE(at);
    const big = this.buf.readBigUInt64BE(at);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('integer too large');
    return Number(big);
  }

  private chunks(major: number): Buffer {
    const parts: Buffer[] = [];
    for (;;) {
      const part = this.item();
      if (part === BREAK) return Buffer.concat(parts);
      if (major === 2 && Buffer.isBuffer(part)) parts.push(part);
      else if (major === 3 && typeof part === 'string') parts.push(Buffer.from(part, 'utf8'));
      else throw malformed('bad string chunk');
    }
  }

  item(depth = 0): unknown {
    if (depth > 64) throw malformed('nesting too deep');
    this.need(1);
    const initial = this.buf[this.pos++]!;
    const major = initial >> 5;
    const info = initial & 31;
    if (info === 31) {
      if (major === 7) return BREAK;
      if (major === 2) return this.chunks(2);
      if (major === 3) return this.chunks(3).toString('utf8');
      if (major === 4) {
        const out: unknown[] = [];
        for (let v = this.item(depth + 1); v !== BREAK; v = this.item(depth + 1)) out.push(v);
        return out;
      }
      if (major === 5) {
        const out: Record<string, unknown> = {};
        for (let k = this.item(depth + 1); k !== BREAK; k = this.item(depth + 1))
          out[this.key(k)] = this.value(depth);
        return out;
      }
      throw malformed('indefinite length on a non-container');
    }
    if (major === 7) return this.simple(info);
    const n = this.argument(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
      case 3: {
        this.need(n);
        const bytes = this.buf.subarray(this.pos, (this.pos += n));
        return major === 2 ? Buffer.from(bytes) : bytes.toString('utf8');
      }
      case 4:
        return Array.from({ length: n }, () => this.value(depth));
      case 5: {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) out[this.key(this.item(depth + 1))] = this.value(depth);
        return out;
      }
      default: {
        const tagged = this.value(depth);
        if (n !== 1) return tagged;
        if (typeof tagged !== 'number') throw malformed('tag 1 on a non-number');
        return new Date(Number.isInteger(tagged) && Math.abs(tagged) >= 1e11 ? tagged : tagged * 1000);
      }
    }
  }

  private value(depth: number): unknown {
    const v = this.item(depth + 1);
    if (v === BREAK) throw malformed('unexpected break');
    return v;
  }

  private key(k: unknown): string {
    if (typeof k !== 'string') throw malformed('map keys must be text strings');
    return k;
  }

  private simple(info: number): unknown {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22 || info === 23) return null;
    if (info === 25) {
      this.need(2);
      const half = this.buf.readUInt16BE(this.pos);
      this.pos += 2;
      const exp = (half >> 10) & 0x1f;
      const mant = half & 0x3ff;
      const sign = half & 0x8000 ? -1 : 1;
      if (exp === 0) return sign * mant * 2 ** -24;
      if (exp === 31) return mant ? NaN : sign * Infinity;
      return sign * (1 + mant / 1024) * 2 ** (exp - 15);
    }
    if (info === 26) {
      this.need(4);
      return this.buf.readFloatBE((this.pos += 4) - 4);
    }
    if (info === 27) {
      this.need(8);
      return this.buf.readDoubleBE((this.pos += 8) - 8);
    }
    throw malformed(`unsupported simple value ${info}`);
  }
}

export function decodeCbor(buf: Buffer): unknown {
  const reader = new Reader(buf);
  const v = reader.item();
  if (v === BREAK) throw malformed('unexpected break');
  if (reader.pos !== buf.length) throw malformed('trailing bytes');
  return v;
}

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  if (n < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = (major << 5) | 27;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

function encodeInto(value: unknown, out: Buffer[]): void {
  if (value === null || value === undefined) out.push(Buffer.from([0xf6]));
  else if (value === true) out.push(Buffer.from([0xf5]));
  else if (value === false) out.push(Buffer.from([0xf4]));
  else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) out.push(value >= 0 ? head(0, value) : head(1, -1 - value));
    else {
      const b = Buffer.alloc(9);
      b[0] = 0xfb;
      b.writeDoubleBE(value, 1);
      out.push(b);
    }
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(head(3, bytes.length), bytes);
  } else if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    out.push(head(2, value.length), Buffer.from(value));
  } else if (value instanceof Date) {
    out.push(Buffer.from([0xc1]));
    encodeInto(value.getTime(), out);
  } else if (Array.isArray(value)) {
    out.push(head(4, value.length));
    for (const v of value) encodeInto(v, out);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    out.push(head(5, entries.length));
    for (const [k, v] of entries) {
      encodeInto(k, out);
      encodeInto(v, out);
    }
  } else throw new Error(`cannot CBOR-encode a ${typeof value}`);
}

export function encodeCbor(value: unknown): Buffer {
  const out: Buffer[] = [];
  encodeInto(value, out);
  return Buffer.concat(out);
}
