/**
 * SQS over the AWS JSON 1.0 protocol (what current SDKs speak): `POST /` with
 * `X-Amz-Target: AmazonSQS.<Action>` and `Content-Type: application/x-amz-json-1.0`.
 * SQS is `awsQueryCompatible`: an error names its shape in `__type`
 * (`com.amazonaws.sqs#QueueDoesNotExist`) and its legacy query code and fault in the
 * `x-amzn-query-error` header (`AWS.SimpleQueueService.NonExistentQueue;Sender`), which SDK v3
 * reads first to pick the error class and `Code`.
 */
import type { ServerResponse } from 'node:http';
import { parseJsonBody, sendJson } from '../../protocols/json.ts';
import { AwsError, type AwsRequest } from '../types.ts';
import { SqsError } from './errors.ts';
import type { OperationContext, Operations } from './operations.ts';

export const SQS_TARGET_PREFIX = 'AmazonSQS.';
export const SQS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** A batch of ten 1 MiB-limited entries, JSON-escaped, fits comfortably. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export async function handleJson(
  ops: Operations,
  req: AwsRequest,
  res: ServerResponse,
  octx: OperationContext,
): Promise<void> {
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith(SQS_TARGET_PREFIX) ? target.slice(SQS_TARGET_PREFIX.length) : '';
    const op = Object.hasOwn(ops, action) ? ops[action] : undefined;
    if (!op) throw new SqsError('UnknownOperationException', 'InvalidAction', `Unknown operation ${target}.`);
    const input = parseJsonBody(await req.body(MAX_REQUEST_BYTES));
    const output = await op(input, octx);
    sendJson(res, 200, output, req.requestId, SQS_JSON_CONTENT_TYPE);
  } catch (err) {
    sendSqsJsonError(res, err, req.requestId);
  }
}

export function sendSqsJsonError(res: ServerResponse, err: unknown, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  const e = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500);
  const shape = e instanceof SqsError ? e.shape : e.code;
  sendJson(
    res,
    e.statusCode,
    { __type: `com.amazonaws.sqs#${shape}`, message: e.message },
    requestId,
    SQS_JSON_CONTENT_TYPE,
    { 'x-amzn-query-error': `${e.code};${e.fault}` },
  );
}
