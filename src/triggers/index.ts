/**
 * The triggers layer (DESIGN.md): routes what the services emit to functions and to other
 * services, exactly as AWS does. src/app passes every ServiceEvent to `onServiceEvent`; S3
 * notifications, SNS deliveries and EventBridge targets take it from there, Lambda targets go
 * through the asynchronous invocation queue, and every invocation is traced so that chains (and
 * recursive loops) are known. The event source mappings (SQS, Kinesis pollers) live in
 * ./event-source-mappings and plug into the same trace through `eventSourceMappingHooks`.
 */
import { randomUUID } from 'node:crypto';
import type { Invoker } from '../runtime/types.ts';
import type { Caller, ServiceEvent } from '../services/types.ts';
import type { Clock } from '../shared/clock.ts';
import { createTraceLog, rootCause, type Cause, type TraceLog } from '../trace/index.ts';
import { createAsyncInvoker, type AsyncInvoker } from './async-queue.ts';
import { arnResourceName, arnService } from './destinations.ts';
import { createEventBridgeTargets } from './eventbridge-targets.ts';
import { checkRecursiveLoop } from './loop-detection.ts';
import type { EventBridgePort, FunctionLookup, Log, S3Port, SnsPort, SqsPort } from './ports.ts';
import { createS3Notifications, type S3Notifications } from './s3-notifications.ts';
import { createSnsDelivery } from './sns-delivery.ts';

export type * from './ports.ts';
export type { AsyncInvoker, AsyncInvokeOptions, AsyncInvokerStats } from './async-queue.ts';
export type { Cause, CauseLink, TraceLog } from '../trace/index.ts';
export { createAsyncInvoker } from './async-queue.ts';
export { checkRecursiveLoop, MAX_RECURSIVE_INVOCATIONS } from './loop-detection.ts';
export { createTraceLog } from '../trace/index.ts';

export interface TriggersDeps {
  /** The runtime. */
  invoker: Invoker;
  functions: FunctionLookup;
  s3: S3Port;
  sqs: SqsPort;
  sns: SnsPort;
  eventbridge: EventBridgePort;
  clock: Clock;
  log: Log;
  region: string;
  accountId: string;
  /** Shared with the dashboard; one is created when absent. */
  trace?: TraceLog;
  /** Multiplies AWS's retry delays and age limits (default 0.001; 1 for AWS's timing). See async-queue.ts. */
  retryDelayScale?: number;
}

/** What the SQS and Kinesis pollers pass as an invocation's cause (structurally). */
export interface PollerCause {
  eventSourceArn: string;
  functionName: string;
  /** The invocations that sent the records. */
  callers: Caller[];
}

export interface EventSourceMappingHooks {
  /** Use as the pollers' invoker: records each invocation in the trace (so chains continue). */
  invoker: Invoker;
  /** The pollers' `onInvoke`: `false` stops a recursive loop (and logs it once, loudly). */
  onInvoke(cause: PollerCause): boolean;
}

export interface Triggers {
  /** Every event the services emit; routes it (never throws; problems are logged). */
  onServiceEvent(e: ServiceEvent): void;
  asyncInvoker: AsyncInvoker;
  trace: TraceLog;
  /** `sendTestEvents(bucket)` after PutBucketNotificationConfiguration. */
  s3: Pick<S3Notifications, 'sendTestEvents'>;
  eventSourceMappingHooks: EventSourceMappingHooks;
  /** Resolves when no delivery is pending and the async queue is idle. */
  idle(): Promise<void>;
  /** Stops retries; pending deliveries finish. */
  close(): Promise<void>;
}

function sourceLabel(arn: string): string {
  const service = arnService(arn);
  const name = arnResourceName(arn);
  if (service === 'sqs') return `SQS ${name}`;
  if (service === 'kinesis') return `Kinesis ${name}`;
  if (service === 'dynamodb') return `DynamoDB ${arn.split('/')[1] ?? name}`;
  return name;
}

export function createTriggers(deps: TriggersDeps): Triggers {
  const trace = deps.trace ?? createTraceLog({ now: () => deps.clock.now() });
  const sinks = { sqs: deps.sqs, sns: deps.sns, eventbridge: deps.eventbridge };
  const scale = deps.retryDelayScale;
  const common = {
    clock: deps.clock,
    log: deps.log,
    trace,
    ...(scale === undefined ? {} : { retryDelayScale: scale }),
  };
  const asyncInvoker = createAsyncInvoker({
    ...common,
    invoker: deps.invoker,
    functions: deps.functions,
    sinks,
  });
  const s3 = createS3Notifications({
    ...common,
    s3: deps.s3,
    sinks,
    asyncInvoker,
    region: deps.region,
    accountId: deps.accountId,
  });
  const sns = createSnsDelivery({ ...common, sinks, asyncInvoker });
  const eventbridge = createEventBridgeTargets({ ...common, sinks, asyncInvoker, functions: deps.functions });
  const routes: Record<string, (e: ServiceEvent) => Promise<void>> = {
    s3: (e) => s3.onEvent(e),
    sns: (e) => sns.onEvent(e),
    events: (e) => eventbridge.onEvent(e),
  };
  const pending = new Set<Promise<void>>();
  let closed = false;

  /** The deepest chain among the invocations that sent a batch's records. */
  function pollerCause(cause: PollerCause, newEventId: string): Cause {
    let best = rootCause(newEventId);
    for (const caller of cause.callers) {
      const c = trace.causeFor(caller, newEventId);
      if (c.depth > best.depth) best = c;
    }
    return best;
  }

  const isPollerCause = (c: unknown): c is PollerCause =>
    !!c &&
    typeof c === 'object' &&
    Array.isArray((c as PollerCause).callers) &&
    typeof (c as PollerCause).eventSourceArn === 'string';

  const eventSourceMappingHooks: EventSourceMappingHooks = {
    invoker: {
      invoke(functionName, request) {
        if (!isPollerCause(request.cause)) return deps.invoker.invoke(functionName, request);
        const requestId = request.requestId ?? randomUUID();
        const fn = deps.functions.functionByArnOrName(functionName);
        trace.recordInvocation({
          requestId,
          functionLogicalId: fn?.logicalId ?? functionName,
          cause: pollerCause(request.cause, requestId),
          source: sourceLabel(request.cause.eventSourceArn),
        });
        return deps.invoker.invoke(functionName, { ...request, requestId });
      },
    },
    onInvoke(cause) {
      const fn = deps.functions.functionByArnOrName(cause.functionName);
      if (!fn) return true;
      const verdict = checkRecursiveLoop(
        fn,
        pollerCause(cause, randomUUID()),
        sourceLabel(cause.eventSourceArn),
      );
      if (!verdict.stop) return true;
      deps.log(verdict.message);
      return false;
    },
  };

  return {
    onServiceEvent(e) {
      const route = routes[e.source];
      if (!route || closed) return;
      const p = route(e).catch((err: unknown) =>
        deps.log(
          `triggers: ${e.source} ${e.type} on ${e.resourceArn} not delivered: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    asyncInvoker,
    trace,
    s3,
    eventSourceMappingHooks,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
      await asyncInvoker.idle();
      if (pending.size > 0) await this.idle();
    },
    async close() {
      closed = true;
      sns.close();
      eventbridge.close();
      asyncInvoker.close();
      await Promise.all([...pending]);
    },
  };
}
