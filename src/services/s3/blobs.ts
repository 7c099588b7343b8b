/**
 * Object bodies as files under the store's blob directory, named by a random id (never by key,
 * so no key can reach outside the directory). A body is streamed to `tmp-<id>`, fsynced, renamed
 * to `<id>` and the directory fsynced: only then may its index entry be written.
 *
 * The fsyncs are skipped when the store is not durable (`durable: false`, the memory store of
 * `--ephemeral`): its index dies with the process, so there is no crash to be consistent after,
 * and the fsyncs were most of PutObject's latency (about 8 ms of the S3 → handler start path).
 */
import { randomUUID } from 'node:crypto';
import { link, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { close as closeCb, open as openCb, read as readCb, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { AwsError } from '../types.ts';
import { createHasher, type ChecksumAlgorithm, type Hasher } from './checksums.ts';

const TMP_PREFIX = 'tmp-';
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
    // Not durable: write the final name directly. The random id is referenced by no index entry
    // until the caller commits one, so a partial file is never read (and the start-up sweep
    // removes it); the rename only matters for crash safety.
    const tmp = join(this.dir, this.durable ? TMP_PREFIX + blob : blob);
    const md5 = createHasher('MD5');
    const hashers = new Map<ChecksumAlgorithm, Hasher>();
    for (const a of options.algorithms ?? []) hashers.set(a, createHasher(a));
    const max = options.maxSize ?? Number.POSITIVE_INFINITY;
    let size = 0;
    const fh = await open(tmp, 'w');
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > max)
          throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
            MaxSizeAllowed: String(max),
          });
        md5.update(chunk);
        for (const h of hashers.values()) h.update(chunk);
        await fh.write(chunk);
      }
      if (this.durable) await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    if (this.durable) {
      await rename(tmp, join(this.dir, blob));
      await this.syncDir();
    }
    const digests: Partial<Record<ChecksumAlgorithm, Buffer>> = {};
    for (const [a, h] of hashers) digests[a] = h.digest();
    return { blob, size, md5: md5.digest(), digests };
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

  private async syncDir(): Promise<void> {
    if (!this.durable) return;
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  /** Removes temp files from an interrupted write and blobs no index entry references. */
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
