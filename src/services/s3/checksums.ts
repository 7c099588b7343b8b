/**
 * Object checksums as S3 computes them: MD5 (the ETag), and the flexible checksums the SDKs send
 * (`x-amz-checksum-crc32|crc32c|sha1|sha256`, base64 of the big-endian digest). CRC32 and CRC32C
 * are table-driven (slicing-by-4) because node:zlib's crc32 arrives only in Node 22.
 */
import { createHash, type Hash } from 'node:crypto';

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

function makeTables(poly: number): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0, new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let n = 0; n < 256; n++) {
    let c = t0[n]!;
    for (let k = 1; k < 4; k++) {
      c = t0[c & 0xff]! ^ (c >>> 8);
      tables[k]![n] = c >>> 0;
    }
  }
  return tables;
}

const CRC32_TABLES = makeTables(0xedb88320);
const CRC32C_TABLES = makeTables(0x82f63b78);

/** Incremental reflected CRC-32 over `data`, continuing from `crc` (0 to start). */
function crcUpdate(tables: Uint32Array[], crc: number, data: Uint8Array): number {
  const [t0, t1, t2, t3] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const end4 = data.length - (data.length % 4);
  for (; i < end4; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export const crc32 = (data: Uint8Array, crc = 0): number => crcUpdate(CRC32_TABLES, crc, data);
export const crc32c = (data: Uint8Array, crc = 0): number => crcUpdate(CRC32C_TABLES, crc, data);

/** A streaming digest: `update` chunks, then `digest()` the raw bytes once. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

class CrcHasher implements Hasher {
  private crc = 0;
  constructor(private readonly tables: Uint32Array[]) {}
  update(chunk: Uint8Array): void {
    this.crc = crcUpdate(this.tables, this.crc, chunk);
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
      return new CrcHasher(CRC32_TABLES);
    case 'CRC32C':
      return new CrcHasher(CRC32C_TABLES);
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
