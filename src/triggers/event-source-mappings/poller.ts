/** What every poller is given, and what it reports. */
import type { Invoker } from '../../runtime/types.ts';
import type { Clock } from '../../shared/clock.ts';
import { AwsServiceError } from '../../shared/errors.ts';
import type { RecordPredicate } from './filter.ts';
import type { EventSourceMappingCause, Log } from './ports.ts';

export interface PollerContext {
  invoker: Invoker;
  clock: Clock;
  region: string;
  log: Log;
  /** The mapping's FilterCriteria, compiled; undefined when it has none. */
  filter?: RecordPredicate;
  /** Called before each invocation; `false` vetoes it (loop detection). */
  onInvoke?: (cause: EventSourceMappingCause) => boolean | void;
  /** Backoff after throttling and failed invocations (ms). */
  backoff: { baseMs: number; maxMs: number };
}

export interface PollerStats {
  uuid: string;
  eventSourceArn: string;
  functionName: string;
  kind: 'sqs' | 'kinesis';
  invocations: number;
  functionErrors: number;
  throttles: number;
  /** Records the function handled successfully (SQS: deleted after the invocation). */
  recordsSucceeded: number;
  /** Records dropped by FilterCriteria without an invocation. */
  recordsFiltered: number;
  /** Kinesis: records discarded after retries or age ran out. */
  recordsDiscarded: number;
  inFlightBatches: number;
  /** In the words of GetEventSourceMapping's LastProcessingResult. */
  lastProcessingResult: string;
  /** Kinesis: the checkpoint per shard (the last sequence number processed). */
  shards?: Record<string, { checkpoint?: string; millisBehindLatest: number }>;
}

export interface Poller {
  start(): void;
  stop(): Promise<void>;
  stats(): PollerStats;
}

export function isThrottle(err: unknown): boolean {
  return err instanceof AwsServiceError && err.code === 'TooManyRequestsException';
}

export function newStats(
  kind: 'sqs' | 'kinesis',
  uuid: string,
  eventSourceArn: string,
  functionName: string,
): PollerStats {
  return {
    uuid,
    eventSourceArn,
    functionName,
    kind,
    invocations: 0,
    functionErrors: 0,
    throttles: 0,
    recordsSucceeded: 0,
    recordsFiltered: 0,
    recordsDiscarded: 0,
    inFlightBatches: 0,
    lastProcessingResult: 'No records processed',
  };
}
