/**
 * Errors that reach a user: a code, what was wrong, where (file:line:column) and what to do.
 * Rendered in one place (cli/) as `error[CODE]: message\n  at where\n  hint`.
 */
export interface Where {
  file: string;
  line?: number;
  column?: number;
  /** The template resource (logical id) the error is about, when there is one. */
  resource?: string;
}

/** What Slipway's exit codes mean (README, "Exit codes"). */
export const EXIT_CODES = {
  ok: 0,
  /** The function ran and failed (handler error, timeout, crash). */
  functionError: 1,
  /** Slipway could not do what was asked: a flag, an event file, the template, a port. */
  badInput: 2,
  /** An unexpected fault inside Slipway (a bug: please report it). */
  internal: 3,
  /** Stopped by a signal (Ctrl-C). */
  interrupted: 130,
} as const;

export class SlipwayError extends Error {
  override readonly name = 'SlipwayError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: { where?: Where; hint?: string; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get where(): Where | undefined {
    return this.details.where;
  }
  get hint(): string | undefined {
    return this.details.hint;
  }
  /** Process exit code the CLI uses for this error (default 2: see EXIT_CODES). */
  get exitCode(): number {
    return this.details.exitCode ?? EXIT_CODES.badInput;
  }
}

export function formatWhere(where: Where): string {
  let s = where.file;
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.line !== undefined && where.column !== undefined) s += `:${where.column}`;
  if (where.resource) s += ` (resource ${where.resource})`;
  return s;
}

/** One-paragraph rendering used by the CLI and the dev server log. */
export function formatError(err: unknown): string {
  if (err instanceof SlipwayError) {
    let s = `error[${err.code}]: ${err.message}`;
    if (err.where) s += `\n  at ${formatWhere(err.where)}`;
    if (err.hint) s += `\n  hint: ${err.hint}`;
    return s;
  }
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}

/**
 * An error of the AWS Lambda service API itself (not of the function), with AWS's code and HTTP
 * status, e.g. TooManyRequestsException/429, RequestEntityTooLargeException/413,
 * ResourceNotFoundException/404. Protocol layers render it in their wire format.
 */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    /** Extra fields AWS puts in the error body, e.g. { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}
