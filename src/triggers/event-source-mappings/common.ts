/** Small pieces both pollers use: wake-ups, clock delays, partial batch responses, backoff. */
import type { Clock } from '../../shared/clock.ts';
import type { Caller } from '../../services/types.ts';
import type { EventSourceMappingConfig } from './ports.ts';

/**
 * A wake-up that cannot be missed: a waiter remembers the epoch it last looked at, and `wait`
 * resolves at once when a notification came since. `notify` wakes every waiter.
 */
export class WakeSignal {
  private count = 0;
  private waiters: Array<() => void> = [];

  get epoch(): number {
    return this.count;
  }

  notify(): void {
    this.count++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `epoch` has moved past `seen`. */
  wait(seen: number): Promise<void> {
    if (this.count !== seen) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Set once, and then for good: a wait on it after it was set resolves at once. */
export class Latch {
  private isSet = false;
  private readonly waiters: Array<() => void> = [];

  get set(): boolean {
    return this.isSet;
  }

  fire(): void {
    if (this.isSet) return;
    this.isSet = true;
    for (const w of this.waiters.splice(0)) w();
  }

  wait(): Promise<void> {
    if (this.isSet) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Resolves true after `ms` on the injected clock, or false as soon as `stop` is (or was) fired. */
export function sleep(clock: Clock, ms: number, stop: Latch): Promise<boolean> {
  if (stop.set) return Promise.resolve(false);
  return new Promise((resolve) => {
    let done = false;
    const timer = clock.setTimeout(() => finish(true), Math.max(0, ms));
    void stop.wait().then(() => finish(false));
    function finish(elapsed: boolean): void {
      if (done) return;
      done = true;
      timer.cancel();
      resolve(elapsed);
    }
  });
}

/** Resolves when the first of `signal` (past `seen`) or a `ms` timer on the clock fires. */
export function waitOrTimeout(clock: Clock, signal: WakeSignal, seen: number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const timer = clock.setTimeout(finish, Math.max(0, ms));
    void signal.wait(seen).then(finish);
    function finish(): void {
      if (done) return;
      done = true;
      timer.cancel();
      resolve();
    }
  });
}

export const REPORT_BATCH_ITEM_FAILURES = 'ReportBatchItemFailures';

export function reportsBatchItemFailures(config: EventSourceMappingConfig): boolean {
  return config.FunctionResponseTypes?.includes(REPORT_BATCH_ITEM_FAILURES) ?? false;
}

export type BatchResponse =
  { kind: 'success' } | { kind: 'partial'; failed: Set<string> } | { kind: 'invalid'; reason: string };

/**
 * Reads a `{ batchItemFailures: [{ itemIdentifier }] }` response as Lambda does for
 * ReportBatchItemFailures: an empty or null response or list is a complete success; a response
 * that is not JSON, an entry without a string `itemIdentifier` (empty, null, another key) or an
 * identifier that is not in the batch makes the whole batch a failure.
 */
export function parseBatchResponse(payload: Buffer, batchIds: ReadonlySet<string>): BatchResponse {
  const text = payload.toString('utf8').trim();
  if (text === '') return { kind: 'success' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'the response is not valid JSON' };
  }
  if (parsed === null) return { kind: 'success' };
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    return { kind: 'invalid', reason: 'the response is not a JSON object' };
  const list = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { kind: 'success' };
  if (!Array.isArray(list)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  const failed = new Set<string>();
  for (const item of list as unknown[]) {
    const id =
      item !== null && typeof item === 'object'
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || id === '')
      return { kind: 'invalid', reason: 'a batchItemFailures entry has no itemIdentifier' };
    if (!batchIds.has(id)) return { kind: 'invalid', reason: `itemIdentifier ${id} is not in the batch` };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'success' } : { kind: 'partial', failed };
}

/** Callers of a batch's records, de-duplicated by invocation. */
export function uniqueCallers(callers: Array<Caller | undefined>): Caller[] {
  const seen = new Map<string, Caller>();
  for (const c of callers) {
    if (!c) continue;
    const key = `${c.accessKeyId}\0${c.invocationRequestId ?? ''}`;
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

/** Exponential backoff: base, 2×base, 4×base ... capped. `attempt` starts at 1. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${(err as { code?: string }).code ?? err.name}: ${err.message}`;
  return String(err);
}

/** The account id in an ARN (`arn:aws:svc:region:account:...`). */
export function arnAccount(arn: string): string {
  return arn.split(':')[4] || '000000000000';
}
