/**
 * Kinesis's wire format: awsJson1_1 (`X-Amz-Target: Kinesis_20131202.<Operation>`, what the AWS
 * SDK for JavaScript v3 and the aws CLI send). Errors render as `{"__type", "message"}` with
 * `x-amzn-ErrorType` (protocols/json.ts).
 */
import type { ServerResponse } from 'node:http';
import { parseJsonBody, sendJson, sendJsonError } from '../../protocols/json.ts';
import { AwsError, type AwsRequest } from '../types.ts';
import { operations, type OperationContext } from './operations.ts';
import { Params, toJsonWire } from './params.ts';

export const TARGET_PREFIX = 'Kinesis_20131202.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** 500 records of 1 MiB, base64-encoded, plus framing. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export async function handleKinesisRequest(
  req: AwsRequest,
  res: ServerResponse,
  context: (req: AwsRequest) => OperationContext,
): Promise<void> {
  try {
    if (req.method !== 'POST') throw new AwsError('InvalidAction', `Kinesis accepts POST requests only.`);
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const op = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!op)
      throw new AwsError('UnknownOperationException', `Unknown operation: ${target || '(no X-Amz-Target)'}`);
    const body = parseJsonBody(await req.body(MAX_REQUEST_BYTES));
    const result = await op(new Params(body), context(req));
    sendJson(res, 200, toJsonWire(result), req.requestId, JSON_CONTENT_TYPE);
  } catch (err) {
    sendJsonError(res, err, req.requestId, JSON_CONTENT_TYPE);
  }
}
