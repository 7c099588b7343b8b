/**
 * Kinesis's partition-key hashing: a record's partition key is MD5-hashed to a 128-bit unsigned
 * integer (or the caller gives that integer as ExplicitHashKey), and the shard whose HashKeyRange
 * contains it receives the record. A stream of N shards splits [0, 2^128 - 1] as AWS does: shard i
 * starts at i * floor(2^128 / N), and the last shard ends at 2^128 - 1.
 */
import { createHash } from 'node:crypto';

export const HASH_KEY_SPACE = 1n << 128n;
export const MAX_HASH_KEY = HASH_KEY_SPACE - 1n;

export interface HashKeyRange {
  startingHashKey: bigint;
  endingHashKey: bigint;
}

/** The 128-bit hash key of a partition key (MD5 of its UTF-8 bytes, big-endian). */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex'));
}

/** The hash key ranges of a freshly created stream of `shardCount` shards. */
export function hashKeyRanges(shardCount: number): HashKeyRange[] {
  const n = BigInt(shardCount);
  const width = HASH_KEY_SPACE / n;
  const ranges: HashKeyRange[] = [];
  for (let i = 0n; i < n; i++) {
    ranges.push({
      startingHashKey: i * width,
      endingHashKey: i === n - 1n ? MAX_HASH_KEY : (i + 1n) * width - 1n,
    });
  }
  return ranges;
}

/** Index of the range that contains `hashKey` (ranges sorted, contiguous, covering the key space). */
export function shardIndexForHash(ranges: readonly HashKeyRange[], hashKey: bigint): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ranges[mid]!.startingHashKey <= hashKey) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Parses an ExplicitHashKey (a decimal string in [0, 2^128 - 1]); undefined when malformed. */
export function parseExplicitHashKey(value: string): bigint | undefined {
  if (!/^(0|[1-9]\d{0,38})$/.test(value)) return undefined;
  const key = BigInt(value);
  return key <= MAX_HASH_KEY ? key : undefined;
}
