/**
 * Invocation records, destinations and dead-letter queues of asynchronous invocation
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
 */
import type { FunctionModel } from '../project/model.ts';
import type { InvokeResult } from '../runtime/types.ts';
import type { Caller } from '../services/types.ts';
import type { DestinationSinks, MessageAttributeValue } from './ports.ts';

export type RecordCondition =
  'Success' | 'RetriesExhausted' | 'EventAgeExceeded' | 'RecursiveInvocationDetected';

export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: RecordCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

/** Lambda keeps at most this much of the error message in a dead letter's ErrorMessage attribute. */
export const DLQ_ERROR_MESSAGE_MAX_BYTES = 1024;

/** The service an ARN names: `arn:aws:sqs:…` → `sqs`. */
export function arnService(arn: string): string | undefined {
  return /^arn:[^:]+:([^:]+):/.exec(arn)?.[1];
}

/** The last part of an ARN (`…:function:Name` → `Name`, `…:queue-name` → `queue-name`). */
export function arnResourceName(arn: string): string {
  const parts = arn.split(':');
  if (parts[2] === 'lambda') return parts[6] ?? arn;
  const last = parts[parts.length - 1] ?? arn;
  return last.includes('/') ? (last.split('/').pop() ?? last) : last;
}

/** The JSON value of a payload, or its text when it is not JSON (records carry either). */
export function payloadValue(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function invocationRecord(args: {
  fn: FunctionModel;
  requestId: string;
  condition: RecordCondition;
  invokeCount: number;
  payload: Buffer;
  result?: InvokeResult;
  now: number;
}): InvocationRecord {
  const record: InvocationRecord = {
    version: '1.0',
    timestamp: new Date(args.now).toISOString(),
    requestContext: {
      requestId: args.requestId,
      functionArn: `${args.fn.arn}:$LATEST`,
      condition: args.condition,
      approximateInvokeCount: args.invokeCount,
    },
    requestPayload: payloadValue(args.payload),
  };
  const r = args.result;
  if (r) {
    record.responseContext = {
      // The runtime answers 202 for an Event invoke; the record carries the function's own 200.
      statusCode: r.statusCode === 202 ? 200 : r.statusCode,
      executedVersion: r.executedVersion,
      ...(r.functionError ? { functionError: r.functionError } : {}),
    };
    record.responsePayload = payloadValue(r.payload);
  }
  return record;
}

/** Sends an invocation record to an SQS queue, SNS topic or EventBridge bus destination. */
export async function sendToDestination(
  sinks: DestinationSinks,
  destinationArn: string,
  record: InvocationRecord,
  caller: Caller | undefined,
): Promise<void> {
  const body = JSON.stringify(record);
  switch (arnService(destinationArn)) {
    case 'sqs':
      await sinks.sqs.sendMessage(destinationArn, body, { caller });
      return;
    case 'sns':
      await sinks.sns.publish(destinationArn, body, {}, caller);
      return;
    case 'events': {
      const success = record.requestContext.condition === 'Success';
      await sinks.eventbridge.putEvents(
        [
          {
            Source: 'lambda',
            DetailType: `Lambda Function Invocation Result - ${success ? 'Success' : 'Failure'}`,
            Detail: body,
            Resources: [record.requestContext.functionArn, destinationArn],
            EventBusName: destinationArn,
          },
        ],
        caller,
      );
      return;
    }
    default:
      throw new Error(
        `unsupported destination ${destinationArn} (use an SQS queue, SNS topic, Lambda function or event bus)`,
      );
  }
}

/** Keeps the first `max` bytes of UTF-8 text without splitting a character. */
export function truncateUtf8(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The attributes Lambda puts on a dead letter: RequestID, ErrorCode (an HTTP status), ErrorMessage. */
export function deadLetterAttributes(
  requestId: string,
  errorCode: number,
  errorMessage: string,
): Record<string, MessageAttributeValue> {
  return {
    RequestID: { DataType: 'String', StringValue: requestId },
    ErrorCode: { DataType: 'Number', StringValue: String(errorCode) },
    ErrorMessage: {
      DataType: 'String',
      StringValue: truncateUtf8(errorMessage, DLQ_ERROR_MESSAGE_MAX_BYTES),
    },
  };
}

/** Sends the event itself (not a record) to a dead-letter queue or topic, with Lambda's attributes. */
export async function sendDeadLetter(
  sinks: DestinationSinks,
  targetArn: string,
  body: string,
  attributes: Record<string, MessageAttributeValue>,
  caller: Caller | undefined,
): Promise<void> {
  const service = arnService(targetArn);
  if (service === 'sqs') {
    await sinks.sqs.sendMessage(targetArn, body, { messageAttributes: attributes, caller });
  } else if (service === 'sns') {
    await sinks.sns.publish(targetArn, body, { messageAttributes: attributes }, caller);
  } else {
    throw new Error(`unsupported dead-letter target ${targetArn} (use an SQS queue or SNS topic)`);
  }
}
