/**
 * The durable Store: one LMDB environment at `<dir>/db`, one named database per namespace, object
 * bodies as files under `<dir>/blobs/<namespace>` (see blobs.ts).
 *
 * Durability: a write resolves only once LMDB reports its transaction flushed to disk. lmdb-js
 * batches every write issued in the same event turn into one transaction. On Linux/macOS it
 * defaults to `overlappingSync`, where the write promise resolves at *commit* (visible, and safe
 * from a process crash since the pages are in the OS cache) and the fsync follows on another
 * thread; we keep that mode (the next transaction overlaps the previous fsync) and additionally
 * wait for `flushed`, so an acknowledged write also survives an OS crash or power loss. Never
 * `noSync`/`noMetaSync`/`mapAsync`.
 *
 * Read-your-writes: a write is visible to `get`/`list` from the moment it is issued (as with the
 * memory backend), through a small overlay of writes not yet durable.
 */
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { fsyncDirSync, removeStaleTempBlobs } from './blobs.ts';
import {
  MAX_KEY_BYTES,
  checkKey,
  checkNamespaceName,
  compareKeys,
  decodeValue,
  encodeOps,
  encodeValue,
  type EncodedOp,
} from './codec.ts';
import type { JsonValue, Namespace, Store } from './types.ts';

/** LMDB's named-database table is fixed at open; one per service leaves plenty of room. */
const MAX_NAMESPACES = 128;
/** Every stored key is this byte + the key's UTF-8 (LMDB refuses empty keys; '' is a valid key here). */
const KEY_TAG = 0x01;

type Db = Database<string, Buffer>;

function encodeKey(key: string): Buffer {
  const buf = Buffer.allocUnsafe(1 + Buffer.byteLength(key));
  buf[0] = KEY_TAG;
  buf.write(key, 1);
  return buf;
}
const decodeKey = (raw: Buffer): string => raw.toString('utf8', 1);

/** The smallest key greater than every key starting with `prefix` (UTF-8 never holds 0xff). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1] = end[end.length - 1]! + 1;
  return end;
}

/** Resolves once everything written before the call is committed and flushed to disk. */
async function durable(env: RootDatabase, committed: Promise<unknown>): Promise<void> {
  // Taken now, in the write's own turn: `flushed` follows the transaction the write went into.
  const flushed = new Promise<unknown>((resolve, reject) => {
    env.flushed.then(resolve, reject);
  });
  flushed.catch(() => undefined); // a failed commit rejects below; don't also report the flush
  await committed;
  await flushed;
}

class LmdbNamespace implements Namespace {
  /** Writes issued but not yet durable, newest per key; `text: undefined` is a pending delete. */
  private readonly pending = new Map<string, { text: string | undefined; seq: number }>();
  private seq = 0;

  constructor(
    private readonly env: RootDatabase,
    private readonly db: Db,
  ) {}

  get<T = JsonValue>(key: string): T | undefined {
    const pending = this.pending.get(key);
    const text = pending
      ? pending.text
      : Buffer.byteLength(key) > MAX_KEY_BYTES
        ? undefined
        : this.db.get(encodeKey(key));
    return text === undefined ? undefined : decodeValue<T>(text);
  }

  put(key: string, value: JsonValue): Promise<void> {
    return this.write(() => {
      checkKey(key);
      return [{ key, text: encodeValue(key, value) }];
    });
  }

  delete(key: string): Promise<void> {
    return this.write(() => encodeOps([{ key, value: undefined }]));
  }

  batch(ops: Array<{ key: string; value: JsonValue | undefined }>): Promise<void> {
    return this.write(() => encodeOps(ops));
  }

  list<T = JsonValue>(
    prefix: string,
    options: { start?: string; limit?: number } = {},
  ): Array<{ key: string; value: T }> {
    const limit = options.limit ?? Infinity;
    const out: Array<{ key: string; value: T }> = [];
    if (limit <= 0) return out;
    const from =
      options.start !== undefined && compareKeys(options.start, prefix) > 0 ? options.start : prefix;
    const overlay = [...this.pending]
      .filter(([key]) => key.startsWith(prefix) && compareKeys(key, from) >= 0)
      .sort(([a], [b]) => compareKeys(a, b));
    let next = 0;
    /** Adds an entry unless it is a pending delete; true once the limit is reached. */
    const emit = (key: string, text: string | undefined): boolean => {
      if (text !== undefined) out.push({ key, value: decodeValue<T>(text) });
      return out.length >= limit;
    };
    if (Buffer.byteLength(from) <= MAX_KEY_BYTES) {
      const range = this.db.getRange({ start: encodeKey(from), end: prefixEnd(encodeKey(prefix)) });
      for (const { key: raw, value } of range) {
        const key = decodeKey(raw);
        let pendingHere: string | undefined | null = null;
        for (let o = overlay[next]; o && compareKeys(o[0], key) <= 0; o = overlay[++next]) {
          if (o[0] === key) pendingHere = o[1].text;
          else if (emit(o[0], o[1].text)) return out;
        }
        if (emit(key, pendingHere === null ? value : pendingHere)) return out;
      }
    }
    for (; next < overlay.length; next++) if (emit(overlay[next]![0], overlay[next]![1].text)) return out;
    return out;
  }

  /** `encode` validates everything first (throwing = a rejected write that changed nothing). */
  private async write(encode: () => EncodedOp[]): Promise<void> {
    const encoded = encode();
    if (encoded.length === 0) return;
    const seq = ++this.seq;
    for (const { key, text } of encoded) this.pending.set(key, { text, seq });
    try {
      const committed =
        encoded.length === 1
          ? this.apply(encoded[0]!)
          : this.db.batch(() => {
              for (const op of encoded) void this.apply(op);
            });
      await durable(this.env, committed);
    } finally {
      for (const { key } of encoded) if (this.pending.get(key)?.seq === seq) this.pending.delete(key);
    }
  }

  private apply({ key, text }: EncodedOp): Promise<boolean> {
    return text === undefined ? this.db.remove(encodeKey(key)) : this.db.put(encodeKey(key), text);
  }
}

export async function createLmdbStore(dir: string): Promise<Store> {
  const path = join(dir, 'db');
  await mkdir(path, { recursive: true });
  // Defaults kept on purpose: sync commits, overlappingSync on non-Windows (see the header).
  const env = open<string, Buffer>({
    path,
    maxDbs: MAX_NAMESPACES,
    keyEncoding: 'binary',
    encoding: 'string',
  });
  // LMDB fsyncs its files, not the directories naming them: make a fresh layout durable too.
  for (const d of [path, dir, dirname(dir)]) fsyncDirSync(d);
  const namespaces = new Map<string, LmdbNamespace>();
  const blobDirs = new Set<string>();
  let closed: Promise<void> | undefined;
  return {
    kind: 'lmdb',
    namespace(name) {
      checkNamespaceName(name);
      let ns = namespaces.get(name);
      if (!ns) {
        const db = env.openDB<string, Buffer>({ name, keyEncoding: 'binary', encoding: 'string' });
        namespaces.set(name, (ns = new LmdbNamespace(env, db)));
      }
      return ns;
    },
    blobDir(name) {
      checkNamespaceName(name);
      const blobs = join(dir, 'blobs', name);
      if (!blobDirs.has(name)) {
        mkdirSync(blobs, { recursive: true });
        fsyncDirSync(dirname(blobs));
        fsyncDirSync(dir);
        // Nothing of ours writes here before the first call: any temp file is a dead writer's.
        removeStaleTempBlobs(blobs);
        blobDirs.add(name);
      }
      return blobs;
    },
    close() {
      // lmdb-js's close waits for queued writes to commit and flush.
      closed ??= env.close();
      return closed;
    },
  };
}
