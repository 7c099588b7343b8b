/**
 * Lambda's rest-json wire details: JSON answers with `x-amzn-RequestId`, and errors as Lambda
 * sends them: the code in `x-amzn-ErrorType`, the body `{"Type":"User","message":"..."}`.
 */
import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../../shared/errors.ts';
import { AwsError } from '../types.ts';

export function sendLambdaJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...headers,
  });
  res.end(text);
}

export function toLambdaError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  if (err instanceof AwsServiceError) return new AwsError(err.code, err.message, err.statusCode, err.fields);
  const message = err instanceof Error ? err.message : String(err);
  return new AwsError('ServiceException', `Slipway internal error: ${message}`, 500);
}

export function sendLambdaError(res: ServerResponse, err: unknown, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e = toLambdaError(err);
  const body: Record<string, unknown> = {
    Type: e.statusCode >= 500 ? 'Service' : 'User',
    message: e.message,
    ...e.fields,
  };
  const headers: Record<string, string> = { 'x-amzn-errortype': e.code };
  if (e.code === 'TooManyRequestsException') {
    headers['retry-after'] = '1';
    body.retryAfterSeconds = '1';
  }
  sendLambdaJson(res, e.statusCode, body, requestId, headers);
}

/** Parses a JSON request body; malformed JSON is Lambda's InvalidRequestContentException. */
export function parseLambdaJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new AwsError(
      'InvalidRequestContentException',
      `Could not parse request body into json: ${(err as Error).message}`,
      400,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AwsError('InvalidRequestContentException', 'The request body must be a JSON object.', 400);
  return value as Record<string, unknown>;
}

/** Decodes one path segment; a bad escape is a 400, not a crash. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError('InvalidParameterValueException', `Invalid path segment: ${segment}`, 400);
  }
}
