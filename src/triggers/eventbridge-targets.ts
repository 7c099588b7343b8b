/**
 * EventBridge rule targets (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html):
 * the events service matches rules and transforms the input; this module delivers each matched
 * target's `input` by ARN. A Lambda target is invoked asynchronously (the function's own
 * EventInvokeConfig, DLQ and loop detection apply). A delivery that fails is retried per the
 * target's RetryPolicy (default 185 attempts within 24 hours; backoff scaled like the async queue),
 * then goes to the target's DeadLetterConfig queue with EventBridge's attributes, else one log line.
 */
import type { Caller, ServiceEvent } from '../services/types.ts';
import type { Clock } from '../shared/clock.ts';
import type { TraceLog } from '../trace/index.ts';
import type { AsyncInvoker } from './async-queue.ts';
import { arnResourceName, arnService, truncateUtf8 } from './destinations.ts';
import type { DestinationSinks, FunctionLookup, Log, MessageAttributeValue } from './ports.ts';

export const DEFAULT_TARGET_RETRY_ATTEMPTS = 185;
export const DEFAULT_TARGET_EVENT_AGE_SECONDS = 24 * 60 * 60;
export const TARGET_BACKOFF_MIN_MS = 1_000;
export const TARGET_BACKOFF_MAX_MS = 60_000;

export interface EventBridgeTargetsDeps {
  sinks: DestinationSinks;
  asyncInvoker: AsyncInvoker;
  functions: FunctionLookup;
  clock: Clock;
  log: Log;
  trace?: TraceLog;
  /** Multiplies retry delays and the event age limit (default 0.001, as the async queue). */
  retryDelayScale?: number;
}

export interface EventBridgeTargets {
  /** Delivers one `RuleMatched` event; resolves when delivered or given up (errors are logged). */
  onEvent(e: ServiceEvent): Promise<void>;
  /** Ends waiting retries at once (their messages are dropped, with a log line). */
  close(): void;
}

interface RuleMatch {
  ruleArn: string;
  busArn: string;
  targetId: string;
  targetArn: string;
  input: string;
  deadLetterArn?: string;
  maxRetries: number;
  maxAgeMs: number;
  messageGroupId?: string;
  eventId: string;
  caller?: Caller;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function ruleMatch(e: ServiceEvent): RuleMatch | undefined {
  const d = e.detail;
  const targetArn = str(d.targetArn);
  if (!targetArn) return undefined;
  const retry = obj(d.retryPolicy);
  const sqs = { ...obj(d.SqsParameters), ...obj(d.sqsParameters) };
  const event = obj(d.event);
  return {
    ruleArn: str(d.ruleArn) || e.resourceArn,
    busArn: str(d.busArn),
    targetId: str(d.targetId),
    targetArn,
    input: str(d.input),
    ...(str(d.deadLetterArn) ? { deadLetterArn: str(d.deadLetterArn) } : {}),
    maxRetries:
      typeof retry.MaximumRetryAttempts === 'number'
        ? retry.MaximumRetryAttempts
        : DEFAULT_TARGET_RETRY_ATTEMPTS,
    maxAgeMs:
      (typeof retry.MaximumEventAgeInSeconds === 'number'
        ? retry.MaximumEventAgeInSeconds
        : DEFAULT_TARGET_EVENT_AGE_SECONDS) * 1000,
    ...(str(sqs.MessageGroupId) ? { messageGroupId: str(sqs.MessageGroupId) } : {}),
    eventId: str(event.id) || `${e.time}-${str(d.targetId)}`,
    ...(e.caller ? { caller: e.caller } : {}),
  };
}

/** A failure that retrying cannot fix (the target is misconfigured). */
class PermanentTargetError extends Error {}

export function createEventBridgeTargets(deps: EventBridgeTargetsDeps): EventBridgeTargets {
  const scale = deps.retryDelayScale ?? 0.001;
  const waits = new Set<() => void>();
  let closed = false;
  /** Waits `ms`; false when closed meanwhile. */
  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const done = () => {
        waits.delete(done);
        timer.cancel();
        resolve(!closed);
      };
      const timer = deps.clock.setTimeout(done, ms);
      waits.add(done);
    });

  async function deliverOnce(m: RuleMatch): Promise<void> {
    const service =
      arnService(m.targetArn) ?? (deps.functions.functionByArnOrName(m.targetArn) ? 'lambda' : '');
    switch (service) {
      case 'lambda': {
        const cause = deps.trace?.causeFor(m.caller, m.eventId);
        deps.asyncInvoker.enqueue(m.targetArn, Buffer.from(m.input), {
          ...(m.caller ? { caller: m.caller } : {}),
          ...(cause ? { cause } : {}),
          source: `rule ${arnResourceName(m.ruleArn)}`,
        });
        return;
      }
      case 'sqs': {
        const fifo = m.targetArn.endsWith('.fifo');
        if (fifo && !m.messageGroupId)
          throw new PermanentTargetError('a FIFO queue target needs SqsParameters.MessageGroupId');
        await deps.sinks.sqs.sendMessage(m.targetArn, m.input, {
          ...(fifo ? { messageGroupId: m.messageGroupId, messageDeduplicationId: m.eventId } : {}),
          ...(m.caller ? { caller: m.caller } : {}),
        });
        return;
      }
      case 'sns':
        await deps.sinks.sns.publish(m.targetArn, m.input, {}, m.caller);
        return;
      case 'events': {
        // Another event bus: the (untransformed) event is put on it as it is.
        let event: Record<string, unknown>;
        try {
          event = obj(JSON.parse(m.input) as unknown);
        } catch {
          throw new PermanentTargetError('the input for an event bus target is not an event (JSON)');
        }
        await deps.sinks.eventbridge.putEvents(
          [
            {
              Source: str(event.source),
              DetailType: str(event['detail-type']),
              Detail: JSON.stringify(event.detail ?? {}),
              Resources: Array.isArray(event.resources) ? event.resources.map(String) : [],
              EventBusName: m.targetArn,
            },
          ],
          m.caller,
        );
        return;
      }
      default:
        throw new PermanentTargetError(`targets of this kind are not supported locally`);
    }
  }

  async function toDeadLetter(
    m: RuleMatch,
    condition: string,
    error: string,
    attempts: number,
  ): Promise<void> {
    const rule = arnResourceName(m.ruleArn);
    if (!m.deadLetterArn) {
      deps.log(
        `rule ${rule}: event ${m.eventId} not delivered to ${m.targetArn} (${error}); the target has no DeadLetterConfig, so it is dropped.`,
      );
      return;
    }
    const attributes: Record<string, MessageAttributeValue> = {
      RULE_ARN: { DataType: 'String', StringValue: m.ruleArn },
      TARGET_ARN: { DataType: 'String', StringValue: m.targetArn },
      ERROR_CODE: {
        DataType: 'String',
        StringValue:
          condition === 'MaximumRetryAttempts' || condition === 'MaximumEventAgeInSeconds'
            ? 'SDK_CLIENT_ERROR'
            : 'INVALID_PARAMETER',
      },
      ERROR_MESSAGE: { DataType: 'String', StringValue: truncateUtf8(error, 1024) },
      EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: condition },
      RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(Math.max(0, attempts - 1)) },
    };
    try {
      await deps.sinks.sqs.sendMessage(m.deadLetterArn, m.input, { messageAttributes: attributes });
      deps.log(
        `rule ${rule}: event ${m.eventId} not delivered to ${m.targetArn} (${error}); sent to ${m.deadLetterArn}.`,
      );
    } catch (err) {
      deps.log(
        `rule ${rule}: event ${m.eventId} not delivered to ${m.targetArn} (${error}), nor to its dead-letter queue (${errorText(err)}); dropped.`,
      );
    }
  }

  async function deliver(m: RuleMatch): Promise<void> {
    const start = deps.clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await deliverOnce(m);
        return;
      } catch (err) {
        const error = errorText(err);
        if (err instanceof PermanentTargetError) return toDeadLetter(m, 'None', error, attempt);
        if (attempt > m.maxRetries) return toDeadLetter(m, 'MaximumRetryAttempts', error, attempt);
        const delay = Math.min(TARGET_BACKOFF_MAX_MS, TARGET_BACKOFF_MIN_MS * 2 ** (attempt - 1)) * scale;
        if (deps.clock.now() + delay - start > m.maxAgeMs * scale)
          return toDeadLetter(m, 'MaximumEventAgeInSeconds', error, attempt);
        if (!(await sleep(delay))) return toDeadLetter(m, 'Shutdown', `${error}; Slipway stopped`, attempt);
      }
    }
  }

  return {
    close() {
      closed = true;
      for (const done of [...waits]) done();
    },
    async onEvent(e) {
      if (e.source !== 'events' || e.type !== 'RuleMatched') return;
      const m = ruleMatch(e);
      if (m) await deliver(m);
    },
  };
}
