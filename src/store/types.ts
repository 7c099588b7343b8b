/**
 * Durable embedded state for the emulated services (DESIGN.md "Embedded, durable state").
 *
 * A Store hands out namespaces (one per service, e.g. `s3`, `sqs`); a namespace is an ordered
 * key-value map of JSON-serialisable values. Writes resolve only once durable: a client may be
 * told "OK" after `await put(...)`, and a crash (kill -9) after that loses nothing. Object bodies
 * (S3) do not belong here: they are files under `blobDir(namespace)`, written and fsynced (file and
 * directory entry) before their index entry is put.
 *
 * Backends: `memory` (--ephemeral, and unit tests) and `lmdb` (default, `<stateDir>/db`). Both pass
 * the same conformance suite (src/store/conformance.test.ts).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Namespace {
  /** Synchronous read (both backends keep reads in process). */
  get<T = JsonValue>(key: string): T | undefined;
  /** Resolves once the write is durable. Writes issued in the same tick commit together. */
  put(key: string, value: JsonValue): Promise<void>;
  delete(key: string): Promise<void>;
  /** Several writes, applied atomically and durably together (`value: undefined` deletes). */
  batch(ops: Array<{ key: string; value: JsonValue | undefined }>): Promise<void>;
  /** Entries whose key starts with `prefix`, in key order (UTF-8 byte order), from `start` (inclusive) when given. */
  list<T = JsonValue>(
    prefix: string,
    options?: { start?: string; limit?: number },
  ): Array<{ key: string; value: T }>;
}

export interface Store {
  readonly kind: 'memory' | 'lmdb';
  namespace(name: string): Namespace;
  /** Directory for a namespace's blobs (object bodies), created on demand. Memory stores use a temp dir. */
  blobDir(name: string): string;
  close(): Promise<void>;
}
