/**
 * What the event source mappings need from the outside: the SQS and Kinesis services' internal
 * APIs, the on-failure destinations, the mappings' configuration (kept by the Lambda API service)
 * and a place to keep Kinesis checkpoints. Each port is structural and shaped like the service's
 * own internal API, so src/app passes the services in as they are; nothing here imports a service.
 *
 * Results may be plain values or promises: the pollers await every port call.
 */
import type { Caller } from '../../services/types.ts';

type MaybePromise<T> = T | Promise<T>;

// ---- SQS ------------------------------------------------------------------------------------

/** A message attribute value. SQS's internal API spells the keys in lower camel case; the wire in upper. */
export type SqsMessageAttributeValue =
  | { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }
  | { dataType: string; stringValue?: string; binaryValue?: Uint8Array };

export interface SqsReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** System attributes as strings: ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, (FIFO) MessageGroupId, MessageDeduplicationId, SequenceNumber, AWSTraceHeader. */
  attributes: Record<string, string>;
  messageAttributes: Record<string, SqsMessageAttributeValue>;
  md5OfMessageAttributes?: string;
  /** Who sent it (the invocation behind the SendMessage call), when the service knows. */
  caller?: Caller;
}

export interface SqsReceiveOptions {
  /** 1-10. */
  maxNumberOfMessages: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
  /** Ends a long poll early. */
  signal?: AbortSignal;
}

export interface SqsPort {
  receiveMessages(queueArn: string, options: SqsReceiveOptions): Promise<SqsReceivedMessage[]>;
  deleteMessage(queueArn: string, receiptHandle: string): MaybePromise<unknown>;
  changeMessageVisibility(queueArn: string, receiptHandle: string, seconds: number): MaybePromise<unknown>;
  /** VisibilityTimeout, FifoQueue, RedrivePolicy, ... as strings. */
  getQueueAttributes(queueArn: string): MaybePromise<Record<string, string>>;
  /**
   * Push wake-up: the listener is called whenever a message may have become receivable (sent, a
   * delay elapsed, a visibility timeout expired, a visibility changed to 0). Returns the unsubscribe.
   */
  onMessageAvailable(queueArn: string, listener: () => void): () => void;
}

// ---- Kinesis --------------------------------------------------------------------------------

export type KinesisPositionType =
  'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP';

export interface KinesisPosition {
  type: KinesisPositionType;
  sequenceNumber?: string;
  /** Epoch ms (AT_TIMESTAMP). */
  timestamp?: number;
}

export interface KinesisStreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** Epoch seconds, with milliseconds as decimals. */
  approximateArrivalTimestamp: number;
  encryptionType?: string;
  /** Who put it (the invocation behind the PutRecord(s) call), when the service knows. */
  caller?: Caller;
}

export interface KinesisPort {
  listShards(streamArn: string): MaybePromise<Array<{ shardId: string; startingSequenceNumber?: string }>>;
  readRecords(
    streamArn: string,
    shardId: string,
    position: KinesisPosition,
    limit: number,
  ): MaybePromise<{ records: KinesisStreamRecord[]; millisBehindLatest: number }>;
  latestSequenceNumber(streamArn: string, shardId: string): MaybePromise<string | undefined>;
  /** Push wake-up: called with the shard that got new records (or a new shard). Returns the unsubscribe. */
  onRecords(streamArn: string, listener: (shardId: string) => void): () => void;
}

// ---- Destinations and checkpoints -----------------------------------------------------------

/** Sends an invocation record (JSON object) to an SQS queue or SNS topic ARN. */
export interface DestinationsPort {
  sendToDestination(arn: string, record: object): MaybePromise<unknown>;
}

/** Where Kinesis checkpoints survive a restart; keys are `<mapping UUID>/<shardId>`, values sequence numbers. */
export interface CheckpointsPort {
  get(key: string): MaybePromise<string | undefined>;
  put(key: string, sequenceNumber: string): MaybePromise<unknown>;
}

// ---- Mappings -------------------------------------------------------------------------------

/** An event source mapping, in the Lambda API's own words (CreateEventSourceMapping). */
export interface EventSourceMappingConfig {
  UUID: string;
  EventSourceArn: string;
  /** Name, ARN or partial ARN. */
  FunctionName: string;
  /** Default true. */
  Enabled?: boolean;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  StartingPosition?: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** Epoch seconds. */
  StartingPositionTimestamp?: number;
  FilterCriteria?: { Filters?: Array<{ Pattern?: string }> };
  FunctionResponseTypes?: string[];
  /** -1 = infinite. */
  MaximumRetryAttempts?: number;
  /** -1 = infinite. */
  MaximumRecordAgeInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  ParallelizationFactor?: number;
  DestinationConfig?: { OnFailure?: { Destination?: string } };
  ScalingConfig?: { MaximumConcurrency?: number };
  TumblingWindowInSeconds?: number;
}

/** What caused an invocation by an event source mapping (passed as the invoke's `cause`). */
export interface EventSourceMappingCause {
  kind: 'EventSourceMapping';
  eventSource: 'aws:sqs' | 'aws:kinesis';
  mappingUuid: string;
  eventSourceArn: string;
  functionName: string;
  /** The invocations that sent the records (de-duplicated); empty when none is known. */
  callers: Caller[];
  /** Message ids (SQS) or sequence numbers (Kinesis) in the batch. */
  itemIds: string[];
  shardId?: string;
}

/** `compilePattern` from src/shared/event-pattern.ts: an EventBridge-style pattern to a predicate. */
export type PatternCompiler = (pattern: unknown) => (event: unknown) => boolean;

export type Log = (line: string) => void;
