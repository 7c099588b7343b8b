/**
 * The events Lambda hands a function for SQS and Kinesis batches, key for key as AWS sends them
 * (test/fixtures/aws-events/sqs-event.json, kinesis-event.json), and the invocation record a
 * discarded Kinesis batch sends to its on-failure destination.
 */
import type { InvokeResult } from '../../runtime/types.ts';
import type { KinesisStreamRecord, SqsMessageAttributeValue, SqsReceivedMessage } from './ports.ts';

export interface SqsEventMessageAttribute {
  stringValue?: string;
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, SqsEventMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** The system attributes Lambda lists first, in its order; any others follow as SQS gave them. */
const SQS_ATTRIBUTE_ORDER = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
];

function orderedAttributes(attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of SQS_ATTRIBUTE_ORDER) if (attributes[k] !== undefined) out[k] = attributes[k];
  for (const [k, v] of Object.entries(attributes)) if (!(k in out)) out[k] = v;
  return out;
}

function eventAttribute(value: SqsMessageAttributeValue): SqsEventMessageAttribute {
  const upper = 'DataType' in value;
  const stringValue = upper ? value.StringValue : value.stringValue;
  const binaryValue = upper ? value.BinaryValue : value.binaryValue;
  // Lambda's key order; the list values are always empty (SQS never implemented lists).
  return {
    ...(stringValue !== undefined ? { stringValue } : {}),
    ...(binaryValue !== undefined ? { binaryValue: Buffer.from(binaryValue).toString('base64') } : {}),
    stringListValues: [],
    binaryListValues: [],
    dataType: upper ? value.DataType : value.dataType,
  };
}

export function sqsEventRecord(
  message: SqsReceivedMessage,
  queueArn: string,
  region: string,
): SqsEventRecord {
  const messageAttributes: Record<string, SqsEventMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.messageAttributes ?? {}))
    messageAttributes[name] = eventAttribute(value);
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: orderedAttributes(message.attributes ?? {}),
    messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: '1.0';
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
    encryptionType?: string;
  };
  eventSource: 'aws:kinesis';
  eventVersion: '1.0';
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export function kinesisEventRecord(
  record: KinesisStreamRecord,
  shardId: string,
  streamArn: string,
  region: string,
  invokeIdentityArn: string,
): KinesisEventRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data).toString('base64'),
      approximateArrivalTimestamp: record.approximateArrivalTimestamp,
      ...(record.encryptionType && record.encryptionType !== 'NONE'
        ? { encryptionType: record.encryptionType }
        : {}),
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn,
    awsRegion: region,
    eventSourceARN: streamArn,
  };
}

/** Why a Kinesis batch was discarded, in the words of the invocation record's `condition`. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface KinesisFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DiscardCondition;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

const isoFromSeconds = (s: number): string => new Date(Math.round(s * 1000)).toISOString();

export function kinesisFailureRecord(args: {
  records: KinesisStreamRecord[];
  shardId: string;
  streamArn: string;
  functionArn: string;
  condition: DiscardCondition;
  invokeCount: number;
  /** The last invocation's result, when the function was reached. */
  last?: InvokeResult;
  now: number;
}): KinesisFailureRecord {
  const first = args.records[0];
  const last = args.records[args.records.length - 1];
  if (!first || !last) throw new Error('a failure record needs at least one record');
  const r = args.last;
  return {
    requestContext: {
      requestId: r?.requestId ?? '',
      functionArn: args.functionArn,
      condition: args.condition,
      approximateInvokeCount: args.invokeCount,
    },
    responseContext: {
      statusCode: r?.statusCode ?? 0,
      executedVersion: r?.executedVersion ?? '$LATEST',
      ...(r?.functionError ? { functionError: r.functionError } : {}),
    },
    version: '1.0',
    timestamp: new Date(args.now).toISOString(),
    KinesisBatchInfo: {
      shardId: args.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: isoFromSeconds(first.approximateArrivalTimestamp),
      approximateArrivalOfLastRecord: isoFromSeconds(last.approximateArrivalTimestamp),
      batchSize: args.records.length,
      streamArn: args.streamArn,
    },
  };
}
