/**
 * Kinesis Data Streams state, plain TypeScript (STYLE.md habit 2): streams, shards, records,
 * iterators, tags and consumers. Durable in the Store namespace `kinesis`; records are also held
 * in process per shard so reads are a binary search. Retention is enforced lazily (on put and
 * read). Throughput limits (1 MiB/s or 1000 records/s per shard in, 2 MiB/s and 5 reads/s out)
 * are NOT enforced locally: ProvisionedThroughputExceededException is never returned.
 *
 * Store keys: `s/<stream>` stream metadata · `c/<stream>/<shard#>` last counter handed out ·
 * `r/<stream>/<shard#>/<counter>` one record (with its caller, when known).
 */
import { AwsError, type Caller, type ServiceContext } from '../types.ts';
import type { JsonValue, Namespace } from '../../store/types.ts';
import { hashKeyRanges, partitionKeyHash, parseExplicitHashKey, shardIndexForHash } from './hash.ts';
import { parseSequenceNumber } from './sequence.ts';
import { Shard, type KinesisRecord, type ShardRecord } from './shard.ts';

export const DEFAULT_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;
export const ON_DEMAND_SHARD_COUNT = 4;
/** AWS's default shard quota per account in us-east-1, us-west-2 and eu-west-1. */
export const MAX_SHARDS_PER_ACCOUNT = 500;
export const MAX_TAGS_PER_STREAM = 50;
export const MAX_CONSUMERS_PER_STREAM = 20;
export const ITERATOR_LIFETIME_MS = 5 * 60 * 1000;
export const MAX_GET_RECORDS_LIMIT = 10_000;

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';
export type StartingPositionType =
  'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP';

export interface StartingPosition {
  type: StartingPositionType;
  sequenceNumber?: string;
  /** Epoch ms. */
  timestamp?: number;
}

export interface Consumer {
  name: string;
  arn: string;
  createdMs: number;
}

interface StreamMeta {
  name: string;
  createdMs: number;
  mode: StreamMode;
  shardCount: number;
  retentionHours: number;
  tags: Record<string, string>;
  consumers: Consumer[];
}

export interface Stream {
  readonly meta: StreamMeta;
  readonly arn: string;
  readonly shards: Shard[];
  deleted: boolean;
}

export interface PutEntry {
  partitionKey: string;
  data: Buffer;
  explicitHashKey?: string;
  /** Who put it (kept with the record, for chains and loop detection). */
  caller?: Caller;
}

export type PutResult =
  | { ok: true; shardId: string; sequenceNumber: string }
  | { ok: false; errorCode: string; errorMessage: string };

interface StoredRecord {
  k: string;
  d: string;
  t: number;
  h?: string;
  /** The caller, when the record was put by a known caller. */
  c?: Caller;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const recordKey = (stream: string, shard: number, counter: number): string =>
  `r/${stream}/${pad(shard, 6)}/${pad(counter, 16)}`;
const counterKey = (stream: string, shard: number): string => `c/${stream}/${pad(shard, 6)}`;

export class KinesisState {
  private readonly streams = new Map<string, Stream>();
  private readonly listeners = new Map<string, Set<(shardId: string) => void>>();

  constructor(
    private readonly ctx: Pick<ServiceContext, 'region' | 'accountId' | 'clock' | 'log'>,
    private readonly ns: Namespace,
  ) {
    this.load();
  }

  private load(): void {
    for (const { value: meta } of this.ns.list<StreamMeta>('s/')) {
      const stream = this.makeStream(meta);
      for (const shard of stream.shards) {
        const prefix = `r/${meta.name}/${pad(shard.index, 6)}/`;
        const records = this.ns.list<StoredRecord>(prefix).map(({ key, value }): ShardRecord => ({
          counter: Number(key.slice(prefix.length)),
          partitionKey: value.k,
          data: Buffer.from(value.d, 'base64'),
          arrivalMs: value.t,
          ...(value.h === undefined ? {} : { explicitHashKey: value.h }),
          ...(value.c === undefined ? {} : { caller: value.c }),
        }));
        shard.load(records, this.ns.get<number>(counterKey(meta.name, shard.index)) ?? 0);
      }
      this.streams.set(meta.name, stream);
    }
  }

  private makeStream(meta: StreamMeta): Stream {
    const shards = hashKeyRanges(meta.shardCount).map((range, i) => new Shard(i, range, meta.createdMs));
    return { meta, arn: this.arnOf(meta.name), shards, deleted: false };
  }

  arnOf(name: string): string {
    return `arn:aws:kinesis:${this.ctx.region}:${this.ctx.accountId}:stream/${name}`;
  }

  notFound(name: string): AwsError {
    return new AwsError(
      'ResourceNotFoundException',
      `Stream ${name} under account ${this.ctx.accountId} not found.`,
    );
  }

  /** The stream named by a name or an ARN (of this account and region), if it exists. */
  find(nameOrArn: string): Stream | undefined {
    const m = /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/(.+)$/.exec(nameOrArn);
    const stream = this.streams.get(m ? m[1]! : nameOrArn);
    return stream && (!m || stream.arn === nameOrArn) ? stream : undefined;
  }

  get(nameOrArn: string): Stream {
    const stream = this.find(nameOrArn);
    if (!stream) throw this.notFound(/stream\/(.+)$/.exec(nameOrArn)?.[1] ?? nameOrArn);
    return stream;
  }

  list(): Stream[] {
    return [...this.streams.values()].sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1));
  }

  openShardCount(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.shards.length;
    return n;
  }

  async createStream(
    name: string,
    shardCount: number,
    mode: StreamMode,
    tags: Record<string, string> = {},
  ): Promise<Stream> {
    if (this.streams.has(name))
      throw new AwsError(
        'ResourceInUseException',
        `Stream ${name} under account ${this.ctx.accountId} already exists.`,
      );
    if (this.openShardCount() + shardCount > MAX_SHARDS_PER_ACCOUNT)
      throw new AwsError(
        'LimitExceededException',
        `This request would exceed the shard limit for the account ${this.ctx.accountId} in ${this.ctx.region}. ` +
          `Current shard count for the account: ${this.openShardCount()}. Limit: ${MAX_SHARDS_PER_ACCOUNT}. ` +
          `Number of additional shards that would have resulted from this request: ${shardCount}.`,
      );
    const meta: StreamMeta = {
      name,
      createdMs: this.ctx.clock.now(),
      mode,
      shardCount,
      retentionHours: DEFAULT_RETENTION_HOURS,
      tags: { ...tags },
      consumers: [],
    };
    const stream = this.makeStream(meta);
    this.streams.set(name, stream);
    await this.saveMeta(stream);
    return stream;
  }

  async deleteStream(nameOrArn: string, enforceConsumerDeletion: boolean): Promise<void> {
    const stream = this.get(nameOrArn);
    if (stream.meta.consumers.length > 0 && !enforceConsumerDeletion)
      throw new AwsError(
        'ResourceInUseException',
        `Stream ${stream.meta.name} under account ${this.ctx.accountId} has registered consumers. ` +
          'Deregister them or call DeleteStream with EnforceConsumerDeletion.',
      );
    stream.deleted = true;
    this.streams.delete(stream.meta.name);
    const ops: Array<{ key: string; value: undefined }> = [
      { key: `s/${stream.meta.name}`, value: undefined },
    ];
    for (const shard of stream.shards) {
      ops.push({ key: counterKey(stream.meta.name, shard.index), value: undefined });
      for (const r of shard.records)
        ops.push({ key: recordKey(stream.meta.name, shard.index, r.counter), value: undefined });
    }
    await this.ns.batch(ops);
  }

  async saveMeta(stream: Stream): Promise<void> {
    await this.ns.put(`s/${stream.meta.name}`, stream.meta as unknown as JsonValue);
  }

  // ---- retention -------------------------------------------------------------------------------

  async setRetention(stream: Stream, hours: number): Promise<void> {
    stream.meta.retentionHours = hours;
    await this.saveMeta(stream);
    for (const shard of stream.shards) this.trim(stream, shard);
  }

  /** Drops expired records (lazily, when a shard is touched) and deletes them from the store. */
  private trim(stream: Stream, shard: Shard): void {
    const cutoff = this.ctx.clock.now() - stream.meta.retentionHours * 3_600_000;
    const expired = shard.trim(cutoff);
    if (expired.length === 0) return;
    const ops = expired.map((r) => ({
      key: recordKey(stream.meta.name, shard.index, r.counter),
      value: undefined,
    }));
    this.ns
      .batch(ops)
      .catch((err: unknown) => this.ctx.log(`kinesis: retention cleanup failed: ${String(err)}`));
  }

  // ---- writes ----------------------------------------------------------------------------------

  shardFor(stream: Stream, entry: PutEntry): Shard {
    let hash: bigint;
    if (entry.explicitHashKey !== undefined) {
      const parsed = parseExplicitHashKey(entry.explicitHashKey);
      if (parsed === undefined)
        throw new AwsError(
          'InvalidArgumentException',
          `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${entry.explicitHashKey}`,
        );
      hash = parsed;
    } else hash = partitionKeyHash(entry.partitionKey);
    return stream.shards[
      shardIndexForHash(
        stream.shards.map((s) => s.range),
        hash,
      )
    ]!;
  }

  /** Writes records durably (one atomic batch), then makes them visible and wakes listeners. */
  async putRecords(nameOrArn: string, entries: PutEntry[]): Promise<PutResult[]> {
    const stream = this.get(nameOrArn);
    const targets = entries.map((e) => this.shardFor(stream, e));
    const now = this.ctx.clock.now();
    const ops: Array<{ key: string; value: JsonValue }> = [];
    const begun: Array<{ shard: Shard; record: ShardRecord }> = [];
    const touched = new Set<Shard>();
    entries.forEach((entry, i) => {
      const shard = targets[i]!;
      if (!touched.has(shard)) this.trim(stream, shard);
      touched.add(shard);
      const record = shard.begin(entry.partitionKey, entry.data, now, entry.explicitHashKey, entry.caller);
      begun.push({ shard, record });
      const stored: StoredRecord = {
        k: record.partitionKey,
        d: record.data.toString('base64'),
        t: record.arrivalMs,
      };
      if (record.explicitHashKey !== undefined) stored.h = record.explicitHashKey;
      if (record.caller) stored.c = record.caller;
      ops.push({
        key: recordKey(stream.meta.name, shard.index, record.counter),
        value: stored as unknown as JsonValue,
      });
    });
    for (const shard of touched)
      ops.push({ key: counterKey(stream.meta.name, shard.index), value: shard.lastCounter });
    let ok = true;
    let failure = '';
    try {
      await this.ns.batch(ops);
    } catch (err) {
      ok = false;
      failure = String(err);
      this.ctx.log(`kinesis: writing records to ${stream.meta.name} failed: ${failure}`);
    }
    const woken = new Set<Shard>();
    for (const { shard, record } of begun) if (shard.settle(record.counter, ok)) woken.add(shard);
    if (stream.deleted && ok) await this.ns.batch(ops.map(({ key }) => ({ key, value: undefined })));
    else for (const shard of woken) this.notify(stream.arn, shard.shardId);
    return begun.map(({ shard, record }) =>
      ok
        ? { ok: true, shardId: shard.shardId, sequenceNumber: shard.sequenceNumber(record.counter) }
        : { ok: false, errorCode: 'InternalFailure', errorMessage: 'Internal service failure.' },
    );
  }

  // ---- reads -----------------------------------------------------------------------------------

  shard(stream: Stream, shardId: string): Shard {
    const shard = stream.shards.find((s) => s.shardId === shardId);
    if (!shard)
      throw new AwsError(
        'ResourceNotFoundException',
        `Shard ${shardId} in stream ${stream.meta.name} under account ${this.ctx.accountId} does not exist`,
      );
    return shard;
  }

  /** The counter a read from `position` starts after. */
  startAfter(stream: Stream, shard: Shard, position: StartingPosition): number {
    this.trim(stream, shard);
    switch (position.type) {
      case 'TRIM_HORIZON':
        return 0;
      case 'LATEST':
        return shard.tipCounter;
      case 'AT_TIMESTAMP':
        if (position.timestamp === undefined || !Number.isFinite(position.timestamp))
          throw new AwsError(
            'InvalidArgumentException',
            'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.',
          );
        return shard.counterBeforeTimestamp(position.timestamp);
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER': {
        const seq = position.sequenceNumber;
        if (seq === undefined)
          throw new AwsError(
            'InvalidArgumentException',
            `Must specify StartingSequenceNumber for iterator of type ${position.type}.`,
          );
        const parts = parseSequenceNumber(seq);
        if (!parts || parts.streamCreatedMs !== stream.meta.createdMs || parts.shardIndex !== shard.index)
          throw new AwsError(
            'InvalidArgumentException',
            `Invalid StartingSequenceNumber. It encodes a position outside shard ${shard.shardId} of stream ${stream.meta.name}: ${seq}`,
          );
        if (parts.counter > shard.lastCounter)
          throw new AwsError(
            'InvalidArgumentException',
            `StartingSequenceNumber ${seq} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.meta.name} under account ${this.ctx.accountId} is invalid because it did not come from this stream.`,
          );
        return position.type === 'AT_SEQUENCE_NUMBER' ? parts.counter - 1 : parts.counter;
      }
    }
  }

  read(
    stream: Stream,
    shard: Shard,
    after: number,
    limit: number,
  ): { records: KinesisRecord[]; nextAfter: number; millisBehindLatest: number } {
    this.trim(stream, shard);
    const r = shard.read(after, limit, this.ctx.clock.now());
    return { ...r, records: r.records.map((rec) => shard.toKinesisRecord(rec)) };
  }

  // ---- push ------------------------------------------------------------------------------------

  onRecords(streamArn: string, listener: (shardId: string) => void): () => void {
    let set = this.listeners.get(streamArn);
    if (!set) this.listeners.set(streamArn, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  private notify(streamArn: string, shardId: string): void {
    for (const listener of this.listeners.get(streamArn) ?? []) {
      try {
        listener(shardId);
      } catch (err) {
        this.ctx.log(`kinesis: a records listener failed: ${String(err)}`);
      }
    }
  }
}
