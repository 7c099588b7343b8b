/**
 * One shard's records, held in process (sorted by counter) in front of the durable Store copy.
 * A record becomes visible to readers only once it is durable AND every record before it on the
 * shard is durable or has failed, so a reader that moved past a position never misses a record.
 */
import type { Caller } from '../types.ts';
import type { HashKeyRange } from './hash.ts';
import { formatSequenceNumber, shardIdOf } from './sequence.ts';

/** A record as the internal API hands it out. */
export interface KinesisRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  /** Epoch seconds (with milliseconds as the fraction), as AWS's ApproximateArrivalTimestamp. */
  approximateArrivalTimestamp: number;
  encryptionType?: 'NONE' | 'KMS';
  /** Who put it (the invocation behind the PutRecord(s) call), when known. Not on the wire. */
  caller?: Caller;
}

export interface ShardRecord {
  counter: number;
  partitionKey: string;
  data: Buffer;
  /** Arrival, epoch ms (non-decreasing along the shard). */
  arrivalMs: number;
  explicitHashKey?: string;
  caller?: Caller;
}

/** A GetRecords response is at most 10 MiB of data (AWS's limit). */
export const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;

export class Shard {
  readonly shardId: string;
  readonly startingSequenceNumber: string;
  /** Visible records, sorted by counter. */
  readonly records: ShardRecord[] = [];
  /** Last counter handed out (visible or in flight). */
  lastCounter = 0;
  /** Every counter up to this one is settled (visible, failed or trimmed). */
  private settledCounter = 0;
  private lastArrivalMs = 0;
  private readonly inflight = new Map<number, { record: ShardRecord; outcome?: 'ok' | 'failed' }>();

  constructor(
    readonly index: number,
    readonly range: HashKeyRange,
    private readonly streamCreatedMs: number,
  ) {
    this.shardId = shardIdOf(index);
    this.startingSequenceNumber = this.sequenceNumber(0);
  }

  sequenceNumber(counter: number): string {
    return formatSequenceNumber({ streamCreatedMs: this.streamCreatedMs, shardIndex: this.index, counter });
  }

  /** Restores durable records at startup (sorted or not). */
  load(records: ShardRecord[], lastCounter: number): void {
    records.sort((a, b) => a.counter - b.counter);
    this.records.push(...records);
    const last = records.at(-1);
    this.lastCounter = Math.max(lastCounter, last?.counter ?? 0);
    this.settledCounter = this.lastCounter;
    this.lastArrivalMs = last?.arrivalMs ?? 0;
  }

  /** Hands out the next counter for a record about to be written. */
  begin(
    partitionKey: string,
    data: Buffer,
    nowMs: number,
    explicitHashKey?: string,
    caller?: Caller,
  ): ShardRecord {
    this.lastArrivalMs = Math.max(nowMs, this.lastArrivalMs);
    const record: ShardRecord = {
      counter: ++this.lastCounter,
      partitionKey,
      data,
      arrivalMs: this.lastArrivalMs,
    };
    if (explicitHashKey !== undefined) record.explicitHashKey = explicitHashKey;
    if (caller) record.caller = { ...caller };
    this.inflight.set(record.counter, { record });
    return record;
  }

  /** Settles a record begun with `begin`; returns whether anything became visible. */
  settle(counter: number, ok: boolean): boolean {
    const entry = this.inflight.get(counter);
    if (entry) entry.outcome = ok ? 'ok' : 'failed';
    let advanced = false;
    for (;;) {
      const next = this.inflight.get(this.settledCounter + 1);
      if (!next?.outcome) break;
      this.inflight.delete(this.settledCounter + 1);
      this.settledCounter++;
      if (next.outcome === 'ok') {
        this.records.push(next.record);
        advanced = true;
      }
    }
    return advanced;
  }

  /** The counter a LATEST iterator starts after. */
  get tipCounter(): number {
    return this.settledCounter;
  }

  /** Removes records that arrived before `cutoffMs`; returns them (their store keys must go). */
  trim(cutoffMs: number): ShardRecord[] {
    let n = 0;
    while (n < this.records.length && this.records[n]!.arrivalMs < cutoffMs) n++;
    return n === 0 ? [] : this.records.splice(0, n);
  }

  /** Position of the first visible record with counter > `after`. */
  indexAfter(after: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.counter <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The counter to start after so that the first record read arrived at or after `timestampMs`. */
  counterBeforeTimestamp(timestampMs: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.arrivalMs < timestampMs) lo = mid + 1;
      else hi = mid;
    }
    const first = this.records[lo];
    return first ? first.counter - 1 : this.settledCounter;
  }

  /**
   * Up to `limit` records after `after` (and at most MAX_GET_RECORDS_BYTES of data, at least one
   * record), the counter the next read starts after, and how far behind the tip the reader is.
   */
  read(
    after: number,
    limit: number,
    nowMs: number,
  ): { records: ShardRecord[]; nextAfter: number; millisBehindLatest: number } {
    const start = this.indexAfter(after);
    let end = start;
    let bytes = 0;
    while (end < this.records.length && end - start < limit) {
      const size = this.records[end]!.data.length;
      if (end > start && bytes + size > MAX_GET_RECORDS_BYTES) break;
      bytes += size;
      end++;
    }
    const records = this.records.slice(start, end);
    const next = this.records[end];
    return {
      records,
      nextAfter: records.at(-1)?.counter ?? Math.max(after, 0),
      millisBehindLatest: next ? Math.max(0, nowMs - next.arrivalMs) : 0,
    };
  }

  toKinesisRecord(r: ShardRecord): KinesisRecord {
    return {
      sequenceNumber: this.sequenceNumber(r.counter),
      partitionKey: r.partitionKey,
      data: r.data,
      approximateArrivalTimestamp: r.arrivalMs / 1000,
      ...(r.caller ? { caller: { ...r.caller } } : {}),
    };
  }
}
