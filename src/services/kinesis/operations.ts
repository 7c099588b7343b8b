/**
 * The Kinesis Data Streams operations (Kinesis_20131202.*): request members → state → response
 * members. Wire-format neutral: protocol.ts decodes the body into a Params and encodes the result.
 */
import { AwsError } from '../types.ts';
import { decodeIterator, decodeToken, encodeIterator, encodeToken } from './iterator.ts';
import {
  ITERATOR_LIFETIME_MS,
  MAX_GET_RECORDS_LIMIT,
  ON_DEMAND_SHARD_COUNT,
  type PutEntry,
  type StartingPositionType,
  type Stream,
  type StreamMode,
} from './state.ts';
import { metaOperations } from './operations-meta.ts';
import {
  MAX_PUT_RECORDS_BYTES,
  MAX_PUT_RECORDS_ENTRIES,
  ITERATOR_TYPES,
  readEntry,
  SEQUENCE_NUMBER,
  SHARD_ID,
  shardJson,
  modeJson,
  STREAM_NAME,
  streamOf,
  tokenString,
  TOKEN_LIFETIME_MS,
  type Operation,
  type OperationContext,
} from './members.ts';

export type { Operation, OperationContext } from './members.ts';

/** The entry with the request's caller, which the state keeps with the record. */
function withCaller(entry: PutEntry, c: OperationContext): PutEntry {
  return c.caller ? { ...entry, caller: c.caller } : entry;
}

export const operations: Record<string, Operation> = {
  async CreateStream(p, c) {
    const name = p.str('StreamName', { required: true, ...STREAM_NAME });
    const explicitMode = p
      .obj('StreamModeDetails')
      ?.str('StreamMode', { required: true, oneOf: ['PROVISIONED', 'ON_DEMAND'] });
    const shardCount = p.int('ShardCount', { min: 1, max: 100_000 });
    const mode: StreamMode =
      (explicitMode as StreamMode | undefined) ?? (shardCount === undefined ? 'ON_DEMAND' : 'PROVISIONED');
    if (mode === 'PROVISIONED' && shardCount === undefined)
      throw new AwsError(
        'InvalidArgumentException',
        'ShardCount must be specified for a stream in PROVISIONED mode.',
      );
    const shards = mode === 'ON_DEMAND' ? ON_DEMAND_SHARD_COUNT : shardCount!;
    await c.state.createStream(name, shards, mode, p.strMap('Tags'));
    return {};
  },

  async DeleteStream(p, c) {
    await c.state.deleteStream(streamOf(p, c).arn, p.bool('EnforceConsumerDeletion') ?? false);
    return {};
  },

  DescribeStream(p, c) {
    const s = streamOf(p, c);
    const limit = p.int('Limit', { min: 1, max: 10_000 }) ?? 100;
    const startId = p.str('ExclusiveStartShardId', SHARD_ID);
    const from = startId === undefined ? 0 : s.shards.findIndex((x) => x.shardId > startId);
    const page = from < 0 ? [] : s.shards.slice(from, from + limit);
    return {
      StreamDescription: {
        StreamName: s.meta.name,
        StreamARN: s.arn,
        StreamStatus: 'ACTIVE',
        StreamModeDetails: modeJson(s),
        Shards: page.map(shardJson),
        HasMoreShards: from >= 0 && from + limit < s.shards.length,
        RetentionPeriodHours: s.meta.retentionHours,
        StreamCreationTimestamp: new Date(s.meta.createdMs),
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'NONE',
      },
    };
  },

  DescribeStreamSummary(p, c) {
    const s = streamOf(p, c);
    return {
      StreamDescriptionSummary: {
        StreamName: s.meta.name,
        StreamARN: s.arn,
        StreamStatus: 'ACTIVE',
        StreamModeDetails: modeJson(s),
        RetentionPeriodHours: s.meta.retentionHours,
        StreamCreationTimestamp: new Date(s.meta.createdMs),
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'NONE',
        OpenShardCount: s.shards.length,
        ConsumerCount: s.meta.consumers.length,
      },
    };
  },

  ListStreams(p, c) {
    const limit = p.int('Limit', { min: 1, max: 10_000 }) ?? 100;
    const token = p.str('NextToken', { min: 1, max: 1048576 });
    const start =
      token !== undefined
        ? tokenString(decodeToken(token).after)
        : (p.str('ExclusiveStartStreamName', STREAM_NAME) ?? '');
    const all = c.state.list().filter((s) => s.meta.name > start);
    const page = all.slice(0, limit);
    const more = all.length > limit;
    return {
      StreamNames: page.map((s) => s.meta.name),
      HasMoreStreams: more,
      ...(more ? { NextToken: encodeToken({ after: page.at(-1)!.meta.name }) } : {}),
      StreamSummaries: page.map((s) => ({
        StreamName: s.meta.name,
        StreamARN: s.arn,
        StreamStatus: 'ACTIVE',
        StreamModeDetails: modeJson(s),
        StreamCreationTimestamp: new Date(s.meta.createdMs),
      })),
    };
  },

  ListShards(p, c) {
    const limit = p.int('MaxResults', { min: 1, max: 10_000 }) ?? 1000;
    const token = p.str('NextToken', { min: 1, max: 1048576 });
    let stream: Stream;
    let after = p.str('ExclusiveStartShardId', SHARD_ID);
    if (token !== undefined) {
      if (p.has('StreamName') || p.has('ExclusiveStartShardId') || p.has('ShardFilter'))
        throw new AwsError(
          'InvalidArgumentException',
          'NextToken and StreamName/ExclusiveStartShardId/ShardFilter cannot be provided together.',
        );
      const t = decodeToken(token);
      if (typeof t.issued !== 'number' || c.now() - t.issued > TOKEN_LIFETIME_MS)
        throw new AwsError('ExpiredNextTokenException', 'The NextToken has expired.');
      stream = c.state.get(String(t.stream));
      if (stream.meta.createdMs !== t.created) throw c.state.notFound(stream.meta.name);
      after = tokenString(t.after);
    } else stream = streamOf(p, c);
    const filter = p.obj('ShardFilter');
    if (filter) {
      const type = filter.str('Type', {
        required: true,
        oneOf: [
          'AFTER_SHARD_ID',
          'AT_TRIM_HORIZON',
          'FROM_TRIM_HORIZON',
          'AT_LATEST',
          'AT_TIMESTAMP',
          'FROM_TIMESTAMP',
        ],
      });
      const shardId = filter.str('ShardId', SHARD_ID);
      if (type === 'AFTER_SHARD_ID') {
        if (shardId === undefined)
          throw new AwsError(
            'InvalidArgumentException',
            'ShardId must be specified for ShardFilter type AFTER_SHARD_ID.',
          );
        after = after !== undefined && after > shardId ? after : shardId;
      } else if (type.endsWith('TIMESTAMP') && !filter.has('Timestamp'))
        throw new AwsError(
          'InvalidArgumentException',
          `Timestamp must be specified for ShardFilter type ${type}.`,
        );
      // Every shard is open and was never resharded, so the other filters select all shards.
    }
    const rest = stream.shards.filter((s) => after === undefined || s.shardId > after);
    const page = rest.slice(0, limit);
    return {
      Shards: page.map(shardJson),
      ...(rest.length > limit
        ? {
            NextToken: encodeToken({
              stream: stream.meta.name,
              created: stream.meta.createdMs,
              after: page.at(-1)!.shardId,
              issued: c.now(),
            }),
          }
        : {}),
    };
  },

  async PutRecord(p, c) {
    const s = streamOf(p, c);
    const entry = withCaller(readEntry(p), c);
    const ordering = p.str('SequenceNumberForOrdering', SEQUENCE_NUMBER);
    void ordering; // Sequence numbers are already strictly increasing per shard here.
    const [result] = await c.state.putRecords(s.arn, [entry]);
    if (!result?.ok)
      throw new AwsError('InternalFailure', result?.errorMessage ?? 'Internal service failure.', 500);
    c.recordsPut(s, [result.shardId], 1, c.caller);
    return { ShardId: result.shardId, SequenceNumber: result.sequenceNumber, EncryptionType: 'NONE' };
  },

  async PutRecords(p, c) {
    const s = streamOf(p, c);
    const entries = p
      .list('Records', { required: true, min: 1, max: MAX_PUT_RECORDS_ENTRIES })
      .map((e) => withCaller(readEntry(e), c));
    const bytes = entries.reduce((n, e) => n + e.data.length + Buffer.byteLength(e.partitionKey), 0);
    if (bytes > MAX_PUT_RECORDS_BYTES)
      throw new AwsError('InvalidArgumentException', `Records size exceeds 5 MB limit (${bytes} bytes).`);
    const results = await c.state.putRecords(s.arn, entries);
    const shardIds = [...new Set(results.flatMap((r) => (r.ok ? [r.shardId] : [])))];
    const failed = results.filter((r) => !r.ok).length;
    if (failed < results.length) c.recordsPut(s, shardIds, results.length - failed, c.caller);
    return {
      FailedRecordCount: failed,
      Records: results.map((r) =>
        r.ok
          ? { ShardId: r.shardId, SequenceNumber: r.sequenceNumber }
          : { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage },
      ),
      EncryptionType: 'NONE',
    };
  },

  GetShardIterator(p, c) {
    const s = streamOf(p, c);
    const shardId = p.str('ShardId', { required: true, ...SHARD_ID });
    const type = p.str('ShardIteratorType', {
      required: true,
      oneOf: ITERATOR_TYPES,
    }) as StartingPositionType;
    const sequenceNumber = p.str('StartingSequenceNumber', SEQUENCE_NUMBER);
    const timestamp = p.time('Timestamp');
    const shard = c.state.shard(s, shardId);
    const after = c.state.startAfter(s, shard, { type, sequenceNumber, timestamp });
    return {
      ShardIterator: encodeIterator({
        stream: s.meta.name,
        streamCreatedMs: s.meta.createdMs,
        shardIndex: shard.index,
        after,
        issuedMs: c.now(),
      }),
    };
  },

  GetRecords(p, c) {
    const token = p.str('ShardIterator', { required: true, min: 1, max: 512 });
    const limit = p.int('Limit', { min: 1, max: MAX_GET_RECORDS_LIMIT }) ?? MAX_GET_RECORDS_LIMIT;
    const it = decodeIterator(token);
    const now = c.now();
    if (now - it.issuedMs > ITERATOR_LIFETIME_MS)
      throw new AwsError(
        'ExpiredIteratorException',
        `Iterator expired. The iterator was created at time ${new Date(it.issuedMs).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
      );
    const stream = c.state.find(it.stream);
    if (!stream || stream.meta.createdMs !== it.streamCreatedMs) throw c.state.notFound(it.stream);
    const shard = stream.shards[it.shardIndex];
    if (!shard) throw new AwsError('InvalidArgumentException', 'Invalid ShardIterator.');
    const r = c.state.read(stream, shard, it.after, limit);
    return {
      Records: r.records.map((rec) => ({
        SequenceNumber: rec.sequenceNumber,
        ApproximateArrivalTimestamp: new Date(Math.round(rec.approximateArrivalTimestamp * 1000)),
        Data: rec.data,
        PartitionKey: rec.partitionKey,
      })),
      NextShardIterator: encodeIterator({ ...it, after: r.nextAfter, issuedMs: now }),
      MillisBehindLatest: r.millisBehindLatest,
    };
  },

  ...metaOperations,
};
