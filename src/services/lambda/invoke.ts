/**
 * `POST /2015-03-31/functions/{FunctionName}/invocations`: Invoke with its three invocation types,
 * log tails, client context and Lambda's payload limits and errors.
 */
import type { ServerResponse } from 'node:http';
import { MAX_ASYNC_PAYLOAD_BYTES, MAX_SYNC_PAYLOAD_BYTES, type InvocationType } from '../../runtime/types.ts';
import { AwsError, type AwsRequest } from '../types.ts';
import type { LambdaDeps } from './types.ts';
import { sendLambdaJson } from './wire.ts';

/** X-Amz-Log-Result carries the last 4 KB of the invocation's log. */
export const MAX_LOG_TAIL_BYTES = 4 * 1024;
/** X-Amz-Client-Context: up to 3,583 bytes of base64. */
export const MAX_CLIENT_CONTEXT_BYTES = 3583;

const INVOCATION_TYPES = new Set<InvocationType>(['RequestResponse', 'Event', 'DryRun']);

export interface InvokeContext {
  deps: LambdaDeps;
  region: string;
  accountId: string;
  /**
   * The runtime's name for what `input` and the `Qualifier` name: a function's logical id, or a
   * published version's (`Name:N`). Waits while the function is being created; throws
   * ResourceNotFoundException / ResourceConflictException as Lambda does.
   */
  target(input: string, qualifier: string | null): Promise<string>;
}

function header(req: AwsRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function tooLarge(limit: number): AwsError {
  return new AwsError(
    'RequestEntityTooLargeException',
    `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
    413,
  );
}

async function readPayload(req: AwsRequest, limit: number): Promise<Buffer> {
  const declared = Number(header(req, 'content-length'));
  if (declared > limit) throw tooLarge(limit);
  let payload: Buffer;
  try {
    payload = await req.body(limit);
  } catch (err) {
    if (err instanceof AwsError && err.statusCode === 413) throw tooLarge(limit);
    throw err;
  }
  if (payload.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new AwsError(
      'InvalidRequestContentException',
      `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
      400,
    );
  }
  return payload;
}

/** The last `MAX_LOG_TAIL_BYTES` of the log, base64, as Lambda's X-Amz-Log-Result. */
export function logTail(logs: string): string {
  let bytes = Buffer.from(logs.endsWith('\n') || logs === '' ? logs : `${logs}\n`);
  if (bytes.length > MAX_LOG_TAIL_BYTES) bytes = bytes.subarray(bytes.length - MAX_LOG_TAIL_BYTES);
  return bytes.toString('base64');
}

export async function invoke(
  ctx: InvokeContext,
  req: AwsRequest,
  res: ServerResponse,
  functionName: string,
): Promise<void> {
  const type = (header(req, 'x-amz-invocation-type') ?? 'RequestResponse') as InvocationType;
  if (!INVOCATION_TYPES.has(type))
    throw new AwsError(
      'InvalidParameterValueException',
      `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      400,
    );
  const clientContext = header(req, 'x-amz-client-context');
  if (clientContext !== undefined && clientContext.length > MAX_CLIENT_CONTEXT_BYTES)
    throw new AwsError(
      'InvalidParameterValueException',
      `Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes of base64.`,
      400,
    );
  const qualifier = req.query.get('Qualifier') ?? undefined;
  const name = await ctx.target(functionName, qualifier ?? null);
  const payload = await readPayload(req, type === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES);

  if (type === 'Event') {
    const { requestId } = await ctx.deps.invokeAsync(name, payload, req.caller);
    sendLambdaJson(res, 202, undefined, requestId || req.requestId);
    return;
  }
  const result = await ctx.deps.invoke(name, {
    payload,
    invocationType: type,
    clientContext,
    qualifier,
    requestId: req.requestId,
    cause: { api: 'lambda:Invoke', caller: req.caller },
  });
  const requestId = result.requestId || req.requestId;
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-requestid': requestId });
    res.end();
    return;
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(result.payload.length),
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': result.executedVersion || '$LATEST',
  };
  if (result.functionError) headers['x-amz-function-error'] = result.functionError;
  if (header(req, 'x-amz-log-type') === 'Tail') headers['x-amz-log-result'] = logTail(result.logs);
  res.writeHead(200, headers);
  res.end(result.payload);
}
