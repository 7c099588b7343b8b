/**
 * The Kinesis Data Streams operations (Kinesis_20131202.*): request members → state → response
 * members. Wire-format neutral: protocol.ts decodes the body into a Params and encodes the result.
 */
import { AwsError, type Caller } from '../types.ts';
import { decodeIterator, decodeToken, encodeIterator, encodeToken } from './iterator.ts';
import type { Params } from './params.ts';
import {
  ITERATOR_LIFETIME_MS,
  MAX_CONSUMERS_PER_STREAM,
  MAX_GET_RECORDS_LIMIT,
  MAX_RETENTION_HOURS,
  MAX_SHARDS_PER_ACCOUNT,
  MAX_TAGS_PER_STREAM,
  DEFAULT_RETENTION_HOURS,
  ON_DEMAND_SHARD_COUNT,
  type KinesisState,
  type PutEntry,
  type StartingPositionType,
  type Stream,
  type StreamMode,
} from './state.ts';
import type { Shard } from './shard.ts';

/** The largest record: 1 MiB of data (before base64). */
export const MAX_RECORD_DATA_BYTES = 1024 * 1024;
export const MAX_PUT_RECORDS_ENTRIES = 500;
/** A PutRecords request carries at most 5 MiB of records (data + partition keys). */
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
const TOKEN_LIFETIME_MS = 300_000;

const STREAM_NAME = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, patternText: '[a-zA-Z0-9_.-]+' };
const STREAM_ARN = {
  min: 1,
  max: 2048,
  pattern: /^arn:aws.*:kinesis:.*:\d{12}:stream\/\S+$/,
  patternText: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
};
const SHARD_ID = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, patternText: '[a-zA-Z0-9_.-]+' };
const CONSUMER_NAME = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, patternText: '[a-zA-Z0-9_.-]+' };
const SEQUENCE_NUMBER = { pattern: /^(0|[1-9]\d{0,128})$/, patternText: '0|([1-9]\\d{0,128})' };
const ITERATOR_TYPES: readonly StartingPositionType[] = [
  'AT_SEQUENCE_NUMBER',
  'AFTER_SEQUENCE_NUMBER',
  'TRIM_HORIZON',
  'LATEST',
  'AT_TIMESTAMP',
];

export interface OperationContext {
  state: KinesisState;
  now(): number;
  caller?: Caller;
  /** Called once records are durable. */
  recordsPut(stream: Stream, shardIds: string[], count: number, caller?: Caller): void;
}

export type Operation = (p: Params, c: OperationContext) => unknown;

const tokenString = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The stream a request names by StreamName or StreamARN. */
function streamOf(p: Params, c: OperationContext): Stream {
  const name = p.str('StreamName', STREAM_NAME);
  const arn = p.str('StreamARN', STREAM_ARN);
  if (name === undefined && arn === undefined)
    throw new AwsError('InvalidArgumentException', 'Either StreamName or StreamARN must be provided.');
  if (name !== undefined && arn !== undefined && c.state.arnOf(name) !== arn)
    throw new AwsError('InvalidArgumentException', `StreamARN ${arn} does not match StreamName ${name}.`);
  return c.state.get(arn ?? name!);
}

const shardJson = (s: Shard) => ({
  ShardId: s.shardId,
  HashKeyRange: {
    StartingHashKey: s.range.startingHashKey.toString(),
    EndingHashKey: s.range.endingHashKey.toString(),
  },
  SequenceNumberRange: { StartingSequenceNumber: s.startingSequenceNumber },
});

const modeJson = (s: Stream) => ({ StreamMode: s.meta.mode });

function consumerJson(s: Stream, consumer: Stream['meta']['consumers'][number]) {
  return {
    ConsumerName: consumer.name,
    ConsumerARN: consumer.arn,
    ConsumerStatus: 'ACTIVE',
    ConsumerCreationTimestamp: new Date(consumer.createdMs),
    StreamARN: s.arn,
  };
}

function checkRetention(p: Params): number {
  const hours = p.int('RetentionPeriodHours', { required: true, min: 1 })!;
  if (hours < DEFAULT_RETENTION_HOURS)
    throw new AwsError(
      'InvalidArgumentException',
      `Minimum allowed retention period is ${DEFAULT_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`,
    );
  if (hours > MAX_RETENTION_HOURS)
    throw new AwsError(
      'InvalidArgumentException',
      `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`,
    );
  return hours;
}

function readEntry(p: Params): PutEntry {
  const entry: PutEntry = {
    data: p.blob('Data', { required: true, max: MAX_RECORD_DATA_BYTES }),
    partitionKey: p.str('PartitionKey', { required: true, min: 1, max: 256 }),
  };
  const ehk = p.str('ExplicitHashKey', { pattern: /^(0|[1-9]\d{0,38})$/, patternText: '0|([1-9]\\d{0,38})' });
  if (ehk !== undefined) entry.explicitHashKey = ehk;
  return entry;
}

function consumerOf(p: Params, c: OperationContext): { stream: Stream; index: number } {
  const consumerArn = p.str('ConsumerARN', { min: 1, max: 2048 });
  const name = p.str('ConsumerName', CONSUMER_NAME);
  let stream: Stream | undefined;
  let consumerName = name;
  if (consumerArn !== undefined) {
    const m = /^(arn:.+:stream\/[^/]+)\/consumer\/([^:]+):\d+$/.exec(consumerArn);
    stream = m ? c.state.find(m[1]!) : undefined;
    consumerName = m?.[2];
  } else if (p.has('StreamARN') && name !== undefined) stream = c.state.find(p.str('StreamARN', STREAM_ARN)!);
  else
    throw new AwsError(
      'InvalidArgumentException',
      'Specify either ConsumerARN, or both StreamARN and ConsumerName.',
    );
  const index =
    stream?.meta.consumers.findIndex(
      (x) => x.name === consumerName && (!consumerArn || x.arn === consumerArn),
    ) ?? -1;
  if (!stream || index < 0)
    throw new AwsError(
      'ResourceNotFoundException',
      `Consumer ${consumerArn ?? consumerName ?? ''} not found.`,
    );
  return { stream, index };
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
    const entry = readEntry(p);
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
      .map(readEntry);
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

  async IncreaseStreamRetentionPeriod(p, c) {
    const s = streamOf(p, c);
    const hours = checkRetention(p);
    if (hours < s.meta.retentionHours)
      throw new AwsError(
        'InvalidArgumentException',
        `Requested retention period (${hours} hours) for stream ${s.meta.name} can not be shorter than existing retention period (${s.meta.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
      );
    await c.state.setRetention(s, hours);
    return {};
  },

  async DecreaseStreamRetentionPeriod(p, c) {
    const s = streamOf(p, c);
    const hours = checkRetention(p);
    if (hours > s.meta.retentionHours)
      throw new AwsError(
        'InvalidArgumentException',
        `Requested retention period (${hours} hours) for stream ${s.meta.name} can not be longer than existing retention period (${s.meta.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
      );
    await c.state.setRetention(s, hours);
    return {};
  },

  async AddTagsToStream(p, c) {
    const s = streamOf(p, c);
    const tags = p.strMap('Tags');
    const count = Object.keys(tags).length;
    if (count < 1 || count > 10)
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length between 1 and 10`,
      );
    const merged = { ...s.meta.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS_PER_STREAM)
      throw new AwsError(
        'InvalidArgumentException',
        `Failed to add tags to stream ${s.meta.name} under account ${s.arn.split(':')[4]!} because a given stream cannot have more than ${MAX_TAGS_PER_STREAM} tags.`,
      );
    s.meta.tags = merged;
    await c.state.saveMeta(s);
    return {};
  },

  async RemoveTagsFromStream(p, c) {
    const s = streamOf(p, c);
    for (const key of p.strList('TagKeys')) delete s.meta.tags[key];
    await c.state.saveMeta(s);
    return {};
  },

  ListTagsForStream(p, c) {
    const s = streamOf(p, c);
    const limit = p.int('Limit', { min: 1, max: 50 }) ?? 50;
    const start = p.str('ExclusiveStartTagKey', { min: 1, max: 128 });
    const keys = Object.keys(s.meta.tags)
      .sort()
      .filter((k) => start === undefined || k > start);
    return {
      Tags: keys.slice(0, limit).map((Key) => ({ Key, Value: s.meta.tags[Key] })),
      HasMoreTags: keys.length > limit,
    };
  },

  async RegisterStreamConsumer(p, c) {
    const s = c.state.get(p.str('StreamARN', { required: true, ...STREAM_ARN }));
    const name = p.str('ConsumerName', { required: true, ...CONSUMER_NAME });
    if (s.meta.consumers.some((x) => x.name === name))
      throw new AwsError(
        'ResourceInUseException',
        `Consumer ${name} under stream ${s.meta.name} already exists for account ${s.arn.split(':')[4]!}.`,
      );
    if (s.meta.consumers.length >= MAX_CONSUMERS_PER_STREAM)
      throw new AwsError(
        'LimitExceededException',
        `Consumer limit of ${MAX_CONSUMERS_PER_STREAM} for stream ${s.meta.name} reached.`,
      );
    const createdMs = c.now();
    const consumer = { name, arn: `${s.arn}/consumer/${name}:${Math.floor(createdMs / 1000)}`, createdMs };
    s.meta.consumers.push(consumer);
    await c.state.saveMeta(s);
    return { Consumer: consumerJson(s, consumer) };
  },

  ListStreamConsumers(p, c) {
    const s = c.state.get(p.str('StreamARN', { required: true, ...STREAM_ARN }));
    const limit = p.int('MaxResults', { min: 1, max: 10_000 }) ?? 100;
    const token = p.str('NextToken', { min: 1, max: 1048576 });
    const offset = token === undefined ? 0 : Number(decodeToken(token).offset);
    const page = s.meta.consumers.slice(offset, offset + limit);
    const more = offset + limit < s.meta.consumers.length;
    return {
      Consumers: page.map((x) => {
        const { StreamARN: _omit, ...summary } = consumerJson(s, x);
        return summary;
      }),
      ...(more ? { NextToken: encodeToken({ offset: offset + limit }) } : {}),
    };
  },

  DescribeStreamConsumer(p, c) {
    const { stream, index } = consumerOf(p, c);
    return { ConsumerDescription: consumerJson(stream, stream.meta.consumers[index]!) };
  },

  async DeregisterStreamConsumer(p, c) {
    const { stream, index } = consumerOf(p, c);
    stream.meta.consumers.splice(index, 1);
    await c.state.saveMeta(stream);
    return {};
  },

  DescribeLimits(_p, c) {
    const streams = c.state.list();
    return {
      ShardLimit: MAX_SHARDS_PER_ACCOUNT,
      OpenShardCount: c.state.openShardCount(),
      OnDemandStreamCount: streams.filter((s) => s.meta.mode === 'ON_DEMAND').length,
      OnDemandStreamCountLimit: 50,
    };
  },
};
