/**
 * Creates the template's resources in the emulated services at start-up (and again, idempotently,
 * when the template changes): buckets, queues, topics and subscriptions, streams, buses and rules,
 * event source mappings, and the triggers SAM derives from function `Events:` (S3 notifications,
 * SQS/Kinesis mappings, SNS subscriptions, EventBridge rules and schedules).
 */
import type { FunctionModel, Project, ResourceRecord } from '../project/model.ts';
import { stableUuid } from '../triggers/event-source-mappings/template.ts';

type Json = Record<string, unknown>;

export interface NotificationRule {
  Id?: string;
  Events: string[];
  Filter?: { Key: { FilterRules: Array<{ Name: string; Value: string }> } };
}
export interface NotificationConfigurationLike {
  LambdaFunctionConfigurations?: Array<NotificationRule & { LambdaFunctionArn: string }>;
  QueueConfigurations?: Array<NotificationRule & { QueueArn: string }>;
  TopicConfigurations?: Array<NotificationRule & { TopicArn: string }>;
  EventBridgeConfiguration?: Record<string, never>;
}

/** What provisioning needs of each service (the services' internal APIs satisfy these). */
export interface ProvisionPorts {
  s3: {
    createBucket(name: string): Promise<void>;
    putBucketNotificationConfiguration(bucket: string, config: NotificationConfigurationLike): Promise<void>;
  };
  sqs: {
    createQueue(
      name: string,
      attributes?: Record<string, string>,
      tags?: Record<string, string>,
    ): Promise<unknown>;
  };
  sns: {
    createTopic(name: string, attributes?: Record<string, string>): Promise<unknown>;
    subscribe(
      topicArn: string,
      protocol: string,
      endpoint: string,
      attributes?: Record<string, string>,
    ): Promise<unknown>;
  };
  kinesis: { createStream(name: string, shardCount: number): Promise<unknown> };
  events: {
    ensureBus(name: string): Promise<unknown>;
    putRule(input: {
      Name: string;
      EventBusName?: string;
      EventPattern?: string;
      ScheduleExpression?: string;
      State?: 'ENABLED' | 'DISABLED';
      Description?: string;
    }): Promise<unknown>;
    putTargets(
      rule: string,
      targets: Array<{ Id: string; Arn: string; [k: string]: unknown }>,
      eventBusName?: string,
    ): Promise<unknown>;
  };
  lambda: {
    createEventSourceMapping(
      input: Json & { EventSourceArn: string; FunctionName: string; UUID?: string },
    ): Promise<unknown>;
  };
}

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const jsonText = (v: unknown): string | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);

function s3Filter(filter: unknown): NotificationRule['Filter'] {
  const rules = isRecord(filter) && isRecord(filter.S3Key) ? list(filter.S3Key.Rules) : [];
  const FilterRules = rules
    .filter(isRecord)
    .map((r) => ({ Name: str(r.Name) ?? '', Value: str(r.Value) ?? '' }));
  return FilterRules.length > 0 ? { Key: { FilterRules } } : undefined;
}

function queueAttributes(props: Json): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const name of [
    'DelaySeconds',
    'MaximumMessageSize',
    'MessageRetentionPeriod',
    'ReceiveMessageWaitTimeSeconds',
    'VisibilityTimeout',
    'FifoQueue',
    'ContentBasedDeduplication',
    'DeduplicationScope',
    'FifoThroughputLimit',
    'KmsMasterKeyId',
    'SqsManagedSseEnabled',
  ]) {
    const v = str(props[name]);
    if (v !== undefined) attrs[name] = v;
  }
  const redrive = jsonText(props.RedrivePolicy);
  if (redrive) attrs.RedrivePolicy = redrive;
  const allow = jsonText(props.RedriveAllowPolicy);
  if (allow) attrs.RedriveAllowPolicy = allow;
  return attrs;
}

function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list(v))
    if (isRecord(t) && str(t.Key) !== undefined) out[str(t.Key) as string] = str(t.Value) ?? '';
  return out;
}

function subscriptionAttributes(props: Json): Record<string, string> {
  const attrs: Record<string, string> = {};
  const filter = jsonText(props.FilterPolicy);
  if (filter) attrs.FilterPolicy = filter;
  const scope = str(props.FilterPolicyScope);
  if (scope) attrs.FilterPolicyScope = scope;
  const raw = str(props.RawMessageDelivery);
  if (raw) attrs.RawMessageDelivery = raw;
  const redrive = jsonText(props.RedrivePolicy);
  if (redrive) attrs.RedrivePolicy = redrive;
  return attrs;
}

const RULE_TARGET_KEYS = [
  'Input',
  'InputPath',
  'InputTransformer',
  'DeadLetterConfig',
  'RetryPolicy',
  'SqsParameters',
];

export interface ProvisionResult {
  notices: string[];
}

export async function provision(project: Project, ports: ProvisionPorts): Promise<ProvisionResult> {
  const notices: string[] = [];
  const resources = [...project.resources.values()].filter((r) => !r.generated);
  const notifications = new Map<string, NotificationConfigurationLike>();
  const bucketConfig = (bucket: string): NotificationConfigurationLike => {
    let c = notifications.get(bucket);
    if (!c) notifications.set(bucket, (c = {}));
    return c;
  };
  const name = (r: ResourceRecord, attr: string): string => r.attributes[attr] ?? r.ref;

  // 1. Containers first: buckets, queues, topics, streams, buses.
  for (const r of resources) {
    const p = r.properties;
    switch (r.type) {
      case 'AWS::S3::Bucket': {
        await ports.s3.createBucket(r.ref);
        const n = isRecord(p.NotificationConfiguration) ? p.NotificationConfiguration : undefined;
        if (n) {
          const c = bucketConfig(r.ref);
          for (const l of list(n.LambdaConfigurations).filter(isRecord))
            (c.LambdaFunctionConfigurations ??= []).push({
              Events: list(l.Event).map(String),
              LambdaFunctionArn: String(l.Function),
              Filter: s3Filter(l.Filter),
            });
          for (const q of list(n.QueueConfigurations).filter(isRecord))
            (c.QueueConfigurations ??= []).push({
              Events: list(q.Event).map(String),
              QueueArn: String(q.Queue),
              Filter: s3Filter(q.Filter),
            });
          for (const t of list(n.TopicConfigurations).filter(isRecord))
            (c.TopicConfigurations ??= []).push({
              Events: list(t.Event).map(String),
              TopicArn: String(t.Topic),
              Filter: s3Filter(t.Filter),
            });
          if (isRecord(n.EventBridgeConfiguration) && n.EventBridgeConfiguration.EventBridgeEnabled !== false)
            c.EventBridgeConfiguration = {};
        }
        break;
      }
      case 'AWS::SQS::Queue':
        await ports.sqs.createQueue(name(r, 'QueueName'), queueAttributes(p), tagsOf(p.Tags));
        break;
      case 'AWS::SNS::Topic': {
        const attrs: Record<string, string> = {};
        for (const k of ['DisplayName', 'FifoTopic', 'ContentBasedDeduplication', 'KmsMasterKeyId']) {
          const v = str(p[k]);
          if (v !== undefined) attrs[k] = v;
        }
        await ports.sns.createTopic(name(r, 'TopicName'), attrs);
        for (const s of list(p.Subscription).filter(isRecord))
          await ports.sns.subscribe(r.ref, String(s.Protocol), String(s.Endpoint));
        break;
      }
      case 'AWS::Kinesis::Stream': {
        const mode = isRecord(p.StreamModeDetails) ? str(p.StreamModeDetails.StreamMode) : undefined;
        const shards = Number(p.ShardCount ?? (mode === 'ON_DEMAND' ? 4 : 1));
        await ports.kinesis.createStream(r.ref, Number.isInteger(shards) && shards > 0 ? shards : 1);
        break;
      }
      case 'AWS::Events::EventBus':
        await ports.events.ensureBus(r.ref);
        break;
      default:
        break;
    }
  }

  // 2. What connects them: subscriptions, rules, mappings.
  for (const r of resources) {
    const p = r.properties;
    switch (r.type) {
      case 'AWS::SNS::Subscription':
        await ports.sns.subscribe(
          String(p.TopicArn),
          String(p.Protocol),
          String(p.Endpoint),
          subscriptionAttributes(p),
        );
        break;
      case 'AWS::Events::Rule': {
        const bus = str(p.EventBusName)?.split('/').pop();
        await ports.events.putRule({
          Name: r.ref,
          EventBusName: bus,
          EventPattern: jsonText(p.EventPattern),
          ScheduleExpression: str(p.ScheduleExpression),
          State: p.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
          Description: str(p.Description),
        });
        const targets = list(p.Targets)
          .filter(isRecord)
          .map((t) => {
            const target: { Id: string; Arn: string; [k: string]: unknown } = {
              Id: String(t.Id),
              Arn: String(t.Arn),
            };
            for (const k of RULE_TARGET_KEYS) if (t[k] !== undefined) target[k] = t[k];
            return target;
          });
        if (targets.length > 0) await ports.events.putTargets(r.ref, targets, bus);
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const { FunctionName, EventSourceArn, ...rest } = p;
        await ports.lambda.createEventSourceMapping({
          ...rest,
          EventSourceArn: String(EventSourceArn),
          FunctionName: String(FunctionName),
          UUID: stableUuid(`${project.stackName}/${r.logicalId}`),
        });
        break;
      }
      default:
        break;
    }
  }

  // 3. Triggers SAM derives from function events.
  for (const fn of project.functions.values())
    await provisionFunctionEvents(project, fn, ports, bucketConfig, notices);

  for (const [bucket, config] of notifications)
    await ports.s3.putBucketNotificationConfiguration(bucket, config);
  return { notices };
}

async function provisionFunctionEvents(
  project: Project,
  fn: FunctionModel,
  ports: ProvisionPorts,
  bucketConfig: (bucket: string) => NotificationConfigurationLike,
  notices: string[],
): Promise<void> {
  for (const event of fn.events) {
    const p = event.properties;
    const id = `${fn.logicalId}${event.id}`;
    switch (event.type) {
      case 'S3': {
        const bucket = str(p.Bucket);
        if (!bucket) break;
        (bucketConfig(bucket).LambdaFunctionConfigurations ??= []).push({
          Id: id,
          LambdaFunctionArn: fn.arn,
          Events: list(p.Events).map(String),
          Filter: s3Filter(p.Filter),
        });
        break;
      }
      case 'SQS':
      case 'Kinesis':
      case 'DynamoDB':
      case 'MSK': {
        const source = str(p.Queue ?? p.Stream);
        if (!source) break;
        if (event.type !== 'SQS' && event.type !== 'Kinesis') {
          notices.push(
            `${fn.logicalId}: ${event.type} event sources are not emulated yet; event ${event.id} is ignored`,
          );
          break;
        }
        const { Queue: _q, Stream: _s, Enabled, ...rest } = p;
        await ports.lambda.createEventSourceMapping({
          ...rest,
          Enabled: Enabled === undefined ? true : Enabled !== false && Enabled !== 'false',
          EventSourceArn: source,
          FunctionName: fn.functionName,
          UUID: stableUuid(`${project.stackName}/${id}`),
        });
        break;
      }
      case 'SNS': {
        const topic = str(p.Topic);
        if (!topic) break;
        await ports.sns.subscribe(topic, 'lambda', fn.arn, subscriptionAttributes(p));
        break;
      }
      case 'EventBridgeRule':
      case 'CloudWatchEvent':
      case 'Schedule':
      case 'ScheduleV2': {
        const schedule = event.type === 'Schedule' || event.type === 'ScheduleV2';
        const ruleName = (str(p.RuleName) ?? str(p.Name) ?? `${project.stackName}-${id}`).slice(0, 64);
        const bus = str(p.EventBusName)?.split('/').pop();
        const disabled = p.Enabled === false || p.State === 'DISABLED';
        await ports.events.putRule({
          Name: ruleName,
          EventBusName: schedule ? undefined : bus,
          EventPattern: schedule ? undefined : jsonText(p.Pattern),
          ScheduleExpression: schedule ? str(p.Schedule ?? p.ScheduleExpression) : undefined,
          State: disabled ? 'DISABLED' : 'ENABLED',
          Description: str(p.Description),
        });
        const target: { Id: string; Arn: string; [k: string]: unknown } = {
          Id: `${id}Target`.slice(0, 64),
          Arn: fn.arn,
        };
        for (const k of RULE_TARGET_KEYS) if (p[k] !== undefined) target[k] = p[k];
        if (isRecord(p.Target) && str(p.Target.Id) !== undefined) target.Id = str(p.Target.Id) as string;
        await ports.events.putTargets(ruleName, [target], schedule ? undefined : bus);
        break;
      }
      default:
        break;
    }
  }
}
