/**
 * What both transports (HTTP Runtime API and the fd-3 channel) call: the environment's state
 * machine. Every method validates the message against the current state before any transition.
 */

/** One invocation as handed to the runtime (the `next` answer). */
export interface Delivery {
  requestId: string;
  /** Lambda-Runtime-* headers, same names over both transports. */
  headers: Record<string, string>;
  body: Buffer;
}

export type Deliverer = (delivery: Delivery) => void;

export type ApiResult =
  { status: 200 | 202 } | { status: 400 | 403 | 404 | 413 | 500; errorType: string; errorMessage: string };

export const ACCEPTED: ApiResult = { status: 202 };
export const WAITING: ApiResult = { status: 200 };

export interface RuntimeApiTarget {
  /** The runtime waits for its next invocation; `deliver` is called once with it. */
  next(deliver: Deliverer): ApiResult;
  /** `bodyBytes` is the declared size when the body was not buffered (over the limit). */
  response(requestId: string, body: Buffer, bodyBytes?: number): ApiResult;
  error(requestId: string, body: Buffer, errorTypeHeader: string | undefined): ApiResult;
  initError(body: Buffer, errorTypeHeader: string | undefined): ApiResult;
  /** The runtime (HTTP client) went away while waiting in `next`. */
  nextAbandoned(deliver: Deliverer): void;
  /** The handler's run time as the runtime measured it, sent with its next response or error. */
  reportDuration(ms: number): void;
}

export function invalidStateTransition(message: string): ApiResult {
  return { status: 403, errorType: 'InvalidStateTransition', errorMessage: message };
}

export function invalidRequestId(requestId: string): ApiResult {
  return { status: 400, errorType: 'InvalidRequestID', errorMessage: `Invalid request ID: ${requestId}` };
}

export const HEADER_REQUEST_ID = 'Lambda-Runtime-Aws-Request-Id';
export const HEADER_DEADLINE = 'Lambda-Runtime-Deadline-Ms';
export const HEADER_FUNCTION_ARN = 'Lambda-Runtime-Invoked-Function-Arn';
export const HEADER_TRACE_ID = 'Lambda-Runtime-Trace-Id';
export const HEADER_CLIENT_CONTEXT = 'Lambda-Runtime-Client-Context';
export const HEADER_COGNITO_IDENTITY = 'Lambda-Runtime-Cognito-Identity';
export const HEADER_FUNCTION_ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
/** Slipway's own (optional) header on /response and /error: the handler's run time in ms. */
export const HEADER_DURATION_MS = 'slipway-function-duration-ms';

/** Passes an optional duration header (HTTP transport) on to the target. */
export function noteDuration(target: RuntimeApiTarget, value: string | string[] | undefined): void {
  const ms = Number(Array.isArray(value) ? value[0] : value);
  if (value !== undefined && Number.isFinite(ms) && ms >= 0) target.reportDuration(ms);
}
