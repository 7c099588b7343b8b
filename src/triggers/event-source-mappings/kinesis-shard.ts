/**
 * One shard of a Kinesis event source mapping.
 *
 * A reader follows the shard from the checkpoint, waking on the stream's push notification, and
 * deals each record to one of ParallelizationFactor lanes by a hash of its partition key. A lane
 * processes its records in order, one batch at a time; a failing batch is retried and blocks its
 * lane (with ParallelizationFactor 1, the shard) until it succeeds or is discarded: after
 * MaximumRetryAttempts function errors or once its oldest record is older than
 * MaximumRecordAgeInSeconds. BisectBatchOnFunctionError splits a failing batch in two (not counted
 * as a retry); ReportBatchItemFailures checkpoints before the lowest failed sequence number and
 * retries from there. A discarded batch goes to the OnFailure destination as Lambda's invocation
 * record. The shard's checkpoint is the last record such that it and every record before it are
 * done, so a restart resumes where processing truly stopped.
 */
import { createHash } from 'node:crypto';
import type { InvokeResult } from '../../runtime/types.ts';
import {
  backoffMs,
  errorText,
  Latch,
  parseBatchResponse,
  sleep,
  uniqueCallers,
  waitOrTimeout,
  WakeSignal,
} from './common.ts';
import { kinesisEventRecord, kinesisFailureRecord, type DiscardCondition } from './events.ts';
import { kinesisFilterView } from './filter.ts';
import { isThrottle, type PollerContext, type PollerStats } from './poller.ts';
import type {
  CheckpointsPort,
  DestinationsPort,
  EventSourceMappingCause,
  EventSourceMappingConfig,
  KinesisPort,
  KinesisPosition,
  KinesisStreamRecord,
} from './ports.ts';

/** GetRecords returns at most this many records. */
const MAX_READ = 10_000;

interface Entry {
  record: KinesisStreamRecord;
  done: boolean;
  /** Clock time the reader dealt it to its lane (the batching window starts there). */
  readAt: number;
}

interface Lane {
  queue: Entry[];
  signal: WakeSignal;
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'partial'; firstFailed: number; result: InvokeResult }
  | { kind: 'failed'; result: InvokeResult }
  | { kind: 'unreached' }
  | { kind: 'vetoed' };

export interface ShardSettings {
  config: EventSourceMappingConfig;
  kinesis: KinesisPort;
  destinations: DestinationsPort;
  checkpoints: CheckpointsPort;
  ctx: PollerContext;
  stats: PollerStats;
  functionArn: string;
  invokeIdentityArn: string;
  rbif: boolean;
}

export function laneOf(partitionKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % lanes;
}

export class ShardConsumer {
  private readonly wake = new WakeSignal();
  private readonly progress = new WakeSignal();
  private readonly stopSignal = new Latch();
  private readonly lanes: Lane[];
  private readonly pending: Entry[] = [];
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly capacity: number;
  private loops: Array<Promise<void>> = [];
  private position: KinesisPosition = { type: 'TRIM_HORIZON' };
  private checkpoint: string | undefined;
  private persisting: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private millisBehind = 0;

  constructor(
    readonly shardId: string,
    private readonly s: ShardSettings,
    /** Where to start when no checkpoint exists. */
    private readonly start: KinesisPosition,
  ) {
    const pf = Math.max(1, Math.min(10, Math.floor(s.config.ParallelizationFactor ?? 1)));
    this.lanes = Array.from({ length: pf }, () => ({ queue: [], signal: new WakeSignal() }));
    this.batchSize = Math.max(1, Math.floor(s.config.BatchSize ?? 100));
    this.windowMs = Math.max(0, (s.config.MaximumBatchingWindowInSeconds ?? 0) * 1000);
    this.capacity = Math.min(MAX_READ, Math.max(this.batchSize * pf * 2, 100));
  }

  private get key(): string {
    return `${this.s.config.UUID}/${this.shardId}`;
  }

  private get streamArn(): string {
    return this.s.config.EventSourceArn;
  }

  run(): void {
    this.loops.push(this.read());
    for (const lane of this.lanes) this.loops.push(this.processLane(lane));
  }

  notify(): void {
    this.wake.notify();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.notify();
    this.progress.notify();
    this.stopSignal.fire();
    for (const lane of this.lanes) lane.signal.notify();
    await Promise.all(this.loops);
    await this.persisting;
  }

  info(): { checkpoint?: string; millisBehindLatest: number } {
    return {
      ...(this.checkpoint ? { checkpoint: this.checkpoint } : {}),
      millisBehindLatest: this.millisBehind,
    };
  }

  // ---- reading -------------------------------------------------------------------------------

  private async initPosition(): Promise<void> {
    const saved = await this.s.checkpoints.get(this.key);
    if (saved) {
      this.checkpoint = saved;
      this.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: saved };
      return;
    }
    if (this.start.type !== 'LATEST') {
      this.position = this.start;
      return;
    }
    // LATEST is fixed now, so records put between this and the first read are not missed.
    const latest = await this.s.kinesis.latestSequenceNumber(this.streamArn, this.shardId);
    if (latest === undefined) return; // empty shard: everything from here on is new
    this.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: latest };
    this.saveCheckpoint(latest);
  }

  private async read(): Promise<void> {
    let failures = 0;
    let initialized = false;
    let lastError = '';
    while (!this.stopped) {
      const seen = this.wake.epoch;
      const progressSeen = this.progress.epoch;
      try {
        if (!initialized) {
          await this.initPosition();
          initialized = true;
        }
        if (this.pending.length >= this.capacity) {
          await this.progress.wait(progressSeen);
          continue;
        }
        const limit = Math.min(MAX_READ, this.capacity - this.pending.length);
        const got = await this.s.kinesis.readRecords(this.streamArn, this.shardId, this.position, limit);
        failures = 0;
        lastError = '';
        this.millisBehind = got.millisBehindLatest;
        if (got.records.length === 0) {
          await this.wake.wait(seen);
          continue;
        }
        this.deal(got.records);
      } catch (err) {
        failures++;
        const text = errorText(err);
        if (text !== lastError && !this.stopped)
          this.s.ctx.log(`kinesis mapping ${this.s.config.UUID}: cannot read ${this.shardId}: ${text}`);
        lastError = text;
        await waitOrTimeout(this.s.ctx.clock, this.wake, seen, backoffMs(failures, 1000, 30_000));
      }
    }
  }

  private deal(records: KinesisStreamRecord[]): void {
    const now = this.s.ctx.clock.now();
    const touched = new Set<Lane>();
    for (const record of records) {
      const entry: Entry = { record, done: false, readAt: now };
      this.pending.push(entry);
      const lane = this.lanes[laneOf(record.partitionKey, this.lanes.length)] as Lane;
      lane.queue.push(entry);
      touched.add(lane);
    }
    const last = records[records.length - 1] as KinesisStreamRecord;
    this.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last.sequenceNumber };
    for (const lane of touched) lane.signal.notify();
  }

  // ---- checkpointing -------------------------------------------------------------------------

  private markDone(entries: Entry[]): void {
    for (const e of entries) e.done = true;
    let last: Entry | undefined;
    while (this.pending[0]?.done) last = this.pending.shift();
    if (last) {
      this.saveCheckpoint(last.record.sequenceNumber);
      this.progress.notify();
    }
  }

  private saveCheckpoint(sequenceNumber: string): void {
    this.checkpoint = sequenceNumber;
    this.persisting = this.persisting
      .then(() => this.s.checkpoints.put(this.key, sequenceNumber))
      .catch((err: unknown) =>
        this.s.ctx.log(
          `kinesis mapping ${this.s.config.UUID}: cannot save the checkpoint: ${errorText(err)}`,
        ),
      );
  }

  // ---- processing ----------------------------------------------------------------------------

  private async processLane(lane: Lane): Promise<void> {
    while (!this.stopped) {
      const seen = lane.signal.epoch;
      const first = lane.queue[0];
      if (!first) {
        await lane.signal.wait(seen);
        continue;
      }
      if (lane.queue.length < this.batchSize && this.windowMs > 0) {
        const wait = first.readAt + this.windowMs - this.s.ctx.clock.now();
        if (wait > 0) {
          await waitOrTimeout(this.s.ctx.clock, lane.signal, seen, wait);
          continue;
        }
      }
      const batch = lane.queue.slice(0, this.batchSize);
      this.s.stats.inFlightBatches++;
      let completed: boolean;
      try {
        completed = await this.runBatch(batch, 0);
      } finally {
        this.s.stats.inFlightBatches--;
      }
      if (!completed) break;
      lane.queue.splice(0, batch.length);
    }
  }

  /** Processes `entries` until each is done or discarded; false when stopped first. */
  private async runBatch(entries: Entry[], retriesSoFar: number): Promise<boolean> {
    const { config, ctx } = this.s;
    const maxRetries = config.MaximumRetryAttempts ?? -1;
    const maxAgeMs = (config.MaximumRecordAgeInSeconds ?? -1) * 1000;
    let current = entries;
    let retries = retriesSoFar;
    let unreached = 0;
    let invokes = 0;
    let last: InvokeResult | undefined;
    while (current.length > 0) {
      if (this.stopped) return false;
      const oldest = (current[0] as Entry).record.approximateArrivalTimestamp * 1000;
      if (maxAgeMs >= 0 && ctx.clock.now() - oldest > maxAgeMs) {
        await this.discard(current, 'RecordAgeExceeded', invokes, last);
        return true;
      }
      const outcome = await this.invoke(current);
      if (outcome.kind === 'ok' || outcome.kind === 'vetoed') {
        this.markDone(current);
        if (outcome.kind === 'ok') this.s.stats.recordsSucceeded += current.length;
        return true;
      }
      if (outcome.kind === 'unreached') {
        // Throttled or not invocable: retried until the records expire, not counted as a retry.
        unreached++;
        if (!(await this.backoff(unreached))) return false;
        continue;
      }
      invokes++;
      last = outcome.result;
      unreached = 0;
      if (outcome.kind === 'partial') {
        const done = current.slice(0, outcome.firstFailed);
        this.markDone(done);
        this.s.stats.recordsSucceeded += done.length;
        current = current.slice(outcome.firstFailed);
      } else if (config.BisectBatchOnFunctionError && current.length > 1) {
        const half = Math.ceil(current.length / 2);
        if (!(await this.runBatch(current.slice(0, half), retries))) return false;
        return this.runBatch(current.slice(half), retries);
      }
      retries++;
      if (maxRetries >= 0 && retries > maxRetries) {
        await this.discard(current, 'RetryAttemptsExhausted', invokes, last);
        return true;
      }
      if (!(await this.backoff(retries))) return false;
    }
    return true;
  }

  private backoff(attempt: number): Promise<boolean> {
    const { baseMs, maxMs } = this.s.ctx.backoff;
    return sleep(this.s.ctx.clock, backoffMs(attempt, baseMs, maxMs), this.stopSignal);
  }

  private async invoke(entries: Entry[]): Promise<Outcome> {
    const { config, ctx, stats } = this.s;
    const records = entries.map((e) =>
      kinesisEventRecord(e.record, this.shardId, this.streamArn, ctx.region, this.s.invokeIdentityArn),
    );
    const filter = ctx.filter;
    const keep = filter ? records.map((r) => filter(kinesisFilterView(r))) : undefined;
    const passing = keep ? records.filter((_, i) => keep[i]) : records;
    if (passing.length === 0) {
      stats.recordsFiltered += records.length;
      return { kind: 'vetoed' };
    }
    const passingEntries = keep ? entries.filter((_, i) => keep[i]) : entries;
    const cause: EventSourceMappingCause = {
      kind: 'EventSourceMapping',
      eventSource: 'aws:kinesis',
      mappingUuid: config.UUID,
      eventSourceArn: this.streamArn,
      functionName: config.FunctionName,
      callers: uniqueCallers(passingEntries.map((e) => e.record.caller)),
      itemIds: passing.map((r) => r.kinesis.sequenceNumber),
      shardId: this.shardId,
    };
    if (ctx.onInvoke?.(cause) === false) {
      ctx.log(
        `kinesis mapping ${config.UUID}: invocation of ${config.FunctionName} stopped; records skipped`,
      );
      return { kind: 'vetoed' };
    }
    let result: InvokeResult;
    try {
      result = await ctx.invoker.invoke(config.FunctionName, {
        payload: Buffer.from(JSON.stringify({ Records: passing })),
        cause,
      });
    } catch (err) {
      if (isThrottle(err)) {
        stats.throttles++;
        stats.lastProcessingResult = 'PROBLEM: Function call throttled';
      } else {
        stats.lastProcessingResult = `PROBLEM: ${errorText(err)}`;
        ctx.log(`kinesis mapping ${config.UUID}: cannot invoke ${config.FunctionName}: ${errorText(err)}`);
      }
      return { kind: 'unreached' };
    }
    stats.invocations++;
    if (keep) stats.recordsFiltered += records.length - passing.length;
    if (result.functionError) {
      stats.functionErrors++;
      stats.lastProcessingResult = 'PROBLEM: Function call failed';
      return { kind: 'failed', result };
    }
    stats.lastProcessingResult = 'OK';
    if (!this.s.rbif) return { kind: 'ok' };
    const response = parseBatchResponse(result.payload, new Set(cause.itemIds));
    if (response.kind === 'success') return { kind: 'ok' };
    if (response.kind === 'invalid') {
      stats.functionErrors++;
      stats.lastProcessingResult = 'PROBLEM: Invalid batchItemFailures response';
      ctx.log(
        `kinesis mapping ${config.UUID}: ${config.FunctionName} returned an invalid partial batch response ` +
          `(${response.reason}); the whole batch is retried`,
      );
      return { kind: 'failed', result };
    }
    // Checkpoint before the lowest failed record (records of one shard come in sequence order).
    const firstFailed = entries.findIndex((e) => response.failed.has(e.record.sequenceNumber));
    return { kind: 'partial', firstFailed: Math.max(0, firstFailed), result };
  }

  private async discard(
    entries: Entry[],
    condition: DiscardCondition,
    invokeCount: number,
    last: InvokeResult | undefined,
  ): Promise<void> {
    const { config, ctx, stats } = this.s;
    const records = entries.map((e) => e.record);
    const first = records[0] as KinesisStreamRecord;
    const final = records[records.length - 1] as KinesisStreamRecord;
    const destination = config.DestinationConfig?.OnFailure?.Destination;
    ctx.log(
      `kinesis mapping ${config.UUID}: discarded ${records.length} record(s) of ${this.shardId} ` +
        `(${first.sequenceNumber}..${final.sequenceNumber}): ${condition}` +
        (destination ? `; sent to ${destination}` : ''),
    );
    if (destination) {
      const record = kinesisFailureRecord({
        records,
        shardId: this.shardId,
        streamArn: this.streamArn,
        functionArn: this.s.functionArn,
        condition,
        invokeCount,
        ...(last ? { last } : {}),
        now: ctx.clock.now(),
      });
      try {
        await this.s.destinations.sendToDestination(destination, record);
      } catch (err) {
        ctx.log(`kinesis mapping ${config.UUID}: cannot send to ${destination}: ${errorText(err)}`);
      }
    }
    stats.recordsDiscarded += records.length;
    this.markDone(entries);
  }
}
