/**
 * What the triggers layer needs from the services and the runtime, as small structural interfaces
 * (STYLE.md habit 1). Each port is shaped exactly like the internal API the service exports for
 * the triggers layer, so src/app passes the services in as they are. Nothing here imports a
 * service: a service never depends on triggers, and triggers never depend on a service's code.
 */
import type { FunctionModel } from '../project/model.ts';
import type { Caller } from '../services/types.ts';

/** One line for the user (the dev server prints it; tests collect it). */
export type Log = (line: string) => void;

/** Functions by logical id, name, ARN (qualified or not) or partial ARN. */
export interface FunctionLookup {
  functionByArnOrName(nameOrArn: string): FunctionModel | undefined;
}

// ---- S3 -------------------------------------------------------------------------------------

export interface S3FilterRule {
  /** `prefix` or `suffix`, in any case (S3 accepts `Prefix`). */
  Name: string;
  Value: string;
}

export interface S3NotificationFilter {
  Key?: { FilterRules?: S3FilterRule[] };
}

export interface S3LambdaFunctionConfiguration {
  Id?: string;
  LambdaFunctionArn: string;
  Events: string[];
  Filter?: S3NotificationFilter;
}

export interface S3QueueConfiguration {
  Id?: string;
  QueueArn: string;
  Events: string[];
  Filter?: S3NotificationFilter;
}

export interface S3TopicConfiguration {
  Id?: string;
  TopicArn: string;
  Events: string[];
  Filter?: S3NotificationFilter;
}

/** `GetBucketNotificationConfiguration`'s document, as the S3 service keeps it. */
export interface S3NotificationConfiguration {
  LambdaFunctionConfigurations?: S3LambdaFunctionConfiguration[];
  QueueConfigurations?: S3QueueConfiguration[];
  TopicConfigurations?: S3TopicConfiguration[];
  EventBridgeConfiguration?: Record<string, unknown>;
}

export interface S3Port {
  getBucketNotificationConfiguration(bucket: string): S3NotificationConfiguration | undefined;
}

// ---- SQS ------------------------------------------------------------------------------------

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export interface SqsSendOptions {
  messageAttributes?: Record<string, MessageAttributeValue>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  caller?: Caller;
}

export interface SqsPort {
  sendMessage(queueArn: string, body: string, options?: SqsSendOptions): Promise<{ messageId: string }>;
}

// ---- SNS ------------------------------------------------------------------------------------

export interface SnsPublishOptions {
  subject?: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
}

export interface SnsPort {
  publish(
    topicArn: string,
    message: string,
    options?: SnsPublishOptions,
    caller?: Caller,
  ): Promise<{ messageId: string }>;
}

// ---- EventBridge ----------------------------------------------------------------------------

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  /** JSON text. */
  Detail: string;
  Resources?: string[];
  /** Bus name or ARN; the default bus when absent. */
  EventBusName?: string;
  Time?: Date;
}

export interface EventBridgePort {
  putEvents(entries: PutEventsEntry[], caller?: Caller): Promise<unknown>;
}

/** Where invocation records, dead letters and notifications go. */
export interface DestinationSinks {
  sqs: SqsPort;
  sns: SnsPort;
  eventbridge: EventBridgePort;
}
