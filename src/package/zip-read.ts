/**
 * Reads a zip's central directory (any zip, not only Slipway's): the entry list with sizes,
 * methods, modes and where each entry's compressed bytes start. The patcher copies those bytes
 * into the next zip as they are; prebuilt `.zip` CodeUris are measured and checked with it.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  CENTRAL_DIRECTORY_HEADER_SIZE,
  CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIGNATURE,
  END_OF_CENTRAL_DIRECTORY_SIZE,
  LOCAL_FILE_HEADER_SIGNATURE,
  LOCAL_FILE_HEADER_SIZE,
  ZIP64_END_OF_CENTRAL_DIRECTORY_LOCATOR_SIGNATURE,
  ZIP64_END_OF_CENTRAL_DIRECTORY_SIGNATURE,
  type ZipEntryRecord,
} from './zip-format.ts';

export interface CentralDirectoryEntry extends ZipEntryRecord {
  /** Upper byte of "version made by": 3 = Unix (the mode is meaningful), 0 = MS-DOS. */
  madeBy: number;
  externalAttributes: number;
  flags: number;
  /** MS-DOS time and date fields. */
  time: number;
  date: number;
  /** Bytes of the name as stored. */
  nameLength: number;
  /** The local record is header + name + data with nothing between records (see markContiguous). */
  contiguous?: boolean;
}

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new ZipFormatError('unexpected end of file');
    done += bytesRead;
  }
  return buf;
}

interface DirectoryLocation {
  count: number;
  offset: number;
  size: number;
}

async function locateCentralDirectory(fh: FileHandle, fileSize: number): Promise<DirectoryLocation> {
  const tailLength = Math.min(fileSize, END_OF_CENTRAL_DIRECTORY_SIZE + 0xffff);
  const tailStart = fileSize - tailLength;
  const tail = await readAt(fh, tailStart, tailLength);
  for (let i = tail.length - END_OF_CENTRAL_DIRECTORY_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== END_OF_CENTRAL_DIRECTORY_SIGNATURE) continue;
    let count = tail.readUInt16LE(i + 10);
    let size = tail.readUInt32LE(i + 12);
    let offset = tail.readUInt32LE(i + 16);
    const locatorAt = i - 20;
    if (locatorAt >= 0 && tail.readUInt32LE(locatorAt) === ZIP64_END_OF_CENTRAL_DIRECTORY_LOCATOR_SIGNATURE) {
      const recordOffset = Number(tail.readBigUInt64LE(locatorAt + 8));
      const record = await readAt(fh, recordOffset, 56);
      if (record.readUInt32LE(0) !== ZIP64_END_OF_CENTRAL_DIRECTORY_SIGNATURE)
        throw new ZipFormatError('bad ZIP64 end of central directory record');
      count = Number(record.readBigUInt64LE(32));
      size = Number(record.readBigUInt64LE(40));
      offset = Number(record.readBigUInt64LE(48));
    }
    return { count, size, offset };
  }
  throw new ZipFormatError('no end of central directory record (not a zip file)');
}

/** Every entry of the central directory, in the order it lists them. */
export async function readCentralDirectory(path: string): Promise<CentralDirectoryEntry[]> {
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const where = await locateCentralDirectory(fh, fileSize);
    if (where.offset + where.size > fileSize) throw new ZipFormatError('central directory past end of file');
    const cd = await readAt(fh, where.offset, where.size);
    const entries: CentralDirectoryEntry[] = [];
    let p = 0;
    for (let i = 0; i < where.count; i++) {
      if (p + CENTRAL_DIRECTORY_HEADER_SIZE > cd.length || cd.readUInt32LE(p) !== CENTRAL_DIRECTORY_SIGNATURE)
        throw new ZipFormatError(`bad central directory header #${i}`);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const external = cd.readUInt32LE(p + 38);
      entries.push({
        name: cd.toString('utf8', p + 46, p + 46 + nameLength),
        madeBy: cd.readUInt8(p + 5),
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        time: cd.readUInt16LE(p + 12),
        date: cd.readUInt16LE(p + 14),
        nameLength,
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        externalAttributes: external,
        mode: external >>> 16,
        offset: cd.readUInt32LE(p + 42),
      });
      p += CENTRAL_DIRECTORY_HEADER_SIZE + nameLength + extraLength + commentLength;
    }
    markContiguous(entries, where.offset);
    return entries;
  } finally {
    await fh.close();
  }
}

/**
 * Sets `contiguous` on entries whose local record is exactly header + name + data (no extra
 * field, no data descriptor, no gap): such a record can be copied byte for byte.
 */
function markContiguous(entries: CentralDirectoryEntry[], cdOffset: number): void {
  const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
  byOffset.forEach((e, i) => {
    const end = byOffset[i + 1]?.offset ?? cdOffset;
    e.contiguous =
      (e.flags & 0x0008) === 0 && e.offset + LOCAL_FILE_HEADER_SIZE + e.nameLength + e.compressedSize === end;
  });
}

/** Where an entry's compressed bytes start: after its local header, name and extra field. */
export async function dataOffset(fh: FileHandle, entry: ZipEntryRecord): Promise<number> {
  const header = await readAt(fh, entry.offset, LOCAL_FILE_HEADER_SIZE);
  if (header.readUInt32LE(0) !== LOCAL_FILE_HEADER_SIGNATURE)
    throw new ZipFormatError(`bad local file header for ${entry.name}`);
  return entry.offset + LOCAL_FILE_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/** The entry's compressed bytes, as stored. */
export async function readRawEntry(fh: FileHandle, entry: ZipEntryRecord): Promise<Buffer> {
  return readAt(fh, await dataOffset(fh, entry), entry.compressedSize);
}
