/**
 * What both Store backends accept and return, in one place so they cannot drift apart: values are
 * JSON (stored as the text `JSON.stringify` gives, so `undefined` members vanish, `NaN` becomes
 * `null`, a `Date` becomes its ISO string, exactly as over the wire), keys are well-formed strings
 * of at most MAX_KEY_BYTES UTF-8 bytes (LMDB's limit with 4 KiB pages is 1978; an S3 index key,
 * `bucket/key`, needs up to 63 + 1 + 1024).
 */
import type { JsonValue } from './types.ts';

export const MAX_KEY_BYTES = 1900;

export type WriteOp = { key: string; value: JsonValue | undefined };
/** A validated write: `text` is the stored JSON, `undefined` for a delete. */
export type EncodedOp = { key: string; text: string | undefined };

export function checkKey(key: string): void {
  if (typeof key !== 'string') throw new TypeError(`store key must be a string, got ${typeof key}`);
  const utf8 = Buffer.from(key);
  if (utf8.toString() !== key) throw new TypeError(`store key ${JSON.stringify(key)} has a lone surrogate`);
  const bytes = utf8.length;
  if (bytes > MAX_KEY_BYTES) {
    throw new RangeError(`store key of ${bytes} bytes is longer than ${MAX_KEY_BYTES}: ${key.slice(0, 60)}…`);
  }
}

/** `JSON.stringify`, refusing what it cannot represent at the top level (undefined, functions, symbols). */
export function encodeValue(key: string, value: JsonValue): string {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined)
    throw new TypeError(`store value for ${JSON.stringify(key)} is not JSON (${typeof value})`);
  return text;
}

export function decodeValue<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Validates every op before any is applied, so a bad op cannot leave a batch half done. */
export function encodeOps(ops: readonly WriteOp[]): EncodedOp[] {
  return ops.map(({ key, value }) => {
    checkKey(key);
    return { key, text: value === undefined ? undefined : encodeValue(key, value) };
  });
}

/** UTF-8 byte order, the order both backends list in. */
export const compareKeys = (a: string, b: string): number =>
  a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A namespace name is also a directory name under `blobs/`: keep it to one plain path segment. */
export function checkNamespaceName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new TypeError(
      `store namespace ${JSON.stringify(name)} must be 1-100 of [A-Za-z0-9._-], starting alphanumeric`,
    );
  }
}
