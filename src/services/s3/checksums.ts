/**
 * Object checksums as S3 computes them: MD5 (the ETag), and the flexible checksums the SDKs send
 * (`x-amz-checksum-crc32|crc32c|sha1|sha256`, base64 of the big-endian digest). CRC32 is
 * node:zlib's native `crc32` where the running Node has it (20.15+, 22.2+: ~6× faster than the
 * table in JS, which remains the fallback); CRC32C has no native Node implementation and is
 * table-driven in JS, slicing-by-8.
 */
import { createHash, type Hash } from 'node:crypto';
import * as zlib from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];

/** `x-amz-checksum-crc32` → `CRC32` (undefined for anything else). */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const m = /^x-amz-checksum-(crc32|crc32c|sha1|sha256)$/.exec(name.toLowerCase());
  return m ? (m[1]!.toUpperCase() as ChecksumAlgorithm) : undefined;
}

export function headerOfAlgorithm(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

const SLICES = 8;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function makeTables(poly: number): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let k = 1; k < SLICES; k++) tables.push(new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = t0[n]!;
    for (let k = 1; k < SLICES; k++) {
      c = t0[c & 0xff]! ^ (c >>> 8);
      tables[k]![n] = c >>> 0;
    }
  }
  return tables;
}

const CRC32_TABLES = makeTables(0xedb88320);
const CRC32C_TABLES = makeTables(0x82f63b78);

/** Incremental reflected CRC-32 over `data` (slicing-by-8), continuing from `crc` (0 to start). */
function crcUpdate(tables: Uint32Array[], crc: number, data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = ~crc >>> 0;
  let i = 0;
  // Little-endian words read 32 bits at a time once `data` is 4-byte aligned (byte loads otherwise).
  while (i < data.length && (data.byteOffset + i) % 4 !== 0) c = t0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  const words = (data.length - i) >>> 3;
  if (LITTLE_ENDIAN && words > 0) {
    const w = new Uint32Array(data.buffer, data.byteOffset + i, words * 2);
    for (let j = 0; j < w.length; j += 2) {
      c ^= w[j]!;
      const hi = w[j + 1]!;
      c =
        t7[c & 0xff]! ^
        t6[(c >>> 8) & 0xff]! ^
        t5[(c >>> 16) & 0xff]! ^
        t4[c >>> 24]! ^
        t3[hi & 0xff]! ^
        t2[(hi >>> 8) & 0xff]! ^
        t1[(hi >>> 16) & 0xff]! ^
        t0[hi >>> 24]!;
    }
    i += words * 8;
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** node:zlib's native CRC-32 (same polynomial and chaining), when this Node has it. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export const crc32 = (data: Uint8Array, crc = 0): number =>
  nativeCrc32 ? nativeCrc32(data, crc) : crcUpdate(CRC32_TABLES, crc, data);
export const jsCrc32 = (data: Uint8Array, crc = 0): number => crcUpdate(CRC32_TABLES, crc, data);
export const crc32c = (data: Uint8Array, crc = 0): number => crcUpdate(CRC32C_TABLES, crc, data);

/** A streaming digest: `update` chunks, then `digest()` the raw bytes once. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

class CrcHasher implements Hasher {
  private crc = 0;
  constructor(private readonly update1: (data: Uint8Array, crc: number) => number) {}
  update(chunk: Uint8Array): void {
    this.crc = this.update1(chunk, this.crc);
  }
  digest(): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc);
    return out;
  }
}

class NodeHasher implements Hasher {
  private readonly hash: Hash;
  constructor(algorithm: string) {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  digest(): Buffer {
    return this.hash.digest();
  }
}

export function createHasher(algorithm: ChecksumAlgorithm | 'MD5'): Hasher {
  switch (algorithm) {
    case 'CRC32':
      return new CrcHasher(crc32);
    case 'CRC32C':
      return new CrcHasher(crc32c);
    case 'SHA1':
      return new NodeHasher('sha1');
    case 'SHA256':
      return new NodeHasher('sha256');
    case 'MD5':
      return new NodeHasher('md5');
  }
}

/** base64 of the checksum of `data` (small buffers: composite checksums, tests). */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const h = createHasher(algorithm);
  h.update(data);
  return h.digest().toString('base64');
}
