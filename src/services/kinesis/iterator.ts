/**
 * Shard iterators and pagination tokens: opaque base64 strings to the client. An iterator names
 * the stream incarnation (name + creation time), the shard, the counter the next read starts
 * after, and when it was issued: it expires ITERATOR_LIFETIME_MS later (ExpiredIteratorException).
 */
import { AwsError } from '../types.ts';

export interface IteratorState {
  stream: string;
  streamCreatedMs: number;
  shardIndex: number;
  after: number;
  issuedMs: number;
}

const MAGIC = 'slipway-kinesis-iterator-1';

export function encodeIterator(s: IteratorState): string {
  const json = JSON.stringify([MAGIC, s.stream, s.streamCreatedMs, s.shardIndex, s.after, s.issuedMs]);
  return Buffer.from(json, 'utf8').toString('base64');
}

export function decodeIterator(token: string): IteratorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 6 ||
    parsed[0] !== MAGIC ||
    typeof parsed[1] !== 'string' ||
    !parsed.slice(2).every((n) => Number.isSafeInteger(n))
  )
    throw new AwsError('InvalidArgumentException', `Invalid ShardIterator.`);
  const [, stream, streamCreatedMs, shardIndex, after, issuedMs] = parsed as [
    string,
    string,
    number,
    number,
    number,
    number,
  ];
  return { stream, streamCreatedMs, shardIndex, after, issuedMs };
}

/** A pagination token: any JSON payload plus its issue time, base64 encoded. */
export function encodeToken(payload: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
}

export function decodeToken(token: string, name = 'NextToken'): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError('InvalidArgumentException', `Invalid ${name}: ${token.slice(0, 64)}`);
}
