/** Rendering for the terminal (text) and for scripts (--json: one JSON object per line). */
import type { Reporter } from '../app/reporter.ts';
import type { LogRecord } from '../runtime/types.ts';
import { EXIT_CODES, SlipwayError, formatError } from '../shared/errors.ts';

const useColor = (stream: NodeJS.WriteStream): boolean => stream.isTTY && !('NO_COLOR' in process.env);
const paint = (code: number, s: string, stream: NodeJS.WriteStream): string =>
  useColor(stream) ? `\u001b[${code}m${s}\u001b[0m` : s;
export const dim = (s: string, stream: NodeJS.WriteStream = process.stderr): string => paint(2, s, stream);
export const bold = (s: string, stream: NodeJS.WriteStream = process.stderr): string => paint(1, s, stream);
export const yellow = (s: string, stream: NodeJS.WriteStream = process.stderr): string =>
  paint(33, s, stream);
export const red = (s: string, stream: NodeJS.WriteStream = process.stderr): string => paint(31, s, stream);
export const cyan = (s: string, stream: NodeJS.WriteStream = process.stderr): string => paint(36, s, stream);

export interface ReporterStyle {
  json: boolean;
  /** Prefix function log lines with the function's logical id (dev: yes; invoke: no, like sam local). */
  prefixFunction: boolean;
  out: NodeJS.WriteStream;
}

/**
 * Writes lines in batches: one write per turn of the event loop instead of one per line. Writes to
 * pipes and terminals are synchronous on Linux, so a busy dev server would otherwise spend most of
 * its time in write(2) for log lines. Whatever is pending is flushed before the process exits.
 */
export function batchedLineWriter(out: NodeJS.WritableStream): (line: string) => void {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    out.write(text);
  };
  process.on('exit', flush);
  return (line: string): void => {
    pending.push(line + '\n');
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

export function createReporter(style: ReporterStyle): Reporter {
  const { out } = style;
  const write = batchedLineWriter(out);
  if (style.json) {
    const emit = (obj: Record<string, unknown>): void =>
      write(JSON.stringify({ time: new Date().toISOString(), ...obj }));
    return {
      log: (r: LogRecord) =>
        emit({
          type: 'log',
          function: r.functionLogicalId,
          requestId: r.requestId,
          stream: r.stream,
          line: r.line,
        }),
      info: (message, data) => emit({ type: 'info', message, ...data }),
      warn: (message) => emit({ type: 'warning', message }),
      error: (message) => emit({ type: 'error', message }),
    };
  }
  const width = 14;
  return {
    log: (r: LogRecord) => {
      if (!style.prefixFunction) return write(r.line);
      const name =
        r.functionLogicalId.length > width
          ? r.functionLogicalId.slice(0, width)
          : r.functionLogicalId.padEnd(width);
      write(`${cyan(name, out)} ${dim('│', out)} ${r.stream === 'platform' ? dim(r.line, out) : r.line}`);
    },
    info: (message) => write(message),
    warn: (message) => write(yellow(`warning: ${message}`, out)),
    error: (message) => write(red(message, out)),
  };
}

/** Prints an error the way every command does and returns the exit code to use. */
export function reportFailure(err: unknown, json: boolean): number {
  const code = err instanceof SlipwayError ? err.exitCode : EXIT_CODES.internal;
  if (json) {
    const body =
      err instanceof SlipwayError
        ? { type: 'error', code: err.code, message: err.message, where: err.where, hint: err.hint }
        : { type: 'error', code: 'InternalError', message: err instanceof Error ? err.message : String(err) };
    process.stderr.write(JSON.stringify(body) + '\n');
  } else {
    process.stderr.write(red(formatError(err)) + '\n');
    if (!(err instanceof SlipwayError) && err instanceof Error && err.stack)
      process.stderr.write(
        dim(err.stack.split('\n').slice(1).join('\n')) + '\nThis is a bug in Slipway; please report it.\n',
      );
  }
  return code;
}
