/**
 * sha256 of file contents, remembered by stat (size, mtime, ctime, inode) as git's index does, so
 * an unchanged file is not read again. The stat only saves the read: every decision is made on
 * the content hash. A file modified less than RACY_WINDOW_MS before it was hashed is not
 * remembered (a later write in the same timestamp tick would keep the same stat: git's "racy"
 * case), so it is simply read again next time.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FileStat } from './source-tree.ts';

const RACY_WINDOW_MS = 3000;
const INDEX_VERSION = 1;
/** Files above this are hashed as a stream instead of read whole. */
const STREAM_ABOVE = 16 * 1024 * 1024;

type IndexEntry = [size: number, mtimeMs: number, ctimeMs: number, ino: number, hash: string];

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function hashFileContent(path: string, size: number): Promise<string> {
  if (size <= STREAM_ABOVE) return sha256Hex(await readFile(path));
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

export class ContentHashes {
  private dirty = false;
  private readonly seen = new Set<string>();
  /** Files actually read (for progress and tests). */
  reads = 0;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, IndexEntry>,
    private readonly now: () => number,
  ) {}

  /** `fresh`: ignore what was remembered (--force). */
  static async load(file: string, fresh: boolean, now: () => number = Date.now): Promise<ContentHashes> {
    const entries = new Map<string, IndexEntry>();
    if (!fresh) {
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as { version?: number; files?: unknown };
        if (parsed.version === INDEX_VERSION && parsed.files && typeof parsed.files === 'object')
          for (const [path, e] of Object.entries(parsed.files as Record<string, unknown>))
            if (Array.isArray(e) && e.length === 5 && typeof e[4] === 'string')
              entries.set(path, e as IndexEntry);
      } catch {
        /* no index yet, or unreadable: every file is read */
      }
    }
    return new ContentHashes(file, entries, now);
  }

  /** sha256 (hex) of the file's content. */
  async hash(path: string, s: FileStat): Promise<string> {
    this.seen.add(path);
    const known = this.entries.get(path);
    if (
      known &&
      known[0] === s.size &&
      known[1] === s.mtimeMs &&
      known[2] === s.ctimeMs &&
      known[3] === s.ino
    )
      return known[4];
    const hash = await hashFileContent(path, s.size);
    this.reads++;
    this.remember(path, s, hash);
    return hash;
  }

  /** Records a hash computed elsewhere (from the bytes the zip writer read). */
  remember(path: string, s: FileStat, hash: string): void {
    this.seen.add(path);
    const now = this.now();
    if (now - s.mtimeMs < RACY_WINDOW_MS || now - s.ctimeMs < RACY_WINDOW_MS) {
      if (this.entries.delete(path)) this.dirty = true;
      return;
    }
    this.entries.set(path, [s.size, s.mtimeMs, s.ctimeMs, s.ino, hash]);
    this.dirty = true;
  }

  /** `prune`: forget files that were not hashed in this run and no longer exist. */
  async save(prune: boolean): Promise<void> {
    if (prune)
      for (const path of this.entries.keys())
        if (!this.seen.has(path) && !existsSync(path)) {
          this.entries.delete(path);
          this.dirty = true;
        }
    if (!this.dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.partial`;
    await writeFile(
      temp,
      JSON.stringify({ version: INDEX_VERSION, files: Object.fromEntries(this.entries) }),
    );
    await rename(temp, this.file);
    this.dirty = false;
  }
}
