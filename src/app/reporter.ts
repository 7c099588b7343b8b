import type { LogRecord } from '../runtime/types.ts';

/** How a running app tells the user what happens; the CLI decides the rendering (text or --json). */
export interface Reporter {
  /** A function's log line or a platform line (START/END/REPORT). */
  log(record: LogRecord): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string): void;
  error(message: string): void;
}
