/**
 * Event source mappings: the pollers Lambda runs for SQS queues and Kinesis streams
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html).
 *
 * The mappings come from the Lambda API service (CreateEventSourceMapping, and the template's SQS
 * and Kinesis events through `mappingsFromTemplate`); `refresh` (also run on `onChanged`) starts
 * new and re-enabled ones, stops removed and disabled ones, and restarts changed ones. Kinesis
 * checkpoints outlive a poller (kept by UUID), so a changed or re-enabled mapping resumes where it
 * stopped, and with a `checkpoints` port a restart of Slipway does too.
 */
import type { Invoker } from '../../runtime/types.ts';
import type { Clock } from '../../shared/clock.ts';
import { compilePattern } from '../../shared/event-pattern.ts';
import { errorText, arnAccount } from './common.ts';
import { compileFilterCriteria } from './filter.ts';
import { KinesisPoller } from './kinesis-poller.ts';
import type { Poller, PollerContext, PollerStats } from './poller.ts';
import type {
  CheckpointsPort,
  DestinationsPort,
  EventSourceMappingCause,
  EventSourceMappingConfig,
  KinesisPort,
  Log,
  PatternCompiler,
  SqsPort,
} from './ports.ts';
import { SqsPoller } from './sqs-poller.ts';

export type * from './ports.ts';
export type { PollerStats } from './poller.ts';
export { mappingsFromTemplate, stableUuid } from './template.ts';
export { DEFAULT_SQS_CONCURRENCY } from './sqs-poller.ts';

/** Backoff after throttling and between retries of a failed Kinesis batch. */
export const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 60_000 };

export interface EventSourceMappingsDeps {
  invoker: Invoker;
  sqs: SqsPort;
  kinesis: KinesisPort;
  destinations: DestinationsPort;
  clock: Clock;
  region: string;
  log: Log;
  mappings(): EventSourceMappingConfig[];
  /** Subscribes to configuration changes (then `refresh` runs); returns an unsubscribe when it can. */
  onChanged?(listener: () => void): (() => void) | void;
  /** Persists Kinesis checkpoints across restarts; in memory when absent. */
  checkpoints?: CheckpointsPort;
  /** Called before every invocation with its cause; `false` vetoes it (loop detection). */
  onInvoke?(cause: EventSourceMappingCause): boolean | void;
  /** Compiles FilterCriteria patterns; default src/shared/event-pattern.ts's `compilePattern`. */
  compilePattern?: PatternCompiler;
  /** The role ARN Kinesis records carry as `invokeIdentityArn` (default `arn:aws:iam::<account>:role/<function>-role`). */
  invokeIdentityArn?(config: EventSourceMappingConfig): string;
  backoff?: { baseMs: number; maxMs: number };
}

export interface EventSourceMappings {
  start(): void;
  /** Re-reads the mappings: starts new ones, stops removed or disabled ones, restarts changed ones. */
  refresh(): void;
  stats(): PollerStats[];
  close(): Promise<void>;
}

type SourceKind = 'sqs' | 'kinesis';

function sourceKind(arn: string): SourceKind | undefined {
  const service = arn.split(':')[2];
  return service === 'sqs' ? 'sqs' : service === 'kinesis' ? 'kinesis' : undefined;
}

function memoryCheckpoints(): CheckpointsPort {
  const map = new Map<string, string>();
  return { get: (k) => map.get(k), put: (k, v) => void map.set(k, v) };
}

interface Running {
  fingerprint: string;
  poller: Poller;
}

export function createEventSourceMappings(deps: EventSourceMappingsDeps): EventSourceMappings {
  const running = new Map<string, Running>();
  const checkpoints = deps.checkpoints ?? memoryCheckpoints();
  const reported = new Set<string>();
  let changing: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | void;
  let started = false;
  let closed = false;

  const reportOnce = (key: string, line: string): void => {
    if (reported.has(key)) return;
    reported.add(key);
    deps.log(line);
  };

  function createPoller(config: EventSourceMappingConfig, kind: SourceKind): Poller | undefined {
    let filter;
    try {
      filter = compileFilterCriteria(config, deps.compilePattern ?? compilePattern);
    } catch (err) {
      deps.log(`event source mapping ${config.UUID} not started: ${errorText(err)}`);
      return undefined;
    }
    const ctx: PollerContext = {
      invoker: deps.invoker,
      clock: deps.clock,
      region: deps.region,
      log: deps.log,
      ...(filter ? { filter } : {}),
      ...(deps.onInvoke ? { onInvoke: (c: EventSourceMappingCause) => deps.onInvoke?.(c) } : {}),
      backoff: deps.backoff ?? DEFAULT_BACKOFF,
    };
    if (kind === 'sqs') return new SqsPoller(config, deps.sqs, ctx);
    const fnName = config.FunctionName.split(':').pop() ?? config.FunctionName;
    const invokeIdentityArn =
      deps.invokeIdentityArn?.(config) ??
      `arn:aws:iam::${arnAccount(config.EventSourceArn)}:role/${fnName}-role`;
    return new KinesisPoller(
      config,
      { kinesis: deps.kinesis, destinations: deps.destinations, checkpoints, invokeIdentityArn },
      ctx,
    );
  }

  async function apply(): Promise<void> {
    if (closed) return;
    let wanted: EventSourceMappingConfig[];
    try {
      wanted = deps.mappings();
    } catch (err) {
      deps.log(`event source mappings: cannot read the configuration: ${errorText(err)}`);
      return;
    }
    const desired = new Map<string, EventSourceMappingConfig>();
    for (const m of wanted) {
      if (m.Enabled === false) continue;
      if (!sourceKind(m.EventSourceArn)) {
        reportOnce(
          `kind/${m.UUID}`,
          `event source mapping ${m.UUID}: ${m.EventSourceArn} is not an SQS queue or a Kinesis stream; not polled`,
        );
        continue;
      }
      desired.set(m.UUID, m);
    }
    const stopping: Array<Promise<void>> = [];
    for (const [uuid, r] of running) {
      const next = desired.get(uuid);
      if (next && JSON.stringify(next) === r.fingerprint) continue;
      running.delete(uuid);
      stopping.push(r.poller.stop());
    }
    await Promise.all(stopping);
    if (closed) return;
    for (const [uuid, config] of desired) {
      if (running.has(uuid)) continue;
      const poller = createPoller(config, sourceKind(config.EventSourceArn) as SourceKind);
      if (!poller) continue;
      running.set(uuid, { fingerprint: JSON.stringify(config), poller });
      poller.start();
    }
  }

  function refresh(): void {
    changing = changing
      .then(apply)
      .catch((err: unknown) => deps.log(`event source mappings: ${errorText(err)}`));
  }

  return {
    start() {
      if (started || closed) return;
      started = true;
      unsubscribe = deps.onChanged?.(refresh);
      refresh();
    },
    refresh,
    stats: () => [...running.values()].map((r) => r.poller.stats()),
    async close() {
      closed = true;
      if (typeof unsubscribe === 'function') unsubscribe();
      await changing;
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((r) => r.poller.stop()));
    },
  };
}
