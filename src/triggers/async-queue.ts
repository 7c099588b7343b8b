/**
 * Lambda's asynchronous invocation queue
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 *
 * Each function has an internal queue. A function error is retried `MaximumRetryAttempts` times
 * (0-2, default 2), one minute after the first attempt and two minutes after the second. Throttles
 * (429) and Lambda's own errors (5xx) are not attempts: the event goes back to the queue with an
 * exponential backoff from one second up to five minutes, for as long as the event is younger than
 * `MaximumEventAgeInSeconds` (60-21600, default 6 hours). Then the event goes to the OnSuccess or
 * OnFailure destination and/or the dead-letter queue. Nothing is lost silently: an event that has
 * nowhere to go is named in one log line.
 *
 * Local time runs faster: `retryDelayScale` (default 0.001) multiplies all of AWS's time constants
 * here — retry delays, throttle backoff and the maximum event age — so that a one-minute retry
 * delay takes 60 ms and the outcome of a given failure pattern is the one AWS would give. Set it
 * to 1 for AWS's real timing.
 */
import { randomUUID } from 'node:crypto';
import type { FunctionModel } from '../project/model.ts';
import { MAX_ASYNC_PAYLOAD_BYTES, type InvokeResult, type Invoker } from '../runtime/types.ts';
import type { Caller } from '../services/types.ts';
import type { Clock } from '../shared/clock.ts';
import { AwsServiceError } from '../shared/errors.ts';
import { extendCause, rootCause, type Cause, type TraceLog } from '../trace/index.ts';
import {
  arnService,
  deadLetterAttributes,
  invocationRecord,
  sendDeadLetter,
  sendToDestination,
  type RecordCondition,
} from './destinations.ts';
import { checkRecursiveLoop } from './loop-detection.ts';
import type { DestinationSinks, FunctionLookup, Log } from './ports.ts';

export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 6 * 60 * 60;
export const MIN_MAXIMUM_EVENT_AGE_SECONDS = 60;
/** Delays before the first and the second retry of a function error. */
export const RETRY_DELAYS_MS = [60_000, 120_000] as const;
export const THROTTLE_BACKOFF_MIN_MS = 1_000;
export const THROTTLE_BACKOFF_MAX_MS = 5 * 60_000;
export const DEFAULT_RETRY_DELAY_SCALE = 0.001;
/** Invocations in flight per function (the runtime's own default concurrency). */
export const DEFAULT_MAX_IN_FLIGHT = 10;

export interface AsyncInvokeOptions {
  /** Who asked (an SDK call from a function: its chain continues). */
  caller?: Caller;
  /** What caused it; derived from `caller` through the trace log when absent. */
  cause?: Cause;
  requestId?: string;
  /** What triggered it, for chains and log lines: `S3 uploads`, `SNS alerts`, `rule nightly`. */
  source?: string;
}

export interface AsyncFunctionStats {
  /** Waiting to run, or waiting for a retry. */
  queued: number;
  inFlight: number;
  succeeded: number;
  /** Ended in a failure that went to a destination or dead-letter queue. */
  failed: number;
  /** Ended nowhere (logged). */
  dropped: number;
  retries: number;
  throttles: number;
}

export interface AsyncInvokerStats extends AsyncFunctionStats {
  functions: Record<string, AsyncFunctionStats>;
}

export interface AsyncInvoker {
  /**
   * Queues an asynchronous invocation (Lambda's `InvocationType: Event`) and returns at once.
   * Throws AwsServiceError ResourceNotFoundException (404) for an unknown function and
   * RequestEntityTooLargeException (413) for a payload over 1 MB, as Lambda's Invoke API.
   */
  enqueue(functionName: string, payload: Buffer, options?: AsyncInvokeOptions): { requestId: string };
  stats(): AsyncInvokerStats;
  /** Resolves when nothing is queued, running or being delivered. */
  idle(): Promise<void>;
  /** Stops the queue; events still queued are dropped with one log line. */
  close(): void;
}

export interface AsyncInvokerDeps {
  invoker: Invoker;
  functions: FunctionLookup;
  sinks: DestinationSinks;
  clock: Clock;
  log: Log;
  /** Multiplies AWS's time constants (see the top of this file). Default 0.001. */
  retryDelayScale?: number;
  trace?: TraceLog;
  maxInFlightPerFunction?: number;
  newRequestId?: () => string;
}

interface QueuedEvent {
  requestId: string;
  fn: FunctionModel;
  payload: Buffer;
  enqueuedAt: number;
  cause: Cause;
  caller?: Caller;
  source?: string;
  /** Function invocations made (throttles excluded). */
  attempts: number;
  throttles: number;
  lastResult?: InvokeResult;
  /** HTTP status of the last answer (200 for function errors, 429 for throttles). */
  lastStatus?: number;
  lastErrorMessage?: string;
}

interface FunctionQueue {
  waiting: QueuedEvent[];
  inFlight: number;
  scheduled: number;
  stats: AsyncFunctionStats;
}

function emptyStats(): AsyncFunctionStats {
  return { queued: 0, inFlight: 0, succeeded: 0, failed: 0, dropped: 0, retries: 0, throttles: 0 };
}

function retryAttempts(fn: FunctionModel): number {
  const n = fn.eventInvokeConfig?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
  return Math.min(2, Math.max(0, Math.floor(n)));
}

function maxEventAgeMs(fn: FunctionModel): number {
  const s = fn.eventInvokeConfig?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS;
  return Math.min(DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, Math.max(MIN_MAXIMUM_EVENT_AGE_SECONDS, s)) * 1000;
}

class AsyncQueue implements AsyncInvoker {
  private readonly queues = new Map<string, FunctionQueue>();
  private readonly timers = new Set<{ cancel(): void }>();
  private readonly scale: number;
  private deliveries = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly deps: AsyncInvokerDeps) {
    this.scale = deps.retryDelayScale ?? DEFAULT_RETRY_DELAY_SCALE;
  }

  enqueue(functionName: string, payload: Buffer, options: AsyncInvokeOptions = {}): { requestId: string } {
    const fn = this.deps.functions.functionByArnOrName(functionName);
    if (!fn)
      throw new AwsServiceError('ResourceNotFoundException', 404, `Function not found: ${functionName}`);
    if (payload.length > MAX_ASYNC_PAYLOAD_BYTES)
      throw new AwsServiceError(
        'RequestEntityTooLargeException',
        413,
        `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      );
    const requestId = options.requestId ?? (this.deps.newRequestId ?? randomUUID)();
    const cause =
      options.cause ?? this.deps.trace?.causeFor(options.caller, requestId) ?? rootCause(requestId);
    const ev: QueuedEvent = {
      requestId,
      fn,
      payload,
      enqueuedAt: this.deps.clock.now(),
      cause,
      caller: options.caller,
      source: options.source,
      attempts: 0,
      throttles: 0,
    };
    if (this.closed) {
      this.drop(ev, 'the async queue is closed');
      return { requestId };
    }
    this.queue(fn).waiting.push(ev);
    this.pump(fn.logicalId);
    return { requestId };
  }

  private queue(fn: FunctionModel): FunctionQueue {
    let q = this.queues.get(fn.logicalId);
    if (!q) {
      q = { waiting: [], inFlight: 0, scheduled: 0, stats: emptyStats() };
      this.queues.set(fn.logicalId, q);
    }
    return q;
  }

  private limit(fn: FunctionModel): number {
    const reserved = fn.reservedConcurrentExecutions;
    if (reserved !== undefined && reserved > 0) return reserved;
    return this.deps.maxInFlightPerFunction ?? DEFAULT_MAX_IN_FLIGHT;
  }

  private pump(logicalId: string): void {
    const q = this.queues.get(logicalId);
    if (!q) return;
    while (!this.closed && q.waiting.length > 0 && q.inFlight < this.limit(q.waiting[0]!.fn)) {
      const ev = q.waiting.shift()!;
      q.inFlight++;
      void this.attempt(ev).finally(() => {
        q.inFlight--;
        this.pump(logicalId);
        this.checkIdle();
      });
    }
  }

  /** One pass of an event through the queue: run it, or decide where it goes. */
  private async attempt(ev: QueuedEvent): Promise<void> {
    // The template may have changed since the event was queued: the current configuration applies.
    const current =
      this.deps.functions.functionByArnOrName(ev.fn.arn) ??
      this.deps.functions.functionByArnOrName(ev.fn.logicalId);
    if (!current) return this.drop(ev, `function ${ev.fn.logicalId} no longer exists`);
    ev.fn = current;
    const now = this.deps.clock.now();
    if (now - ev.enqueuedAt > maxEventAgeMs(ev.fn) * this.scale) return this.fail(ev, 'EventAgeExceeded');
    if (ev.attempts === 0 && ev.throttles === 0) {
      const verdict = checkRecursiveLoop(ev.fn, ev.cause, ev.source);
      if (verdict.stop) {
        this.deps.log(verdict.message);
        ev.lastStatus = 400;
        ev.lastErrorMessage = `RecursiveInvocationException: ${verdict.message}`;
        return this.fail(ev, 'RecursiveInvocationDetected');
      }
      this.deps.trace?.recordInvocation({
        requestId: ev.requestId,
        functionLogicalId: ev.fn.logicalId,
        cause: ev.cause,
        ...(ev.source === undefined ? {} : { source: ev.source }),
      });
    }
    let result: InvokeResult;
    try {
      result = await this.deps.invoker.invoke(ev.fn.logicalId, {
        payload: ev.payload,
        invocationType: 'Event',
        requestId: ev.requestId,
        cause: ev.cause,
      });
    } catch (err) {
      return this.invokeFailed(ev, err);
    }
    ev.attempts++;
    ev.lastResult = result;
    ev.lastStatus = result.statusCode === 202 ? 200 : result.statusCode;
    if (!result.functionError) {
      this.fnStats(ev).succeeded++;
      const onSuccess = ev.fn.eventInvokeConfig?.destinationConfig?.onSuccess?.destination;
      if (onSuccess) await this.deliverRecord(ev, onSuccess, 'Success');
      return;
    }
    ev.lastErrorMessage = result.error
      ? `${result.error.errorType}: ${result.error.errorMessage}`
      : result.payload.toString('utf8');
    if (ev.attempts > retryAttempts(ev.fn)) return this.fail(ev, 'RetriesExhausted');
    this.fnStats(ev).retries++;
    this.retryLater(ev, (RETRY_DELAYS_MS[ev.attempts - 1] ?? RETRY_DELAYS_MS[1]) * this.scale);
  }

  private async invokeFailed(ev: QueuedEvent, err: unknown): Promise<void> {
    if (!(err instanceof AwsServiceError)) {
      ev.lastErrorMessage = err instanceof Error ? err.message : String(err);
      return this.fail(ev, 'RetriesExhausted');
    }
    ev.lastStatus = err.statusCode;
    ev.lastErrorMessage = `${err.code}: ${err.message}`;
    if (err.code === 'ResourceNotFoundException')
      return this.drop(ev, `function ${ev.fn.logicalId} no longer exists`);
    if (err.statusCode === 429 && ev.fn.reservedConcurrentExecutions === 0) {
      // Reserved concurrency 0: Lambda sends new events straight to the DLQ / on-failure destination.
      return this.fail(ev, 'RetriesExhausted');
    }
    if (err.statusCode === 429 || err.statusCode >= 500) {
      ev.throttles++;
      this.fnStats(ev).throttles++;
      const backoff = Math.min(THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_MIN_MS * 2 ** (ev.throttles - 1));
      this.retryLater(ev, backoff * this.scale);
      return;
    }
    return this.fail(ev, 'RetriesExhausted');
  }

  private retryLater(ev: QueuedEvent, delayMs: number): void {
    const q = this.queue(ev.fn);
    q.scheduled++;
    const timer = this.deps.clock.setTimeout(() => {
      this.timers.delete(timer);
      q.scheduled--;
      if (this.closed) return;
      q.waiting.push(ev);
      this.pump(ev.fn.logicalId);
    }, delayMs);
    this.timers.add(timer);
  }

  private fnStats(ev: QueuedEvent): AsyncFunctionStats {
    return this.queue(ev.fn).stats;
  }

  /** The event failed for good: OnFailure destination and/or dead-letter queue, else one log line. */
  private async fail(ev: QueuedEvent, condition: RecordCondition): Promise<void> {
    const onFailure = ev.fn.eventInvokeConfig?.destinationConfig?.onFailure?.destination;
    const dlq = ev.fn.deadLetterQueue;
    const why = this.describeFailure(ev, condition);
    if (!onFailure && !dlq) {
      this.drop(ev, `it ${why}, and the function has no OnFailure destination or DeadLetterQueue`);
      return;
    }
    this.fnStats(ev).failed++;
    const sent: string[] = [];
    if (onFailure && (await this.deliverRecord(ev, onFailure, condition)))
      sent.push(`OnFailure ${onFailure}`);
    if (dlq && (await this.deliverDeadLetter(ev, dlq.targetArn)))
      sent.push(`DeadLetterQueue ${dlq.targetArn}`);
    if (sent.length > 0)
      this.deps.log(`${ev.fn.logicalId}: async event ${ev.requestId} ${why}; sent to ${sent.join(' and ')}.`);
  }

  private describeFailure(ev: QueuedEvent, condition: RecordCondition): string {
    const error = ev.lastErrorMessage ? ` (${ev.lastErrorMessage})` : '';
    switch (condition) {
      case 'EventAgeExceeded':
        return `is older than its MaximumEventAgeInSeconds after ${ev.attempts} attempt(s)${error}`;
      case 'RecursiveInvocationDetected':
        return 'was stopped as a recursive loop';
      default:
        return `failed after ${ev.attempts} attempt(s)${error}`;
    }
  }

  private drop(ev: QueuedEvent, why: string): void {
    this.fnStats(ev).dropped++;
    this.deps.log(`${ev.fn.logicalId}: dropped async event ${ev.requestId}: ${why}.`);
  }

  /** The caller of what a destination receives: the invocation itself, so chains continue. */
  private invocationCaller(ev: QueuedEvent): Caller {
    return {
      accessKeyId: 'slipway-async-invoke',
      functionLogicalId: ev.fn.logicalId,
      invocationRequestId: ev.requestId,
    };
  }

  private async deliverRecord(
    ev: QueuedEvent,
    destination: string,
    condition: RecordCondition,
  ): Promise<boolean> {
    const record = invocationRecord({
      fn: ev.fn,
      requestId: ev.requestId,
      condition,
      invokeCount: ev.attempts,
      payload: ev.payload,
      result: ev.lastResult,
      now: this.deps.clock.now(),
    });
    return this.delivering(
      ev,
      `the ${condition === 'Success' ? 'OnSuccess' : 'OnFailure'} record to ${destination}`,
      async () => {
        const isFunction =
          arnService(destination) === 'lambda' ||
          (!destination.startsWith('arn:') &&
            this.deps.functions.functionByArnOrName(destination) !== undefined);
        if (isFunction) {
          const cause = extendCause(ev.cause, {
            functionLogicalId: ev.fn.logicalId,
            requestId: ev.requestId,
            ...(ev.source === undefined ? {} : { source: ev.source }),
          });
          this.enqueue(destination, Buffer.from(JSON.stringify(record)), {
            cause,
            source: `${ev.fn.logicalId} ${condition === 'Success' ? 'OnSuccess' : 'OnFailure'}`,
          });
          return;
        }
        await sendToDestination(this.deps.sinks, destination, record, this.invocationCaller(ev));
      },
    );
  }

  private async deliverDeadLetter(ev: QueuedEvent, targetArn: string): Promise<boolean> {
    const attributes = deadLetterAttributes(
      ev.requestId,
      ev.lastStatus ?? 200,
      ev.lastErrorMessage ?? 'Unknown error',
    );
    return this.delivering(ev, `the event to its DeadLetterQueue ${targetArn}`, () =>
      sendDeadLetter(
        this.deps.sinks,
        targetArn,
        ev.payload.toString('utf8'),
        attributes,
        this.invocationCaller(ev),
      ),
    );
  }

  private async delivering(ev: QueuedEvent, what: string, send: () => Promise<void>): Promise<boolean> {
    this.deliveries++;
    try {
      await send();
      return true;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.deps.log(
        `${ev.fn.logicalId}: could not send ${what} for async event ${ev.requestId}: ${reason}; the event is dropped.`,
      );
      this.fnStats(ev).dropped++;
      return false;
    } finally {
      this.deliveries--;
      this.checkIdle();
    }
  }

  stats(): AsyncInvokerStats {
    const total: AsyncInvokerStats = { ...emptyStats(), functions: {} };
    for (const [id, q] of this.queues) {
      const s: AsyncFunctionStats = {
        ...q.stats,
        queued: q.waiting.length + q.scheduled,
        inFlight: q.inFlight,
      };
      total.functions[id] = s;
      for (const k of Object.keys(s) as Array<keyof AsyncFunctionStats>) total[k] += s[k];
    }
    return total;
  }

  private busy(): boolean {
    if (this.deliveries > 0) return true;
    for (const q of this.queues.values()) if (q.waiting.length + q.scheduled + q.inFlight > 0) return true;
    return false;
  }

  private checkIdle(): void {
    if (this.busy() || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  idle(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    const lost: string[] = [];
    for (const [id, q] of this.queues) {
      const n = q.waiting.length + q.scheduled;
      if (n > 0) lost.push(`${id} (${n})`);
      q.stats.dropped += n;
      q.waiting = [];
      q.scheduled = 0;
    }
    if (lost.length > 0)
      this.deps.log(`Async invoke queue closed: dropped queued events of ${lost.join(', ')}.`);
    this.checkIdle();
  }
}

export function createAsyncInvoker(deps: AsyncInvokerDeps): AsyncInvoker {
  return new AsyncQueue(deps);
}
