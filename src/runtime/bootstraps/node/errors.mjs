// Errors as Lambda's Node runtime reports them, with AWS's names for the runtime's own failures.
import { format } from 'node:util';

export class RuntimeError extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.errorType = errorType;
    if (cause?.stack) this.stack = `${errorType}: ${message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  }
}

function lines(stack) {
  return typeof stack === 'string' ? stack.split('\n') : [];
}

/** `{errorType, errorMessage, trace}` for anything thrown: the Node runtime calls the stack `trace` (Python: `stackTrace`). */
export function toErrorPayload(err) {
  if (err instanceof RuntimeError) {
    return { errorType: err.errorType, errorMessage: err.message, trace: lines(err.stack).slice(1) };
  }
  if (err instanceof Error || (err !== null && typeof err === 'object' && 'message' in err)) {
    const payload = {
      errorType: err.name ?? err.constructor?.name ?? 'Error',
      errorMessage: typeof err.message === 'string' ? err.message : format(err.message),
      trace: lines(err.stack),
    };
    // Own enumerable fields (e.g. `code`) travel too, as the Node runtime does.
    for (const key of Object.keys(err)) {
      if (!(key in payload)) {
        try {
          payload[key] = JSON.parse(JSON.stringify(err[key]));
        } catch {
          // not serializable: skip
        }
      }
    }
    return payload;
  }
  if (err === undefined || err === null) return { errorType: 'Error', errorMessage: String(err), trace: [] };
  return { errorType: typeof err, errorMessage: typeof err === 'string' ? err : format(err), trace: [] };
}

export function unhandledRejectionPayload(reason) {
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : format(reason);
  return {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: text,
    reason: reason instanceof Error ? reason.message : format(reason),
    promise: {},
    trace: [`Runtime.UnhandledPromiseRejection: ${text}`, ...lines(reason?.stack).slice(1)],
  };
}
