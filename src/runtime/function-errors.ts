/**
 * Function errors Slipway itself reports (as Lambda's service does), a closed set of AWS's names.
 * Errors the runtime reports (handler threw, import failed) arrive from the child as-is.
 */
import type { FunctionErrorPayload } from './types.ts';

export type PlatformErrorType =
  | 'Runtime.ExitError'
  | 'Runtime.OutOfMemory'
  | 'Runtime.InvalidEntrypoint'
  | 'Runtime.InitError'
  | 'Sandbox.Timedout'
  | 'Function.ResponseSizeTooLarge'
  | 'Runtime.UserCodeSyntaxError';

function platformError(errorType: PlatformErrorType, errorMessage: string): FunctionErrorPayload {
  return { errorType, errorMessage };
}

/** `exit status 1`, `signal: killed`: Go's os.ProcessState wording, as Lambda prints it. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_WORDS[signal] ?? signal.toLowerCase()}`;
  return `exit status ${code ?? 0}`;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGBUS: 'bus error',
  SIGINT: 'interrupt',
};

export function exitError(requestId: string, exit: string, outOfMemory: boolean): FunctionErrorPayload {
  return platformError(
    outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
    `RequestId: ${requestId} Error: Runtime exited with error: ${exit}`,
  );
}

export function timeoutError(requestId: string, timeoutSeconds: number): FunctionErrorPayload {
  return platformError(
    'Sandbox.Timedout',
    `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  );
}

export function responseTooLargeError(maxBytes: number): FunctionErrorPayload {
  return platformError(
    'Function.ResponseSizeTooLarge',
    `Response payload size exceeded maximum allowed payload size (${maxBytes} bytes).`,
  );
}

export function invalidEntrypointError(requestId: string, detail: string): FunctionErrorPayload {
  return platformError('Runtime.InvalidEntrypoint', `RequestId: ${requestId} Error: ${detail}`);
}

export function syntaxError(message: string): FunctionErrorPayload {
  return platformError('Runtime.UserCodeSyntaxError', message);
}

/** Parse the runtime's error JSON defensively; fall back to a generic shape (never throws). */
export function parseErrorPayload(body: Buffer, errorTypeHeader: string | undefined): FunctionErrorPayload {
  let value: unknown;
  try {
    value = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const errorType =
      typeof v.errorType === 'string' ? v.errorType : (errorTypeHeader ?? 'Runtime.UnknownError');
    const errorMessage = typeof v.errorMessage === 'string' ? v.errorMessage : '';
    const out: FunctionErrorPayload = { ...v, errorType, errorMessage };
    // The stack: `stackTrace` (Python, custom runtimes) or `trace` (Node.js); lists of lines only.
    if (v.stackTrace !== undefined && !Array.isArray(v.stackTrace)) delete out.stackTrace;
    if (v.trace !== undefined && !Array.isArray(v.trace)) delete out.trace;
    return out;
  }
  return {
    errorType: errorTypeHeader ?? 'Runtime.UnknownError',
    errorMessage: body.toString('utf8').slice(0, 4096),
  };
}
