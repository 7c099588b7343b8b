/**
 * SQS's errors, in both of its wire dialects. The JSON protocol (awsJson1_0, `awsQueryCompatible`)
 * names the error shape in `__type` (`com.amazonaws.sqs#QueueDoesNotExist`) and carries the legacy
 * query code in the `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender` header,
 * which SDK v3 reads first; the query protocol only knows the legacy code. `AwsError.code` holds
 * the legacy (query) code; `shape` the JSON shape name.
 */
import { AwsError } from '../types.ts';

export class SqsError extends AwsError {
  constructor(
    /** The JSON protocol's error shape name (`QueueDoesNotExist`). */
    readonly shape: string,
    /** The query protocol's code (`AWS.SimpleQueueService.NonExistentQueue`). */
    queryCode: string,
    message: string,
    statusCode = 400,
  ) {
    super(queryCode, message, statusCode);
  }
}

/** Error shapes of the SQS model: shape → [legacy query code, HTTP status]. */
const SHAPES: Record<string, [string, number]> = {
  BatchEntryIdsNotDistinct: ['AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400],
  BatchRequestTooLong: ['AWS.SimpleQueueService.BatchRequestTooLong', 400],
  EmptyBatchRequest: ['AWS.SimpleQueueService.EmptyBatchRequest', 400],
  InvalidAttributeName: ['InvalidAttributeName', 400],
  InvalidAttributeValue: ['InvalidAttributeValue', 400],
  InvalidBatchEntryId: ['AWS.SimpleQueueService.InvalidBatchEntryId', 400],
  InvalidMessageContents: ['InvalidMessageContents', 400],
  MessageNotInflight: ['AWS.SimpleQueueService.MessageNotInflight', 400],
  PurgeQueueInProgress: ['AWS.SimpleQueueService.PurgeQueueInProgress', 403],
  QueueDoesNotExist: ['AWS.SimpleQueueService.NonExistentQueue', 400],
  QueueNameExists: ['QueueAlreadyExists', 400],
  ReceiptHandleIsInvalid: ['ReceiptHandleIsInvalid', 404],
  ResourceNotFoundException: ['ResourceNotFoundException', 404],
  TooManyEntriesInBatchRequest: ['AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400],
  UnsupportedOperation: ['AWS.SimpleQueueService.UnsupportedOperation', 400],
};

function shaped(shape: string, message: string): SqsError {
  const [code, status] = SHAPES[shape] ?? [shape, 400];
  return new SqsError(shape, code, message, status);
}

/** An error without a shape of its own (common AWS errors): same name in both dialects. */
function common(code: string, message: string, status = 400): SqsError {
  return new SqsError(code, code, message, status);
}

export const errors = {
  queueDoesNotExist: () => shaped('QueueDoesNotExist', 'The specified queue does not exist.'),
  queueNameExists: (attribute: string) =>
    shaped(
      'QueueNameExists',
      `A queue already exists with the same name and a different value for attribute ${attribute}`,
    ),
  receiptHandleIsInvalid: (handle: string) =>
    shaped('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`),
  messageNotInflight: () => shaped('MessageNotInflight', 'The message referred to is not in flight.'),
  purgeQueueInProgress: (queueArn: string) =>
    shaped(
      'PurgeQueueInProgress',
      `Only one PurgeQueue operation on ${queueArn} is allowed every 60 seconds.`,
    ),
  emptyBatchRequest: () => shaped('EmptyBatchRequest', 'There should be at least one entry in the request.'),
  tooManyEntriesInBatchRequest: (n: number) =>
    shaped(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${n}.`,
    ),
  batchEntryIdsNotDistinct: (id: string) => shaped('BatchEntryIdsNotDistinct', `Id ${id} repeated.`),
  invalidBatchEntryId: () =>
    shaped(
      'InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    ),
  batchRequestTooLong: (total: number, max: number) =>
    shaped(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${max} bytes. You have sent ${total} bytes.`,
    ),
  invalidAttributeName: (name: string) => shaped('InvalidAttributeName', `Unknown Attribute ${name}.`),
  invalidAttributeValue: (message: string) => shaped('InvalidAttributeValue', message),
  invalidMessageContents: () =>
    shaped(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    ),
  unsupportedOperation: (message: string) => shaped('UnsupportedOperation', message),
  resourceNotFound: (message: string) => shaped('ResourceNotFoundException', message),
  invalidParameterValue: (message: string) => common('InvalidParameterValue', message),
  /** `Value <v> for parameter <p> is invalid. Reason: <reason>.` */
  invalidParameter: (parameter: string, value: unknown, reason: string) =>
    common(
      'InvalidParameterValue',
      `Value ${typeof value === 'string' ? value : JSON.stringify(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
    ),
  missingParameter: (parameter: string) =>
    common('MissingParameter', `The request must contain the parameter ${parameter}.`),
  invalidAction: (action: string) =>
    common(
      'InvalidAction',
      `The action or operation requested is invalid. Verify that the action is typed correctly: ${action}`,
    ),
};
