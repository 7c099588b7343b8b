/**
 * Amazon Kinesis Data Streams, emulated: `createKinesisService(ctx)` registers the wire protocol
 * (awsJson1_1, signing name `kinesis`) and exposes the internal API the app and the triggers layer
 * (Kinesis event source mappings) use: create streams from the template, read shards, and get
 * woken when records become durable.
 *
 * Deliberate differences from AWS (documented): streams are ACTIVE at once (no CREATING/DELETING);
 * throughput limits are not enforced (no ProvisionedThroughputExceededException); no resharding
 * (UpdateShardCount, MergeShards, SplitShard), no server-side encryption, no SubscribeToShard
 * (consumers are recorded only); one region per instance (ctx.region).
 */
import { AwsError, type AwsService, type ServiceContext } from '../types.ts';
import { recordsPutEvent } from './events.ts';
import { handleKinesisRequest, TARGET_PREFIX } from './protocol.ts';
import type { KinesisRecord } from './shard.ts';
import { KinesisState, MAX_GET_RECORDS_LIMIT, type StartingPosition } from './state.ts';

export type { KinesisRecord } from './shard.ts';
export type { StartingPosition, StartingPositionType } from './state.ts';
export type { RecordsPutDetail } from './events.ts';
export { RECORDS_PUT } from './events.ts';

export const KINESIS_NAMESPACE = 'kinesis';

export interface KinesisShardInfo {
  shardId: string;
  startingSequenceNumber: string;
}

export interface KinesisReadResult {
  records: KinesisRecord[];
  millisBehindLatest: number;
}

export interface KinesisService extends AwsService {
  /** Creates the stream, or returns the existing one of that name (idempotent). */
  createStream(name: string, shardCount: number): Promise<{ streamArn: string }>;
  /** The ARN of a stream given by name or ARN; undefined when no such stream exists. */
  streamArn(nameOrArn: string): string | undefined;
  /** The stream's shards (throws ResourceNotFoundException when the stream does not exist). */
  listShards(streamArn: string): KinesisShardInfo[];
  /**
   * Up to `limit` (≤ 10000) records of one shard from `position`; `timestamp` is epoch ms. To
   * continue, read AFTER_SEQUENCE_NUMBER the last record's sequence number.
   */
  readRecords(
    streamArn: string,
    shardId: string,
    position: StartingPosition,
    limit: number,
  ): KinesisReadResult;
  /** The last durable record's sequence number, or the shard's starting sequence number when empty. */
  latestSequenceNumber(streamArn: string, shardId: string): string;
  /** Called with the shard id each time records on it become durable; returns the unsubscribe. */
  onRecords(streamArn: string, listener: (shardId: string) => void): () => void;
}

export function createKinesisService(ctx: ServiceContext): KinesisService {
  const state = new KinesisState(ctx, ctx.store.namespace(KINESIS_NAMESPACE));

  return {
    signingName: 'kinesis',
    targetPrefixes: [TARGET_PREFIX],

    handle(req, res) {
      return handleKinesisRequest(req, res, (r) => ({
        state,
        now: () => ctx.clock.now(),
        ...(r.caller ? { caller: r.caller } : {}),
        recordsPut(stream, shardIds, count, caller) {
          ctx.emit(recordsPutEvent(stream.arn, { shardIds, count }, ctx.clock.now(), caller));
        },
      }));
    },

    async createStream(name, shardCount) {
      const existing = state.find(name);
      if (existing) return { streamArn: existing.arn };
      const stream = await state.createStream(name, shardCount, 'PROVISIONED');
      ctx.log(`kinesis: stream ${name} created with ${shardCount} shard${shardCount === 1 ? '' : 's'}`);
      return { streamArn: stream.arn };
    },

    streamArn(nameOrArn) {
      return state.find(nameOrArn)?.arn;
    },

    listShards(streamArn) {
      return state
        .get(streamArn)
        .shards.map((s) => ({ shardId: s.shardId, startingSequenceNumber: s.startingSequenceNumber }));
    },

    readRecords(streamArn, shardId, position, limit) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_GET_RECORDS_LIMIT)
        throw new AwsError(
          'InvalidArgumentException',
          `limit must be an integer in [1, ${MAX_GET_RECORDS_LIMIT}], got ${limit}.`,
        );
      const stream = state.get(streamArn);
      const shard = state.shard(stream, shardId);
      const { records, millisBehindLatest } = state.read(
        stream,
        shard,
        state.startAfter(stream, shard, position),
        limit,
      );
      return { records, millisBehindLatest };
    },

    latestSequenceNumber(streamArn, shardId) {
      const stream = state.get(streamArn);
      const shard = state.shard(stream, shardId);
      const last = shard.records.at(-1);
      return last ? shard.sequenceNumber(last.counter) : shard.startingSequenceNumber;
    },

    onRecords(streamArn, listener) {
      return state.onRecords(state.find(streamArn)?.arn ?? streamArn, listener);
    },

    close() {
      return Promise.resolve();
    },
  };
}
