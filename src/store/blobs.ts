/**
 * Object bodies (S3) as files, crash-safe: a body is streamed to a temporary name in the same
 * directory, fsynced, renamed onto its final name and the directory fsynced, so after a crash a
 * blob's final name holds either nothing or the whole body, never a prefix of it. Write the blob
 * first, then put its index entry; a crash in between leaves an unreferenced file, never an entry
 * pointing at a missing or partial one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Temporary files end with this; nothing else in a blob dir does. */
export const TEMP_SUFFIX = '.slipway-tmp';

function checkBlobName(name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.endsWith(TEMP_SUFFIX)) {
    throw new TypeError(`blob name ${JSON.stringify(name)} must be one plain file name`);
  }
  if (Buffer.byteLength(name) > 200)
    throw new RangeError(`blob name longer than 200 bytes: ${name.slice(0, 40)}…`);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeBlobAtomically(
  dir: string,
  name: string,
  source: AsyncIterable<Buffer | Uint8Array> | Buffer | Uint8Array,
): Promise<{ path: string; size: number }> {
  checkBlobName(name);
  const path = join(dir, name);
  const temp = join(dir, `.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'wx', 0o644);
  let size = 0;
  try {
    try {
      const chunks = source instanceof Uint8Array ? [source] : source;
      for await (const chunk of chunks) {
        for (let at = 0; at < chunk.length;) {
          const { bytesWritten } = await handle.write(chunk, at, chunk.length - at);
          at += bytesWritten;
        }
        size += chunk.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dir);
  return { path, size };
}

/** Makes a directory's entries (files created, renamed or removed in it) durable. */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes a blob (a missing one is not an error) and makes the removal durable. */
export async function removeBlob(dir: string, name: string): Promise<void> {
  checkBlobName(name);
  try {
    await unlink(join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await fsyncDir(dir);
}

/** Deletes temporary files a crashed writer left behind. Only call when no write is in progress in `dir`. */
export function removeStaleTempBlobs(dir: string): number {
  let removed = 0;
  for (const entry of readdirSync(dir)) {
    if (!entry.endsWith(TEMP_SUFFIX)) continue;
    rmSync(join(dir, entry), { force: true });
    removed++;
  }
  return removed;
}
