/**
 * What the Kinesis operations share: AWS's member constraints and limits, resolving the stream a
 * request names, and the response shapes used by several operations.
 */
import { AwsError, type Caller } from '../types.ts';
import type { Params } from './params.ts';
import {
  MAX_RETENTION_HOURS,
  DEFAULT_RETENTION_HOURS,
  type KinesisState,
  type PutEntry,
  type StartingPositionType,
  type Stream,
} from './state.ts';
import type { Shard } from './shard.ts';

/** The largest record: 1 MiB of data (before base64). */
export const MAX_RECORD_DATA_BYTES = 1024 * 1024;
export const MAX_PUT_RECORDS_ENTRIES = 500;
/** A PutRecords request carries at most 5 MiB of records (data + partition keys). */
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
export const TOKEN_LIFETIME_MS = 300_000;

export const STREAM_NAME = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, patternText: '[a-zA-Z0-9_.-]+' };
export const STREAM_ARN = {
  min: 1,
  max: 2048,
  pattern: /^arn:aws.*:kinesis:.*:\d{12}:stream\/\S+$/,
  patternText: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
};
export const SHARD_ID = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, patternText: '[a-zA-Z0-9_.-]+' };
export const CONSUMER_NAME = {
  min: 1,
  max: 128,
  pattern: /^[a-zA-Z0-9_.-]+$/,
  patternText: '[a-zA-Z0-9_.-]+',
};
export const SEQUENCE_NUMBER = { pattern: /^(0|[1-9]\d{0,128})$/, patternText: '0|([1-9]\\d{0,128})' };
export const ITERATOR_TYPES: readonly StartingPositionType[] = [
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

export const tokenString = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The stream a request names by StreamName or StreamARN. */
export function streamOf(p: Params, c: OperationContext): Stream {
  const name = p.str('StreamName', STREAM_NAME);
  const arn = p.str('StreamARN', STREAM_ARN);
  if (name === undefined && arn === undefined)
    throw new AwsError('InvalidArgumentException', 'Either StreamName or StreamARN must be provided.');
  if (name !== undefined && arn !== undefined && c.state.arnOf(name) !== arn)
    throw new AwsError('InvalidArgumentException', `StreamARN ${arn} does not match StreamName ${name}.`);
  return c.state.get(arn ?? name!);
}

export const shardJson = (s: Shard) => ({
  ShardId: s.shardId,
  HashKeyRange: {
    StartingHashKey: s.range.startingHashKey.toString(),
    EndingHashKey: s.range.endingHashKey.toString(),
  },
  SequenceNumberRange: { StartingSequenceNumber: s.startingSequenceNumber },
});

export const modeJson = (s: Stream) => ({ StreamMode: s.meta.mode });

export function consumerJson(s: Stream, consumer: Stream['meta']['consumers'][number]) {
  return {
    ConsumerName: consumer.name,
    ConsumerARN: consumer.arn,
    ConsumerStatus: 'ACTIVE',
    ConsumerCreationTimestamp: new Date(consumer.createdMs),
    StreamARN: s.arn,
  };
}

export function checkRetention(p: Params): number {
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

export function readEntry(p: Params): PutEntry {
  const entry: PutEntry = {
    data: p.blob('Data', { required: true, max: MAX_RECORD_DATA_BYTES }),
    partitionKey: p.str('PartitionKey', { required: true, min: 1, max: 256 }),
  };
  const ehk = p.str('ExplicitHashKey', { pattern: /^(0|[1-9]\d{0,38})$/, patternText: '0|([1-9]\\d{0,38})' });
  if (ehk !== undefined) entry.explicitHashKey = ehk;
  return entry;
}

export function consumerOf(p: Params, c: OperationContext): { stream: Stream; index: number } {
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
