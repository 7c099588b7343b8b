/**
 * AWS JSON protocols (awsJson1_0 / awsJson1_1: SQS-JSON, Kinesis, EventBridge, ...) and rest-json
 * (Lambda): a JSON body, errors as `{"__type": "<Code>", "message": "..."}` with the
 * `x-amzn-ErrorType` header, which the SDKs read for the error code.
 */
import type { ServerResponse } from 'node:http';
import { AwsError } from '../services/types.ts';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  contentType = 'application/x-amz-json-1.1',
  extraHeaders: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...extraHeaders,
  });
  res.end(text);
}

/** Renders an AwsError (or any error, as InternalFailure 500) in the JSON protocols' shape. */
export function sendJsonError(
  res: ServerResponse,
  err: unknown,
  requestId: string,
  contentType = 'application/x-amz-json-1.1',
): void {
  const e = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500);
  const body: Record<string, string> = { __type: e.code, message: e.message, ...e.fields };
  sendJson(res, e.statusCode, body, requestId, contentType, { 'x-amzn-errortype': e.code });
}

/** Parses a JSON request body; malformed JSON is AWS's SerializationException. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.', 400);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AwsError('SerializationException', 'The request body must be a JSON object.', 400);
  return value as Record<string, unknown>;
}
