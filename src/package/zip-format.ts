/**
 * The bytes of the ZIP format (PKWARE APPNOTE 6.3) as Slipway writes them: one fixed layout per
 * entry so that the same entries always give the same bytes. No extra fields, no data
 * descriptors, no comments; "version made by" Unix so the external attributes carry the mode.
 */
import zlib from 'node:zlib';

export const LOCAL_FILE_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_DIRECTORY_SIGNATURE = 0x02014b50;
export const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
export const ZIP64_END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06064b50;
export const ZIP64_END_OF_CENTRAL_DIRECTORY_LOCATOR_SIGNATURE = 0x07064b50;

export const LOCAL_FILE_HEADER_SIZE = 30;
export const CENTRAL_DIRECTORY_HEADER_SIZE = 46;
export const END_OF_CENTRAL_DIRECTORY_SIZE = 22;
const ZIP64_END_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

/** 2.0: deflate and folders; 4.5 only in the ZIP64 end record (more than 65,535 entries). */
const VERSION_NEEDED = 20;
const VERSION_NEEDED_ZIP64 = 45;
/** Upper byte 3 = Unix (the external attributes' upper 16 bits are st_mode), lower byte = spec 2.0. */
const VERSION_MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED;
/** General purpose flag bit 11: the name is UTF-8 (set only when it is not plain ASCII). */
const FLAG_UTF8 = 0x0800;
const MSDOS_DIRECTORY = 0x10;

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;

/** A written (or read) entry: what the central directory says about it. */
export interface ZipEntryRecord {
  name: string;
  /** Full st_mode, type bits included (0o100644, 0o100755, 0o040755). */
  mode: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local file header. */
  offset: number;
}

export interface DosDateTime {
  date: number;
  time: number;
}

/**
 * MS-DOS date and time (two-second resolution, 1980-2107) of a Unix time, read in UTC so the
 * result does not depend on the machine's time zone.
 */
export function dosDateTime(epochSeconds: number): DosDateTime {
  const d = new Date(Math.max(0, epochSeconds) * 1000);
  const year = d.getUTCFullYear();
  if (year < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

let crcTable: Uint32Array | undefined;
function crc32Fallback(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 of the bytes: zlib's (Node >= 20.15), or a table-driven one on older Node. */
export const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data) => zlib.crc32(data) >>> 0
    : crc32Fallback;
export { crc32Fallback };

function isAscii(name: Buffer): boolean {
  for (const byte of name) if (byte > 0x7f) return false;
  return true;
}

/** General purpose flags of an entry: only bit 11 (UTF-8 name), set when the name is not ASCII. */
export function flagsFor(name: Buffer): number {
  return isAscii(name) ? 0 : FLAG_UTF8;
}

export function localFileHeader(entry: ZipEntryRecord, name: Buffer, when: DosDateTime): Buffer {
  const b = Buffer.alloc(LOCAL_FILE_HEADER_SIZE + name.length);
  b.writeUInt32LE(LOCAL_FILE_HEADER_SIGNATURE, 0);
  b.writeUInt16LE(VERSION_NEEDED, 4);
  b.writeUInt16LE(flagsFor(name), 6);
  b.writeUInt16LE(entry.method, 8);
  b.writeUInt16LE(when.time, 10);
  b.writeUInt16LE(when.date, 12);
  b.writeUInt32LE(entry.crc32, 14);
  b.writeUInt32LE(entry.compressedSize, 18);
  b.writeUInt32LE(entry.size, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(0, 28); // no extra field
  name.copy(b, LOCAL_FILE_HEADER_SIZE);
  return b;
}

export function centralDirectoryHeader(entry: ZipEntryRecord, name: Buffer, when: DosDateTime): Buffer {
  const b = Buffer.alloc(CENTRAL_DIRECTORY_HEADER_SIZE + name.length);
  const isDir = (entry.mode & S_IFMT) === S_IFDIR;
  b.writeUInt32LE(CENTRAL_DIRECTORY_SIGNATURE, 0);
  b.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
  b.writeUInt16LE(VERSION_NEEDED, 6);
  b.writeUInt16LE(flagsFor(name), 8);
  b.writeUInt16LE(entry.method, 10);
  b.writeUInt16LE(when.time, 12);
  b.writeUInt16LE(when.date, 14);
  b.writeUInt32LE(entry.crc32, 16);
  b.writeUInt32LE(entry.compressedSize, 20);
  b.writeUInt32LE(entry.size, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt16LE(0, 30); // extra field length
  b.writeUInt16LE(0, 32); // comment length
  b.writeUInt16LE(0, 34); // disk number
  b.writeUInt16LE(0, 36); // internal attributes
  b.writeUInt32LE((((entry.mode & 0xffff) << 16) | (isDir ? MSDOS_DIRECTORY : 0)) >>> 0, 38);
  b.writeUInt32LE(entry.offset, 42);
  name.copy(b, CENTRAL_DIRECTORY_HEADER_SIZE);
  return b;
}

/**
 * The end of the archive. Above 65,535 entries the classic record says 0xFFFF and a ZIP64 end
 * record (with its locator) carries the real count. Sizes and offsets stay 32-bit: a package is
 * refused long before 4 GiB (Lambda's unzipped limit is 250 MB).
 */
export function endOfArchive(count: number, cdOffset: number, cdSize: number): Buffer {
  const zip64 = count > 0xffff;
  const parts: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(ZIP64_END_SIZE);
    rec.writeUInt32LE(ZIP64_END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
    rec.writeBigUInt64LE(BigInt(ZIP64_END_SIZE - 12), 4);
    rec.writeUInt16LE((3 << 8) | VERSION_NEEDED_ZIP64, 12);
    rec.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
    rec.writeUInt32LE(0, 16);
    rec.writeUInt32LE(0, 20);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(ZIP64_LOCATOR_SIZE);
    locator.writeUInt32LE(ZIP64_END_OF_CENTRAL_DIRECTORY_LOCATOR_SIGNATURE, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(rec, locator);
  }
  const end = Buffer.alloc(END_OF_CENTRAL_DIRECTORY_SIZE);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(cdOffset, 16);
  end.writeUInt16LE(0, 20); // comment length
  parts.push(end);
  return Buffer.concat(parts);
}
