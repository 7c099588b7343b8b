/**
 * S3 event notifications (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html):
 * on each object event the bucket's notification configuration is read, every configuration whose
 * event names and key filters match gets one message, and EventBridge gets one event when enabled.
 * Lambda functions are invoked asynchronously (their EventInvokeConfig, DLQ and loop detection
 * apply); queues get `{"Records":[…]}`; topics get the same with the subject
 * `Amazon S3 Notification`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ServiceEvent } from '../services/types.ts';
import type { Clock } from '../shared/clock.ts';
import type { TraceLog } from '../trace/index.ts';
import type { AsyncInvoker } from './async-queue.ts';
import type {
  DestinationSinks,
  Log,
  S3NotificationConfiguration,
  S3NotificationFilter,
  S3Port,
} from './ports.ts';
import { s3Detail, s3EventBridgeEvent, s3EventRecord, s3TestEvent, type S3Context } from './s3-event.ts';

export const S3_NOTIFICATION_SUBJECT = 'Amazon S3 Notification';

export interface S3NotificationsDeps extends S3Context {
  s3: S3Port;
  sinks: DestinationSinks;
  asyncInvoker: AsyncInvoker;
  clock: Clock;
  log: Log;
  trace?: TraceLog;
}

export interface S3Notifications {
  /** Delivers one S3 object event; resolves when every target has it (errors are logged). */
  onEvent(e: ServiceEvent): Promise<void>;
  /**
   * Sends S3's one-time `s3:TestEvent` to every queue and topic of the configuration, as S3 does
   * when PutBucketNotificationConfiguration sets it (the S3 service or the app calls this).
   */
  sendTestEvents(bucket: string, configuration?: S3NotificationConfiguration): Promise<void>;
}

/** `s3:ObjectCreated:*` matches every `ObjectCreated:…` event; other names match exactly. */
export function eventNameMatches(patterns: readonly string[], eventType: string): boolean {
  const name = `s3:${eventType}`;
  return patterns.some((p) => p === name || (p.endsWith(':*') && name.startsWith(p.slice(0, -1))));
}

/** Key filters: rule names in any case, values case-sensitive, every rule must hold. */
export function keyFilterMatches(filter: S3NotificationFilter | undefined, key: string): boolean {
  for (const rule of filter?.Key?.FilterRules ?? []) {
    const name = rule.Name.toLowerCase();
    if (name === 'prefix' && !key.startsWith(rule.Value)) return false;
    if (name === 'suffix' && !key.endsWith(rule.Value)) return false;
  }
  return true;
}

/** The id S3 would have given a configuration without one: stable for the same configuration. */
export function defaultConfigurationId(target: string, events: readonly string[]): string {
  const hex = createHash('sha256')
    .update(`${target}\0${events.join(',')}`)
    .digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return Buffer.from(uuid).toString('base64');
}

interface Target {
  kind: 'lambda' | 'sqs' | 'sns';
  arn: string;
  configurationId: string;
}

/** Every configuration of the bucket that wants this event. */
export function matchingTargets(
  config: S3NotificationConfiguration,
  eventType: string,
  key: string,
): Target[] {
  const all = [
    ...(config.LambdaFunctionConfigurations ?? []).map((c) => ({
      ...c,
      kind: 'lambda' as const,
      arn: c.LambdaFunctionArn,
    })),
    ...(config.QueueConfigurations ?? []).map((c) => ({ ...c, kind: 'sqs' as const, arn: c.QueueArn })),
    ...(config.TopicConfigurations ?? []).map((c) => ({ ...c, kind: 'sns' as const, arn: c.TopicArn })),
  ];
  return all
    .filter((c) => eventNameMatches(c.Events, eventType) && keyFilterMatches(c.Filter, key))
    .map((c) => ({
      kind: c.kind,
      arn: c.arn,
      configurationId: c.Id ?? defaultConfigurationId(c.arn, c.Events),
    }));
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs a port call, turning a synchronous throw into a rejection. */
const call = (fn: () => Promise<unknown>): Promise<unknown> => new Promise((resolve) => resolve(fn()));

export function createS3Notifications(deps: S3NotificationsDeps): S3Notifications {
  const ctx: S3Context = { region: deps.region, accountId: deps.accountId };

  async function deliver(e: ServiceEvent, target: Target, body: string, eventId: string, bucket: string) {
    const source = `S3 ${bucket}`;
    try {
      if (target.kind === 'lambda') {
        const cause = deps.trace?.causeFor(e.caller, eventId);
        deps.asyncInvoker.enqueue(target.arn, Buffer.from(body), {
          ...(e.caller ? { caller: e.caller } : {}),
          ...(cause ? { cause } : {}),
          source,
        });
      } else if (target.kind === 'sqs') {
        await deps.sinks.sqs.sendMessage(target.arn, body, { caller: e.caller });
      } else {
        await deps.sinks.sns.publish(target.arn, body, { subject: S3_NOTIFICATION_SUBJECT }, e.caller);
      }
    } catch (err) {
      deps.log(
        `S3 notification of ${e.type} in bucket ${bucket} to ${target.arn} failed: ${errorText(err)}; not delivered.`,
      );
    }
  }

  return {
    async onEvent(e) {
      if (e.source !== 's3' || !/^Object(Created|Removed):/.test(e.type)) return;
      const d = s3Detail(e);
      if (!d) return;
      const config = deps.s3.getBucketNotificationConfiguration(d.bucket);
      if (!config) return;
      const eventId = d.requestId ?? randomUUID();
      const sends = matchingTargets(config, e.type, d.key).map((target) => {
        const body = JSON.stringify({ Records: [s3EventRecord(e, d, target.configurationId, ctx)] });
        return deliver(e, target, body, eventId, d.bucket);
      });
      if (config.EventBridgeConfiguration) {
        const ev = s3EventBridgeEvent(e, d, ctx);
        if (ev)
          sends.push(
            call(() =>
              deps.sinks.eventbridge.putEvents(
                [
                  {
                    Source: 'aws.s3',
                    DetailType: ev.detailType,
                    Detail: JSON.stringify(ev.detail),
                    Resources: [`arn:aws:s3:::${d.bucket}`],
                    Time: new Date(e.time),
                  },
                ],
                e.caller,
              ),
            ).then(
              () => undefined,
              (err: unknown) =>
                deps.log(`S3 event of bucket ${d.bucket} to EventBridge failed: ${errorText(err)}.`),
            ),
          );
      }
      await Promise.all(sends);
    },

    async sendTestEvents(bucket, configuration) {
      const config = configuration ?? deps.s3.getBucketNotificationConfiguration(bucket);
      if (!config) return;
      const body = JSON.stringify(
        s3TestEvent(bucket, randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(), deps.clock.now()),
      );
      const sends = [
        ...(config.QueueConfigurations ?? []).map((c) =>
          call(() => deps.sinks.sqs.sendMessage(c.QueueArn, body)),
        ),
        ...(config.TopicConfigurations ?? []).map((c) =>
          call(() => deps.sinks.sns.publish(c.TopicArn, body, { subject: S3_NOTIFICATION_SUBJECT })),
        ),
      ].map((p) =>
        p.then(
          () => undefined,
          (err: unknown) => deps.log(`s3:TestEvent for bucket ${bucket} failed: ${errorText(err)}.`),
        ),
      );
      await Promise.all(sends);
    },
  };
}
