/** The shapes SQS state works with, shared by the state, the protocols and the internal API. */
import type { Caller } from '../types.ts';

/** A message attribute as SQS models it (`DataType` is String, Number or Binary, with an optional `.custom` suffix). */
export interface MessageAttributeValue {
  dataType: string;
  stringValue?: string;
  binaryValue?: Uint8Array;
}

/** What sendMessage accepts: SQS's camelCase shape or the SDK's PascalCase one (`{DataType, StringValue, BinaryValue}`). */
export type MessageAttributeInput =
  MessageAttributeValue | { DataType: string; StringValue?: string; BinaryValue?: Uint8Array };

export interface SendMessageOptions {
  messageAttributes?: Record<string, MessageAttributeInput>;
  /** Only `AWSTraceHeader` (a String) exists in SQS. */
  messageSystemAttributes?: Record<string, MessageAttributeInput>;
  delaySeconds?: number;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  caller?: Caller;
}

export interface SendMessageResult {
  messageId: string;
  sequenceNumber?: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
}

export interface ReceiveMessagesOptions {
  maxNumberOfMessages: number;
  visibilityTimeout?: number;
  /** Long polling: waits up to this long for a first message; the queue's ReceiveMessageWaitTimeSeconds when absent. */
  waitTimeSeconds?: number;
  caller?: Caller;
  /** Ends a long poll early (client gone, poller stopped): resolves with what is there (usually nothing). */
  signal?: AbortSignal;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** System attributes, all as strings: ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, (FIFO) MessageGroupId, MessageDeduplicationId, SequenceNumber, AWSTraceHeader, DeadLetterQueueSourceArn. */
  attributes: Record<string, string>;
  messageAttributes: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  /** Who sent it (the invocation behind the SendMessage call), when known. */
  caller?: Caller;
}

/** The names SQS defines for queue attributes (GetQueueAttributes / SetQueueAttributes / CreateQueue). */
export const QUEUE_ATTRIBUTE_NAMES = [
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
] as const;

export const MESSAGE_SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;
