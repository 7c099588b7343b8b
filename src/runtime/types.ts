/**
 * The runtime's public contract: how the layers above (apigateway, triggers, services, cli) run a
 * function. The runtime knows no service; it only knows functions (from the project model) and
 * payloads.
 */

/** AWS's own limits, named (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
export const MAX_SYNC_RESPONSE_BYTES = 6 * 1024 * 1024;

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeRequest {
  /** JSON text of the event (the runtime does not parse it). */
  payload: Buffer;
  invocationType?: InvocationType;
  /** Base64 JSON, as the Lambda Invoke API's `X-Amz-Client-Context` header. */
  clientContext?: string;
  /** Cognito identity JSON text (`Lambda-Runtime-Cognito-Identity`). */
  cognitoIdentity?: string;
  /** X-Ray trace header value; one is generated when absent. */
  traceId?: string;
  /** Use this request id instead of generating one (e.g. the caller already reported it). */
  requestId?: string;
  /** Qualifier invoked; default `$LATEST`. */
  qualifier?: string;
  /** What caused this invocation (trace layer), opaque to the runtime and echoed on records. */
  cause?: unknown;
}

export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  /** Python and custom runtimes. */
  stackTrace?: string[];
  /** Node.js names the same list `trace`. */
  trace?: string[];
  [k: string]: unknown;
}

export interface InvokeResult {
  requestId: string;
  /** Always 200 for a completed RequestResponse invoke (function errors included), as Lambda's Invoke API. */
  statusCode: number;
  /** The function's response bytes, or the error JSON when `functionError` is set. */
  payload: Buffer;
  /** Lambda's `X-Amz-Function-Error`: `Unhandled` for every function error the runtime reports. */
  functionError?: 'Unhandled' | 'Handled';
  /** Parsed error payload when `functionError` is set. */
  error?: FunctionErrorPayload;
  /** This invocation's log lines (function output and START/END/REPORT), newline-joined. */
  logs: string;
  executedVersion: string;
  durationMs: number;
  billedDurationMs: number;
  /** Present on a cold start. */
  initDurationMs?: number;
  maxMemoryUsedMB: number;
}

/**
 * Runs functions. Errors of the Lambda service itself (not of the function) are thrown as
 * `AwsServiceError` from src/shared/errors.ts with AWS's code and status:
 *  - ResourceNotFoundException 404 (no such function)
 *  - TooManyRequestsException 429 (reserved concurrency exhausted; Reason
 *    `ReservedFunctionConcurrentInvocationLimitExceeded`)
 *  - RequestEntityTooLargeException 413 (payload over 6 MB sync / 1 MB async)
 *  - ServiceException 500 / 502 for runtime faults that are not the function's
 * Function errors (handler threw, init failed, timeout, crash) resolve normally with
 * `functionError: 'Unhandled'`.
 */
export interface Invoker {
  invoke(functionName: string, request: InvokeRequest): Promise<InvokeResult>;
}

export type LogStream = 'stdout' | 'stderr' | 'platform';

export interface LogRecord {
  /** Function logical id. */
  functionLogicalId: string;
  requestId?: string;
  stream: LogStream;
  /** One line, without its trailing newline. */
  line: string;
  /** Epoch ms. */
  time: number;
}

/** Where the runtime sends every log line (CLI prints them, dev server shows them, traces keep them). */
export type LogSink = (record: LogRecord) => void;
