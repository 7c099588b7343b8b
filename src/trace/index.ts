/**
 * Causes, chains and invocation records (DESIGN.md, "Causes are exact, not guessed").
 *
 * Every AWS call that reaches the edge carries the `Caller` behind its access key, so an event a
 * service emits knows which invocation made it. `causeFor` turns that into the event's `Cause`:
 * the originating event's id and the chain of invocations that led here. The triggers layer hands
 * the cause to the next invocation and records it with `recordInvocation`, so the chain grows by
 * one link per hop: S3 put → HashFn → S3 put → HashFn … which is what loop detection counts.
 */
import type { Caller } from '../services/types.ts';

export interface CauseLink {
  functionLogicalId: string;
  requestId: string;
  /** What triggered this invocation, for people: `S3 uploads`, `SQS jobs`, `SNS alerts`... */
  source?: string;
}

export interface Cause {
  /** The id of the event that started the chain (the root event). */
  eventId: string;
  /** The invocations that led to this event, oldest first. */
  chain: CauseLink[];
  /** `chain.length`, kept for readers that only need the depth. */
  depth: number;
}

export interface InvocationTrace {
  requestId: string;
  functionLogicalId: string;
  /** What caused the invocation (its chain excludes the invocation itself). */
  cause: Cause;
  source?: string;
  /** Epoch ms of the first time it was recorded. */
  time: number;
}

export interface TraceLog {
  /** The cause of a new event made by `caller` (a new root when the caller is no invocation). */
  causeFor(caller: Caller | undefined, newEventId: string): Cause;
  /** Remembers an invocation and its cause, so events it makes inherit its chain. */
  recordInvocation(record: Omit<InvocationTrace, 'time'> & { time?: number }): void;
  invocation(requestId: string): InvocationTrace | undefined;
  /** The most recent invocations, newest last (bounded). */
  recent(limit?: number): InvocationTrace[];
}

/** How many invocations the log remembers; older ones are forgotten first. */
export const DEFAULT_TRACE_CAPACITY = 10_000;

export function rootCause(eventId: string): Cause {
  return { eventId, chain: [], depth: 0 };
}

/** The cause of whatever the invocation `link` (caused by `cause`) makes next. */
export function extendCause(cause: Cause, link: CauseLink): Cause {
  const chain = [...cause.chain, link];
  return { eventId: cause.eventId, chain, depth: chain.length };
}

export function createTraceLog(options: { capacity?: number; now?: () => number } = {}): TraceLog {
  const capacity = Math.max(1, options.capacity ?? DEFAULT_TRACE_CAPACITY);
  const now = options.now ?? (() => Date.now());
  const byRequestId = new Map<string, InvocationTrace>();

  return {
    causeFor(caller, newEventId) {
      const requestId = caller?.invocationRequestId;
      if (!caller || !requestId) return rootCause(newEventId);
      const known = byRequestId.get(requestId);
      if (known) {
        return extendCause(known.cause, {
          functionLogicalId: known.functionLogicalId,
          requestId,
          ...(known.source === undefined ? {} : { source: known.source }),
        });
      }
      // An invocation Slipway did not trigger (a direct invoke, an API request): it starts a chain.
      if (!caller.functionLogicalId) return rootCause(newEventId);
      return extendCause(rootCause(newEventId), { functionLogicalId: caller.functionLogicalId, requestId });
    },

    recordInvocation(record) {
      if (byRequestId.has(record.requestId)) return; // a retry of the same request keeps its first record
      byRequestId.set(record.requestId, { ...record, time: record.time ?? now() });
      while (byRequestId.size > capacity) {
        const oldest = byRequestId.keys().next();
        if (oldest.done) break;
        byRequestId.delete(oldest.value);
      }
    },

    invocation: (requestId) => byRequestId.get(requestId),

    recent(limit = 100) {
      const all = [...byRequestId.values()];
      return all.slice(Math.max(0, all.length - limit));
    },
  };
}
