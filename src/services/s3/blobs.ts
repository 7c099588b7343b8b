/**
 * Object bodies as files under the store's blob directory, named by a random id (never by key,
 * so no key can reach outside the directory). A body is streamed straight to `<id>`, fsynced, and
 * its directory entry fsynced: only then may its index entry be written. No temporary name is needed:
 * until the caller commits an index entry naming the id, nothing reads it, and after a crash the
 * start-up sweep removes every id no entry references (a partial body included).
 *
 * Cheap on the thread pool: the body is written in batches of up to WRITE_BATCH_BYTES (one
 * `writev` per batch instead of one `write` per socket chunk; each thread-pool hop costs a wake-up
 * and, on a small machine, a context switch), a small body in one synchronous open/writev/close,
 * the file's and the directory's fsyncs run in parallel, and concurrent writers share directory
 * fsyncs (group commit).
 *
 * The fsyncs are skipped when the store is not durable (`durable: false`, the memory store of
 * `--ephemeral`): its index dies with the process, so there is no crash to be consistent after,
 * and the fsyncs were most of PutObject's latency (about 8 ms of the S3 → handler start path).
 */
import { randomUUID } from 'node:crypto';
import { link, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import {
  close as closeCb,
  closeSync,
  fsync,
  open as openCb,
  openSync,
  read as readCb,
  readSync,
  readdirSync,
  unlinkSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { AwsError } from '../types.ts';
import { createHasher, type ChecksumAlgorithm, type Hasher } from './checksums.ts';

/** Left by older versions (write-then-rename); swept at start-up. */
const TMP_PREFIX = 'tmp-';
/** Bytes gathered from the body before one `writev`: bounds memory per upload, cuts hops. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** A whole body up to this size is written synchronously (see `writeSmall`). */
const SYNC_WRITE_BYTES = 64 * 1024;
/** A whole blob up to this size is read synchronously (see `readWholeSync`). */
const SYNC_READ_BYTES = 64 * 1024;
const ID_RE = /^[0-9a-f]{32}$/;

export interface WrittenBlob {
  blob: string;
  size: number;
  md5: Buffer;
  /** Raw digests for the algorithms asked for. */
  digests: Partial<Record<ChecksumAlgorithm, Buffer>>;
}

export interface WriteOptions {
  algorithms?: Iterable<ChecksumAlgorithm>;
  /** Bytes beyond this are refused (EntityTooLarge) and the partial file removed. */
  maxSize?: number;
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

const fsyncFd = promisify(fsync);

/**
 * A tiny blob read synchronously: open, read and close from the page cache take microseconds,
 * where each async step is a thread-pool hop. Rejects like the async path (ENOENT, short file).
 */
function readWholeSync(path: string, size: number): Promise<Buffer> {
  return new Promise((resolve) => resolve(readWholeSyncNow(path, size)));
}

function readWholeSyncNow(path: string, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    for (let at = 0; at < size;) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) throw new Error(`blob ${path} shorter than ${size} bytes`);
      at += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

function writevAllSync(fd: number, chunks: Uint8Array[]): void {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const written = writevSync(fd, chunks);
  if (written === total) return;
  const rest = Buffer.concat(chunks).subarray(written);
  for (let at = 0; at < rest.length;) at += writeSync(fd, rest, at);
}

/** Writes every byte of `chunks` at the file's current position (a writev may write fewer). */
async function writeAll(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  const { bytesWritten } = await fh.writev(chunks);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  for (let at = 0; at < rest.length;) at += (await fh.write(rest, at)).bytesWritten;
}

export class BlobStore {
  /** `durable`: fsync bodies and directory entries (the lmdb store); false for the memory store. */
  constructor(
    readonly dir: string,
    readonly durable = true,
  ) {}

  private path(blob: string): string {
    if (!ID_RE.test(blob)) throw new Error(`not a blob id: ${blob}`);
    return join(this.dir, blob);
  }

  /** Streams `source` into a new durable blob, hashing as it goes. */
  async write(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: WriteOptions = {},
  ): Promise<WrittenBlob> {
    const blob = randomUUID().replaceAll('-', '');
    const path = join(this.dir, blob);
    const md5 = createHasher('MD5');
    const hashers = new Map<ChecksumAlgorithm, Hasher>();
    for (const a of options.algorithms ?? []) hashers.set(a, createHasher(a));
    const max = options.maxSize ?? Number.POSITIVE_INFINITY;
    let size = 0;
    let batch: Uint8Array[] = [];
    let batched = 0;
    let fh: FileHandle | undefined;
    let entrySynced: Promise<void> | undefined;
    const flush = async (): Promise<void> => {
      if (!fh) {
        fh = await open(path, 'w');
        entrySynced = this.syncDir(); // the directory entry exists: its fsync overlaps the rest
        entrySynced.catch(() => undefined); // awaited below; a failure there is the one reported
      }
      const chunks = batch;
      batch = [];
      batched = 0;
      if (chunks.length) await writeAll(fh, chunks);
    };
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > max)
          throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
            MaxSizeAllowed: String(max),
          });
        md5.update(chunk);
        for (const h of hashers.values()) h.update(chunk);
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= WRITE_BATCH_BYTES) await flush();
      }
      if (!fh && size <= SYNC_WRITE_BYTES) await this.writeSmall(path, batch);
      else {
        await flush();
        if (this.durable) await Promise.all([fh!.sync(), entrySynced]);
        await fh!.close();
      }
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw err;
    }
    const digests: Partial<Record<ChecksumAlgorithm, Buffer>> = {};
    for (const [a, h] of hashers) digests[a] = h.digest();
    return { blob, size, md5: md5.digest(), digests };
  }

  /**
   * A whole small body already in memory: created and written synchronously (tens of
   * microseconds into the page cache, where each of an async open, write and close is a
   * thread-pool hop), then, when durable, the file and its directory entry fsynced in parallel
   * off the event loop.
   */
  private async writeSmall(path: string, chunks: Uint8Array[]): Promise<void> {
    const fd = openSync(path, 'w');
    try {
      writevAllSync(fd, chunks);
      if (this.durable) await Promise.all([fsyncFd(fd), this.syncDir()]);
    } finally {
      closeSync(fd);
    }
  }

  /** A second durable name for the same immutable bytes (copies are O(1)). */
  async duplicate(blob: string): Promise<string> {
    const copy = randomUUID().replaceAll('-', '');
    await link(this.path(blob), this.path(copy));
    await this.syncDir();
    return copy;
  }

  /** Opens a blob for reading; the open handle survives a concurrent overwrite's unlink. */
  open(blob: string): Promise<FileHandle> {
    return open(this.path(blob), 'r');
  }

  /**
   * Reads a whole small blob of known `size` into one Buffer: open, one positional read, close
   * (the close is not waited for). Cheaper than a FileHandle plus a read stream per GET, which
   * cost a stream set-up and extra thread-pool hops for a 1 KiB body. Rejects like `open` (ENOENT
   * after a concurrent overwrite), so callers can retry the same way.
   */
  readSmall(blob: string, size: number): Promise<Buffer> {
    const path = this.path(blob);
    if (size <= SYNC_READ_BYTES) return readWholeSync(path, size);
    return new Promise((resolve, reject) => {
      openCb(path, 'r', (err, fd) => {
        if (err) return reject(err);
        const buf = Buffer.allocUnsafe(size);
        const fill = (offset: number): void => {
          readCb(fd, buf, offset, size - offset, offset, (e, n) => {
            if (e || n === 0) {
              closeCb(fd, () => undefined);
              // A blob is immutable: fewer bytes than indexed means it is not the blob we know.
              return e ? reject(e) : reject(new Error(`blob ${blob} shorter than ${size} bytes`));
            }
            if (offset + n < size) return fill(offset + n);
            closeCb(fd, () => undefined);
            resolve(buf);
          });
        };
        fill(0);
      });
    });
  }

  async remove(blob: string | undefined): Promise<void> {
    if (blob === undefined) return;
    await unlink(this.path(blob)).catch(() => undefined);
  }

  /** Unlinks started by `removeLater` and not yet finished. */
  private readonly removing = new Set<Promise<void>>();

  /**
   * Removes a blob no index entry references any more, without making the caller wait: on a
   * durable store an unlink can stall behind the journal commit of concurrent fsyncs (it cut
   * durable 1 KiB PutObject throughput by half when awaited inside the key's lock). An open GET
   * keeps reading the file; a crash before the unlink leaves a file the start-up sweep removes.
   */
  removeLater(blob: string): void {
    const p = this.remove(blob).finally(() => this.removing.delete(p));
    this.removing.add(p);
  }

  /** Resolves once every `removeLater` issued so far has finished. */
  async settled(): Promise<void> {
    await Promise.all(this.removing);
  }

  /** The directory fsync in flight, and the one queued to start when it ends. */
  private dirSync: Promise<void> | undefined;
  private nextDirSync: Promise<void> | undefined;

  /**
   * Makes the directory's entries durable as of this call. Group commit: while one fsync runs
   * (it may have started before this caller's entry existed), every new caller shares one more
   * fsync started when it ends, so N concurrent writers cost about two fsyncs, not N.
   */
  private syncDir(): Promise<void> {
    if (!this.durable) return Promise.resolve();
    if (!this.dirSync) {
      const run = fsyncDir(this.dir).finally(() => {
        if (this.dirSync === run) this.dirSync = undefined;
      });
      this.dirSync = run;
      return run;
    }
    this.nextDirSync ??= this.dirSync
      .catch(() => undefined)
      .then(() => {
        this.nextDirSync = undefined;
        return this.syncDir();
      });
    return this.nextDirSync;
  }

  /** Removes blobs no index entry references (an interrupted write's included) and old temp files. */
  sweep(referenced: ReadonlySet<string>): void {
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(TMP_PREFIX) || (ID_RE.test(name) && !referenced.has(name))) {
        try {
          unlinkSync(join(this.dir, name));
        } catch {
          // already gone
        }
      }
    }
  }

  async count(): Promise<number> {
    return (await readdir(this.dir)).length;
  }
}
