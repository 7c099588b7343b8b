/**
 * Kinesis's wire formats, both with `X-Amz-Target: Kinesis_20131202.<Operation>`:
 * - awsJson1_1 (`application/x-amz-json-1.1`): what the AWS SDK for JavaScript v3 and the aws CLI
 *   send. Blobs are base64, timestamps epoch seconds. Errors: protocols/json.ts.
 * - the same over CBOR (`application/x-amz-cbor-1.1`): the AWS SDK for Java's default for
 *   Kinesis (and so the KCL's). Blobs are byte strings, timestamps tag 1 epoch milliseconds;
 *   errors are a CBOR map {__type, message} with the `x-amzn-ErrorType` header.
 */
import type { ServerResponse } from 'node:http';
import { parseJsonBody, sendJson, sendJsonError } from '../../protocols/json.ts';
import { AwsError, type AwsRequest } from '../types.ts';
import { decodeCbor, encodeCbor } from './cbor.ts';
import { operations, type OperationContext } from './operations.ts';
import { Params, toJsonWire } from './params.ts';

export const TARGET_PREFIX = 'Kinesis_20131202.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';
/** 500 records of 1 MiB, base64-encoded, plus framing. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

function parseCborBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const value = decodeCbor(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value))
    throw new AwsError('SerializationException', 'The request body must be a CBOR map.');
  return value as Record<string, unknown>;
}

function sendCbor(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extra: Record<string, string> = {},
): void {
  const bytes = encodeCbor(body);
  res.writeHead(status, {
    'content-type': CBOR_CONTENT_TYPE,
    'content-length': bytes.length,
    'x-amzn-requestid': requestId,
    ...extra,
  });
  res.end(bytes);
}

function sendCborError(res: ServerResponse, err: unknown, requestId: string): void {
  const e = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500);
  sendCbor(res, e.statusCode, { __type: e.code, message: e.message, ...e.fields }, requestId, {
    'x-amzn-errortype': e.code,
  });
}

export async function handleKinesisRequest(
  req: AwsRequest,
  res: ServerResponse,
  context: (req: AwsRequest) => OperationContext,
): Promise<void> {
  const cbor = String(req.headers['content-type'] ?? '').includes('cbor');
  try {
    if (req.method !== 'POST') throw new AwsError('InvalidAction', `Kinesis accepts POST requests only.`);
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const op = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!op)
      throw new AwsError('UnknownOperationException', `Unknown operation: ${target || '(no X-Amz-Target)'}`);
    const raw = await req.body(MAX_REQUEST_BYTES);
    const body = cbor ? parseCborBody(raw) : parseJsonBody(raw);
    const result = await op(new Params(body), context(req));
    if (cbor) sendCbor(res, 200, result, req.requestId);
    else sendJson(res, 200, toJsonWire(result), req.requestId, JSON_CONTENT_TYPE);
  } catch (err) {
    if (cbor) sendCborError(res, err, req.requestId);
    else sendJsonError(res, err, req.requestId, JSON_CONTENT_TYPE);
  }
}
