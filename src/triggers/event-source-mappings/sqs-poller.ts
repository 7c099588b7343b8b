/**
 * An SQS event source mapping (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
 *
 * Lambda polls SQS, so this polls too, but only when woken: each of the mapping's concurrent
 * pollers receives until the queue is empty, then sleeps until the queue's push wake-up
 * (`onMessageAvailable`) says a message may be there. No timer runs while a queue is idle.
 *
 * A poller gathers up to BatchSize messages within MaximumBatchingWindowInSeconds (the window
 * opens with the first message), drops the ones FilterCriteria reject (deleting them, as Lambda
 * does), invokes the function synchronously and then deletes what succeeded. A failed batch is
 * left alone: its messages reappear when the queue's visibility timeout ends, and the queue's
 * RedrivePolicy moves them to the dead-letter queue after maxReceiveCount (the SQS service's job).
 * Throttling releases the messages at once and backs the mapping off.
 *
 * Concurrency: AWS starts with five concurrent batches and scales toward ScalingConfig.MaximumConcurrency
 * (2-1000). Locally a mapping runs MaximumConcurrency pollers when set, else DEFAULT_SQS_CONCURRENCY.
 * FIFO queues: SQS hands out no message of a group while another of that group is in flight, so a
 * group has at most one batch in flight; a batch keeps the queue's order.
 */
import { MAX_SYNC_PAYLOAD_BYTES } from '../../runtime/types.ts';
import {
  backoffMs,
  errorText,
  Latch,
  parseBatchResponse,
  reportsBatchItemFailures,
  sleep,
  uniqueCallers,
  waitOrTimeout,
  WakeSignal,
} from './common.ts';
import { sqsEventRecord, type SqsEventRecord } from './events.ts';
import { sqsFilterView } from './filter.ts';
import { isThrottle, newStats, type Poller, type PollerContext, type PollerStats } from './poller.ts';
import type {
  EventSourceMappingCause,
  EventSourceMappingConfig,
  SqsPort,
  SqsReceivedMessage,
} from './ports.ts';

/** Concurrent batches per SQS mapping without ScalingConfig (AWS starts with five). */
export const DEFAULT_SQS_CONCURRENCY = 5;
export const MIN_MAXIMUM_CONCURRENCY = 2;
export const MAX_MAXIMUM_CONCURRENCY = 1000;
/** SQS ReceiveMessage returns at most ten messages per call. */
const MAX_RECEIVE = 10;
/** A new queue's VisibilityTimeout default. */
const DEFAULT_VISIBILITY_TIMEOUT_S = 30;
/** Room kept for the event's own keys when summing message sizes against the 6 MB payload limit. */
const RECORD_OVERHEAD_BYTES = 1024;
/** Gathering stops here: JSON escaping can grow a body, and the event must stay under 6 MB. */
const GATHER_LIMIT_BYTES = MAX_SYNC_PAYLOAD_BYTES / 2;

export function sqsConcurrency(config: EventSourceMappingConfig): number {
  const max = config.ScalingConfig?.MaximumConcurrency;
  if (max === undefined) return DEFAULT_SQS_CONCURRENCY;
  return Math.max(MIN_MAXIMUM_CONCURRENCY, Math.min(MAX_MAXIMUM_CONCURRENCY, Math.floor(max)));
}

function approximateSize(m: SqsReceivedMessage): number {
  let n = Buffer.byteLength(m.body) + RECORD_OVERHEAD_BYTES;
  for (const [k, v] of Object.entries(m.messageAttributes ?? {})) n += k.length + JSON.stringify(v).length;
  return n;
}

export class SqsPoller implements Poller {
  private readonly wake = new WakeSignal();
  private readonly stopSignal = new Latch();
  private readonly abort = new AbortController();
  private readonly timers = new Set<{ cancel(): void }>();
  private readonly counters: PollerStats;
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly rbif: boolean;
  private workers: Array<Promise<void>> = [];
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private pausedUntil = 0;
  private throttleAttempts = 0;
  private visibilityTimeoutS = DEFAULT_VISIBILITY_TIMEOUT_S;
  private hasRedrive = false;
  private lastReceiveError = '';

  constructor(
    private readonly config: EventSourceMappingConfig,
    private readonly sqs: SqsPort,
    private readonly ctx: PollerContext,
  ) {
    this.counters = newStats('sqs', config.UUID, config.EventSourceArn, config.FunctionName);
    this.batchSize = Math.max(1, Math.floor(config.BatchSize ?? 10));
    this.windowMs = Math.max(0, (config.MaximumBatchingWindowInSeconds ?? 0) * 1000);
    this.rbif = reportsBatchItemFailures(config);
  }

  private get queueArn(): string {
    return this.config.EventSourceArn;
  }

  start(): void {
    if (this.workers.length > 0 || this.stopped) return;
    this.unsubscribe = this.sqs.onMessageAvailable(this.queueArn, () => this.wake.notify());
    const n = sqsConcurrency(this.config);
    for (let i = 0; i < n; i++) this.workers.push(this.worker());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.abort.abort();
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.wake.notify();
    this.stopSignal.fire();
    await Promise.all(this.workers);
  }

  stats(): PollerStats {
    return { ...this.counters };
  }

  private async worker(): Promise<void> {
    await this.readQueueAttributes();
    while (!this.stopped) {
      try {
        await this.waitUnpaused();
        const batch = await this.gather();
        if (this.stopped) {
          await this.release(batch);
          break;
        }
        if (batch.length > 0) await this.process(batch);
      } catch (err) {
        // A port call failed unexpectedly: say so and back off rather than spin.
        this.ctx.log(`sqs mapping ${this.config.UUID}: ${errorText(err)}`);
        this.pause(this.ctx.backoff.maxMs);
      }
    }
  }

  private async readQueueAttributes(): Promise<void> {
    try {
      const attrs = await this.sqs.getQueueAttributes(this.queueArn);
      const vt = Number(attrs.VisibilityTimeout);
      if (Number.isFinite(vt) && vt >= 0) this.visibilityTimeoutS = vt;
      this.hasRedrive = Boolean(attrs.RedrivePolicy);
    } catch {
      // The queue may not exist yet; receiving reports that.
    }
  }

  private pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.ctx.clock.now() + ms);
  }

  private async waitUnpaused(): Promise<void> {
    const wait = this.pausedUntil - this.ctx.clock.now();
    if (wait > 0) await sleep(this.ctx.clock, wait, this.stopSignal);
  }

  private async receive(max: number): Promise<SqsReceivedMessage[] | undefined> {
    try {
      const got = await this.sqs.receiveMessages(this.queueArn, {
        maxNumberOfMessages: Math.max(1, Math.min(MAX_RECEIVE, max)),
        waitTimeSeconds: 0,
        signal: this.abort.signal,
      });
      this.lastReceiveError = '';
      return got;
    } catch (err) {
      const text = errorText(err);
      if (text !== this.lastReceiveError && !this.stopped)
        this.ctx.log(`sqs mapping ${this.config.UUID}: cannot receive from ${this.queueArn}: ${text}`);
      this.lastReceiveError = text;
      return undefined;
    }
  }

  /** Up to BatchSize messages, within the batching window; empty only when stopped. */
  private async gather(): Promise<SqsReceivedMessage[]> {
    const batch: SqsReceivedMessage[] = [];
    let bytes = 0;
    let deadline = Infinity;
    let failures = 0;
    while (!this.stopped) {
      const seen = this.wake.epoch;
      const want = Math.min(MAX_RECEIVE, this.batchSize - batch.length);
      const got = await this.receive(want);
      if (got === undefined) {
        // The queue is missing or failing: retry on a wake-up or after a backoff, whichever first.
        failures++;
        await waitOrTimeout(
          this.ctx.clock,
          this.wake,
          seen,
          backoffMs(failures, this.ctx.backoff.baseMs, 30_000),
        );
        continue;
      }
      for (const m of got) {
        batch.push(m);
        bytes += approximateSize(m);
      }
      if (batch.length >= this.batchSize || bytes >= GATHER_LIMIT_BYTES) break;
      const now = this.ctx.clock.now();
      if (got.length > 0) {
        if (deadline === Infinity) deadline = now + this.windowMs;
        if (got.length < want && now >= deadline) break;
        continue;
      }
      if (batch.length === 0) {
        await this.wake.wait(seen);
        continue;
      }
      if (now >= deadline) break;
      await waitOrTimeout(this.ctx.clock, this.wake, seen, deadline - now);
    }
    return batch;
  }

  private cause(messages: SqsReceivedMessage[]): EventSourceMappingCause {
    return {
      kind: 'EventSourceMapping',
      eventSource: 'aws:sqs',
      mappingUuid: this.config.UUID,
      eventSourceArn: this.queueArn,
      functionName: this.config.FunctionName,
      callers: uniqueCallers(messages.map((m) => m.caller)),
      itemIds: messages.map((m) => m.messageId),
    };
  }

  private async process(batch: SqsReceivedMessage[]): Promise<void> {
    let messages = batch;
    let records = batch.map((m) => sqsEventRecord(m, this.queueArn, this.ctx.region));
    const filter = this.ctx.filter;
    if (filter) {
      const keep = records.map((r) => filter(sqsFilterView(r)));
      const dropped = batch.filter((_, i) => !keep[i]);
      messages = batch.filter((_, i) => keep[i]);
      records = records.filter((_, i) => keep[i]);
      if (dropped.length > 0) {
        this.counters.recordsFiltered += dropped.length;
        await this.delete(dropped, false);
      }
      if (messages.length === 0) return;
    }
    const cause = this.cause(messages);
    if (this.ctx.onInvoke?.(cause) === false) {
      // Vetoed (a recursive loop): with a dead-letter queue the messages go on to it through the
      // redrive policy; without one they are dropped, as Lambda does.
      this.ctx.log(`sqs mapping ${this.config.UUID}: invocation of ${this.config.FunctionName} stopped`);
      if (!this.hasRedrive) await this.delete(messages, false);
      return;
    }
    this.counters.inFlightBatches++;
    try {
      await this.invoke(messages, records, cause);
    } finally {
      this.counters.inFlightBatches--;
    }
  }

  private async invoke(
    messages: SqsReceivedMessage[],
    records: SqsEventRecord[],
    cause: EventSourceMappingCause,
  ): Promise<void> {
    const payload = Buffer.from(JSON.stringify({ Records: records }));
    let result;
    try {
      result = await this.ctx.invoker.invoke(this.config.FunctionName, { payload, cause });
    } catch (err) {
      if (isThrottle(err)) {
        this.counters.throttles++;
        this.counters.lastProcessingResult = 'PROBLEM: Function call throttled';
        this.throttleAttempts++;
        await this.release(messages);
        this.pause(backoffMs(this.throttleAttempts, this.ctx.backoff.baseMs, this.ctx.backoff.maxMs));
        return;
      }
      this.counters.lastProcessingResult = `PROBLEM: ${errorText(err)}`;
      this.ctx.log(
        `sqs mapping ${this.config.UUID}: cannot invoke ${this.config.FunctionName}: ${errorText(err)}`,
      );
      this.retryLater();
      this.pause(this.ctx.backoff.baseMs);
      return;
    }
    this.throttleAttempts = 0;
    this.counters.invocations++;
    if (result.functionError) {
      this.counters.functionErrors++;
      this.counters.lastProcessingResult = 'PROBLEM: Function call failed';
      this.retryLater();
      return;
    }
    if (!this.rbif) {
      this.counters.lastProcessingResult = 'OK';
      await this.delete(messages);
      return;
    }
    const response = parseBatchResponse(result.payload, new Set(messages.map((m) => m.messageId)));
    if (response.kind === 'invalid') {
      this.counters.functionErrors++;
      this.counters.lastProcessingResult = 'PROBLEM: Invalid batchItemFailures response';
      this.ctx.log(
        `sqs mapping ${this.config.UUID}: ${this.config.FunctionName} returned an invalid partial batch response ` +
          `(${response.reason}); the whole batch is retried`,
      );
      this.retryLater();
      return;
    }
    const succeeded =
      response.kind === 'success' ? messages : messages.filter((m) => !response.failed.has(m.messageId));
    this.counters.lastProcessingResult = 'OK';
    await this.delete(succeeded);
    if (succeeded.length < messages.length) this.retryLater();
  }

  /** Failed messages reappear when their visibility timeout ends; look again then. */
  private retryLater(): void {
    void this.readQueueAttributes();
    const timer = this.ctx.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.wake.notify();
    }, this.visibilityTimeoutS * 1000);
    this.timers.add(timer);
  }

  private async delete(messages: SqsReceivedMessage[], succeeded = true): Promise<void> {
    await Promise.all(
      messages.map(async (m) => {
        try {
          await this.sqs.deleteMessage(this.queueArn, m.receiptHandle);
          if (succeeded) this.counters.recordsSucceeded++;
        } catch (err) {
          this.ctx.log(`sqs mapping ${this.config.UUID}: cannot delete ${m.messageId}: ${errorText(err)}`);
        }
      }),
    );
  }

  /** Makes messages visible again at once (throttled, or the mapping stopped). */
  private async release(messages: SqsReceivedMessage[]): Promise<void> {
    await Promise.all(
      messages.map(async (m) => {
        try {
          await this.sqs.changeMessageVisibility(this.queueArn, m.receiptHandle, 0);
        } catch {
          // Already gone or expired: it reappears on its own.
        }
      }),
    );
  }
}
