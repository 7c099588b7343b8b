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

let lastMs = -1;
let lastIso = '';
/** `new Date().toISOString()`, formatted once per millisecond. */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

export function createReporter(style: ReporterStyle): Reporter {
  const { out } = style;
  const write = batchedLineWriter(out);
  if (style.json) {
    const emit = (obj: Record<string, unknown>): void => write(JSON.stringify({ time: isoNow(), ...obj }));
    // Several lines per invocation under load: the same JSON as emit() gives, without the object.
    return {
      log: (r: LogRecord) =>
        write(
          `{"time":"${isoNow()}","type":"log","function":${JSON.stringify(r.functionLogicalId)}` +
            (r.requestId === undefined ? '' : `,"requestId":${JSON.stringify(r.requestId)}`) +
            `,"stream":"${r.stream}","line":${JSON.stringify(r.line)}}`,
        ),
      info: (message, data) =>
        data === undefined
          ? write(`{"time":"${isoNow()}","type":"info","message":${JSON.stringify(message)}}`)
          : emit({ type: 'info', message, ...data }),
      warn: (message) => emit({ type: 'warning', message }),
      error: (message) => emit({ type: 'error', message }),
    };
  }
  const width = 14;
  // Per line only a concatenation: the colour decision and each function's prefix are made once.
  const prefixes = new Map<string, string>();
  const prefixOf = (logicalId: string): string => {
    let prefix = prefixes.get(logicalId);
    if (prefix === undefined) {
      const name = logicalId.length > width ? logicalId.slice(0, width) : logicalId.padEnd(width);
      prefix = `${cyan(name, out)} ${dim('│', out)} `;
      prefixes.set(logicalId, prefix);
    }
    return prefix;
  };
  const dimLine = useColor(out) ? (s: string): string => `\u001b[2m${s}\u001b[0m` : (s: string): string => s;
  return {
    log: (r: LogRecord) => {
      if (!style.prefixFunction) return write(r.line);
      write(prefixOf(r.functionLogicalId) + (r.stream === 'platform' ? dimLine(r.line) : r.line));
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
