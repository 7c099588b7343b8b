/**
 * Log plumbing: the child's stdout/stderr split into lines, and the platform lines Lambda writes
 * (START / END / REPORT / timeout), in Text or JSON log format.
 */

/** A line longer than this is cut (runaway output must not grow memory without bound). */
export const MAX_LOG_LINE_CHARS = 256 * 1024;
/** Bytes of log lines kept per invocation for InvokeResult.logs (the oldest are dropped beyond). */
export const MAX_INVOCATION_LOG_BYTES = 1024 * 1024;

export class LineSplitter {
  private partial = '';

  push(chunk: Buffer, emit: (line: string) => void): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl !== -1) {
      let end = nl;
      if (end > start && chunk[end - 1] === 13) end--;
      const piece = chunk.toString('utf8', start, end);
      if (this.partial) {
        emit(this.partial + piece);
        this.partial = '';
      } else {
        emit(piece);
      }
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.partial += chunk.toString('utf8', start);
      while (this.partial.length > MAX_LOG_LINE_CHARS) {
        emit(this.partial.slice(0, MAX_LOG_LINE_CHARS));
        this.partial = this.partial.slice(MAX_LOG_LINE_CHARS);
      }
    }
  }

  flush(emit: (line: string) => void): void {
    if (this.partial) {
      const line = this.partial;
      this.partial = '';
      emit(line);
    }
  }
}

/** The lines of one invocation, bounded. */
export class InvocationLog {
  private lines: string[] = [];
  private bytes = 0;

  add(line: string): void {
    this.lines.push(line);
    this.bytes += line.length + 1;
    while (this.bytes > MAX_INVOCATION_LOG_BYTES && this.lines.length > 1) {
      this.bytes -= (this.lines.shift() as string).length + 1;
    }
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
}

export type LogFormat = 'Text' | 'JSON';

function platformJson(type: string, record: Record<string, unknown>): string {
  return JSON.stringify({ time: new Date().toISOString(), type, record });
}

export function startLine(format: LogFormat, requestId: string, version: string): string {
  return format === 'JSON'
    ? platformJson('platform.start', { requestId, version })
    : `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(format: LogFormat, requestId: string): string {
  return format === 'JSON'
    ? platformJson('platform.runtimeDone', { requestId, status: 'success' })
    : `END RequestId: ${requestId}`;
}

export function reportLine(format: LogFormat, r: ReportFields): string {
  if (format === 'JSON') {
    const metrics: Record<string, number> = {
      durationMs: round2(r.durationMs),
      billedDurationMs: r.billedDurationMs,
      memorySizeMB: r.memorySizeMB,
      maxMemoryUsedMB: r.maxMemoryUsedMB,
    };
    if (r.initDurationMs !== undefined) metrics.initDurationMs = round2(r.initDurationMs);
    return platformJson('platform.report', { requestId: r.requestId, metrics, status: 'success' });
  }
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${r.billedDurationMs} ms\tMemory Size: ${r.memorySizeMB} MB\t` +
    `Max Memory Used: ${r.maxMemoryUsedMB} MB`;
  if (r.initDurationMs !== undefined) line += `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms`;
  return line;
}

/** `2024-01-01T00:00:00.000Z <id> Task timed out after 3.00 seconds`, as Lambda logs a timeout. */
export function timeoutLine(requestId: string, timeoutSeconds: number): string {
  return `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
