/**
 * Deterministic zip writer with patching. The same entries always give the same bytes: entries
 * sorted by name (byte order), one timestamp, normalised modes, no extra fields or data
 * descriptors, deflate at one fixed level (node:zlib), and an entry is stored instead only when
 * deflate does not make it smaller (a rule that depends on the bytes alone).
 *
 * Patching: when the previous zip holds an entry with the same content (sha256), its compressed
 * bytes are copied as they are instead of being compressed again. Compression being a pure
 * function of the content, a patched zip is byte-identical to a full rebuild. Zip libraries do not
 * offer that copy, which is why this file exists.
 */
import { createHash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import {
  LOCAL_FILE_HEADER_SIZE,
  METHOD_DEFLATED,
  METHOD_STORED,
  S_IFDIR,
  S_IFMT,
  centralDirectoryHeader,
  crc32,
  dosDateTime,
  endOfArchive,
  flagsFor,
  localFileHeader,
  type DosDateTime,
  type ZipEntryRecord,
} from './zip-format.ts';
import { readRawEntry, type CentralDirectoryEntry } from './zip-read.ts';

/** zlib level used for every entry (zlib's own default: the usual size/speed balance). */
export const DEFLATE_LEVEL = 6;
const deflateRaw = promisify(zlib.deflateRaw);
/** Below this, compressing on the main thread is cheaper than a trip to the thread pool. */
const SYNC_DEFLATE_BELOW = 32 * 1024;
/** Entries compressed ahead of the one being written (bounded by count and by bytes). */
const WINDOW_ENTRIES = 16;
const WINDOW_BYTES = 64 * 1024 * 1024;
const WRITE_BUFFER_BYTES = 1024 * 1024;
/** Unchanged runs of the previous zip are copied in reads of this size. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

export interface ZipInput {
  /** Posix path inside the zip; a folder's name ends with '/'. */
  name: string;
  /** Full st_mode, type bits included: 0o100644, 0o100755 or 0o040755. */
  mode: number;
  /** Uncompressed size (0 for folders). */
  size: number;
  /** sha256 (hex) of the content as listed, when known: lets the patcher find it in the previous zip. */
  hash?: string;
  /** The content of a file. */
  read?: () => Promise<Buffer>;
}

export interface PreviousZip {
  path: string;
  /** Content sha256 (hex) → the previous zip's entry holding that content. */
  byHash: Map<string, CentralDirectoryEntry>;
}

export interface ZipOptions {
  /** Timestamp of every entry (seconds since the epoch; 1980-01-01 when earlier). */
  epochSeconds: number;
  previous?: PreviousZip;
}

export interface WrittenEntry extends ZipEntryRecord {
  /** sha256 (hex) of the bytes actually written (files only). */
  hash?: string;
}

export interface WrittenZip {
  entries: WrittenEntry[];
  /** Zip file size in bytes. */
  size: number;
  /** base64 sha256 of the zip: Lambda's CodeSha256. */
  codeSha256: string;
  /** Entries whose compressed bytes were copied from the previous zip. */
  reused: number;
  /** Entries compressed in this run. */
  compressed: number;
}

interface Payload {
  record: Omit<ZipEntryRecord, 'offset'>;
  /** The compressed bytes, or (verbatim) the previous zip's whole local record to copy. */
  data: Buffer | { from: number; length: number };
  hash?: string;
  reused: boolean;
}

export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function compress(input: ZipInput): Promise<Payload> {
  if (!input.read) throw new Error(`zip entry ${input.name} has no content`);
  const raw = await input.read();
  const hash = createHash('sha256').update(raw).digest('hex');
  const deflated =
    raw.length < SYNC_DEFLATE_BELOW
      ? zlib.deflateRawSync(raw, { level: DEFLATE_LEVEL })
      : await deflateRaw(raw, { level: DEFLATE_LEVEL });
  const stored = deflated.length >= raw.length;
  return {
    record: {
      name: input.name,
      mode: input.mode,
      method: stored ? METHOD_STORED : METHOD_DEFLATED,
      crc32: crc32(raw),
      compressedSize: stored ? raw.length : deflated.length,
      size: raw.length,
    },
    data: stored ? raw : deflated,
    hash,
    reused: false,
  };
}

/** The previous zip's record is exactly what would be written now: same name, time, flags. */
function verbatim(prior: CentralDirectoryEntry, input: ZipInput, when: DosDateTime): boolean {
  return (
    prior.contiguous === true &&
    prior.name === input.name &&
    prior.time === when.time &&
    prior.date === when.date &&
    prior.flags === flagsFor(Buffer.from(input.name, 'utf8'))
  );
}

async function payloadOf(
  input: ZipInput,
  previous: PreviousZip | undefined,
  old: FileHandle | undefined,
  when: DosDateTime,
): Promise<Payload> {
  if ((input.mode & S_IFMT) === S_IFDIR)
    return {
      record: {
        name: input.name,
        mode: input.mode,
        method: METHOD_STORED,
        crc32: 0,
        compressedSize: 0,
        size: 0,
      },
      data: Buffer.alloc(0),
      reused: false,
    };
  const prior = input.hash && old ? previous?.byHash.get(input.hash) : undefined;
  if (prior && old && prior.size === input.size) {
    const record = {
      name: input.name,
      mode: input.mode,
      method: prior.method,
      crc32: prior.crc32,
      compressedSize: prior.compressedSize,
      size: prior.size,
    };
    const data = verbatim(prior, input, when)
      ? { from: prior.offset, length: LOCAL_FILE_HEADER_SIZE + prior.nameLength + prior.compressedSize }
      : await readRawEntry(old, prior);
    return { record, data, hash: input.hash, reused: true };
  }
  return compress(input);
}

/**
 * Sequential writer of the new zip that hashes everything it writes. Buffers are gathered into
 * large writes; runs copied from the previous zip are merged while they are adjacent there and
 * copied in large chunks, the next read overlapping the hashing and the write of the last.
 */
class ZipSink {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private copy: { from: number; length: number } | undefined;
  private fileOffset = 0;
  readonly sha = createHash('sha256');
  /** Bytes written or queued so far: where the next record starts. */
  position = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly old: FileHandle | undefined,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    if (this.copy) await this.flushCopy();
    this.sha.update(chunk);
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.position += chunk.length;
    if (this.buffered >= WRITE_BUFFER_BYTES) await this.flushBuffers();
  }

  async copyFromPrevious(from: number, length: number): Promise<void> {
    if (this.copy && this.copy.from + this.copy.length === from) this.copy.length += length;
    else {
      await this.flush();
      this.copy = { from, length };
    }
    this.position += length;
  }

  async flush(): Promise<void> {
    await this.flushBuffers();
    await this.flushCopy();
  }

  private async flushBuffers(): Promise<void> {
    if (this.chunks.length === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    const { bytesWritten } = await this.fh.writev(chunks, this.fileOffset);
    this.fileOffset += bytesWritten;
  }

  private async readOld(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.old!.read(buf, done, length - done, position + done);
      if (bytesRead === 0) throw new Error('the previous zip is shorter than its central directory says');
      done += bytesRead;
    }
    return buf;
  }

  private async flushCopy(): Promise<void> {
    const copy = this.copy;
    if (!copy) return;
    this.copy = undefined;
    await this.flushBuffers();
    const end = copy.from + copy.length;
    let at = copy.from;
    let next = this.readOld(at, Math.min(COPY_CHUNK_BYTES, end - at));
    let writing: Promise<unknown> = Promise.resolve();
    while (at < end) {
      const buf = await next;
      at += buf.length;
      if (at < end) next = this.readOld(at, Math.min(COPY_CHUNK_BYTES, end - at));
      this.sha.update(buf);
      await writing;
      writing = this.fh.write(buf, 0, buf.length, this.fileOffset);
      this.fileOffset += buf.length;
    }
    await writing;
  }
}

function checkOffset(position: number): void {
  if (position > 0xffffffff) throw new Error('the zip would be larger than 4 GiB');
}

async function writeEntries(
  sink: ZipSink,
  inputs: ZipInput[],
  options: ZipOptions,
  when: DosDateTime,
  old: FileHandle | undefined,
): Promise<{ entries: WrittenEntry[]; reused: number; compressed: number }> {
  const entries: WrittenEntry[] = [];
  const window: Array<{ promise: Promise<Payload>; bytes: number }> = [];
  let inFlightBytes = 0;
  let reused = 0;
  let compressed = 0;
  const drainOne = async (): Promise<void> => {
    const head = window.shift();
    if (!head) return;
    const payload = await head.promise;
    inFlightBytes -= head.bytes;
    const record: ZipEntryRecord = { ...payload.record, offset: sink.position };
    checkOffset(sink.position);
    if (Buffer.isBuffer(payload.data)) {
      await sink.write(localFileHeader(record, Buffer.from(record.name, 'utf8'), when));
      await sink.write(payload.data);
    } else await sink.copyFromPrevious(payload.data.from, payload.data.length);
    entries.push(payload.hash === undefined ? record : { ...record, hash: payload.hash });
    if (payload.reused) reused++;
    else if ((record.mode & S_IFMT) !== S_IFDIR) compressed++;
  };
  for (const input of inputs) {
    while (window.length >= WINDOW_ENTRIES || (window.length > 0 && inFlightBytes >= WINDOW_BYTES))
      await drainOne();
    const promise = payloadOf(input, options.previous, old, when);
    promise.catch(() => undefined); // awaited in order by drainOne; avoid an unhandled rejection meanwhile
    window.push({ promise, bytes: input.size });
    inFlightBytes += input.size;
  }
  while (window.length > 0) await drainOne();
  return { entries, reused, compressed };
}

/**
 * Writes `inputs` (sorted here by name) to `path` atomically (a temporary file renamed over it).
 * The previous zip, when given, may be `path` itself: it is read before the rename.
 */
export async function writeZip(path: string, inputs: ZipInput[], options: ZipOptions): Promise<WrittenZip> {
  const sorted = [...inputs].sort((a, b) => compareNames(a.name, b.name));
  const when = dosDateTime(options.epochSeconds);
  const temp = `${path}.${process.pid}.partial`;
  const out = await open(temp, 'w');
  let old: FileHandle | undefined;
  try {
    if (options.previous && options.previous.byHash.size > 0)
      old = await open(options.previous.path, 'r').catch(() => undefined);
    const sink = new ZipSink(out, old);
    const written = await writeEntries(sink, sorted, options, when, old);
    const cdOffset = sink.position;
    for (const e of written.entries)
      await sink.write(centralDirectoryHeader(e, Buffer.from(e.name, 'utf8'), when));
    const cdSize = sink.position - cdOffset;
    checkOffset(sink.position);
    await sink.write(endOfArchive(written.entries.length, cdOffset, cdSize));
    await sink.flush();
    await out.close();
    await old?.close();
    old = undefined;
    await rename(temp, path);
    return {
      entries: written.entries,
      size: sink.position,
      codeSha256: sink.sha.digest('base64'),
      reused: written.reused,
      compressed: written.compressed,
    };
  } catch (err) {
    await out.close().catch(() => undefined);
    await old?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
}
