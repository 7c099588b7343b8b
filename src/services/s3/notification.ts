/**
 * Bucket notification configuration: the typed structure (mirroring AWS's
 * NotificationConfiguration as the SDKs model it), its validation, and the XML mapping of
 * GetBucketNotificationConfiguration / PutBucketNotificationConfiguration.
 */
import { AwsError } from '../types.ts';
import { asList } from '../../protocols/xml.ts';

export interface FilterRule {
  Name: 'prefix' | 'suffix';
  Value: string;
}
export interface NotificationFilter {
  Key: { FilterRules: FilterRule[] };
}
interface ConfigurationBase {
  Id?: string;
  /** S3 event names, e.g. `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`. */
  Events: string[];
  Filter?: NotificationFilter;
}
export interface LambdaFunctionConfiguration extends ConfigurationBase {
  LambdaFunctionArn: string;
}
export interface QueueConfiguration extends ConfigurationBase {
  QueueArn: string;
}
export interface TopicConfiguration extends ConfigurationBase {
  TopicArn: string;
}
export interface NotificationConfiguration {
  LambdaFunctionConfigurations?: LambdaFunctionConfiguration[];
  QueueConfigurations?: QueueConfiguration[];
  TopicConfigurations?: TopicConfiguration[];
  /** Present (empty object) when the bucket sends all its events to EventBridge. */
  EventBridgeConfiguration?: Record<string, never>;
}

/** Event types S3 accepts in a notification configuration. */
export const NOTIFICATION_EVENTS: ReadonlySet<string> = new Set([
  's3:TestEvent',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationNotTracked',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
]);

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function invalidArgument(message: string, name: string, value: string): AwsError {
  return new AwsError('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value });
}

/** Validates a configuration (event names, filter rules, ARNs) and returns a normalised copy. */
export function validateNotificationConfiguration(
  config: NotificationConfiguration,
): NotificationConfiguration {
  const out: NotificationConfiguration = {};
  const ids = new Set<string>();
  const base = (c: ConfigurationBase, arn: string): ConfigurationBase => {
    if (!arn || !arn.startsWith('arn:')) throw invalidArgument('The ARN is not well formed', 'ARN', arn);
    if (!c.Events?.length) throw invalidArgument('At least one event must be specified', 'Event', '');
    for (const e of c.Events)
      if (!NOTIFICATION_EVENTS.has(e))
        throw invalidArgument('The event is not supported for notifications', 'Event', e);
    const id = c.Id ?? randomId();
    if (ids.has(id)) throw invalidArgument('Configurations have the same Id', 'Id', id);
    ids.add(id);
    const result: ConfigurationBase = { Id: id, Events: [...c.Events] };
    if (c.Filter) {
      const rules: FilterRule[] = [];
      const seen = new Set<string>();
      for (const r of c.Filter.Key?.FilterRules ?? []) {
        const name = String(r.Name ?? '').toLowerCase();
        if (name !== 'prefix' && name !== 'suffix')
          throw invalidArgument(
            'filter rule name must be either prefix or suffix',
            'FilterRule',
            String(r.Name),
          );
        if (seen.has(name))
          throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`, 'FilterRule', name);
        seen.add(name);
        rules.push({ Name: name, Value: String(r.Value ?? '') });
      }
      result.Filter = { Key: { FilterRules: rules } };
    }
    return result;
  };
  if (config.LambdaFunctionConfigurations?.length)
    out.LambdaFunctionConfigurations = config.LambdaFunctionConfigurations.map((c) => ({
      ...base(c, c.LambdaFunctionArn),
      LambdaFunctionArn: c.LambdaFunctionArn,
    }));
  if (config.QueueConfigurations?.length)
    out.QueueConfigurations = config.QueueConfigurations.map((c) => ({
      ...base(c, c.QueueArn),
      QueueArn: c.QueueArn,
    }));
  if (config.TopicConfigurations?.length)
    out.TopicConfigurations = config.TopicConfigurations.map((c) => ({
      ...base(c, c.TopicArn),
      TopicArn: c.TopicArn,
    }));
  if (config.EventBridgeConfiguration) out.EventBridgeConfiguration = {};
  return out;
}

function randomId(): string {
  // AWS assigns a random id when none is given; any unique string does.
  return Math.random().toString(36).slice(2) + Date.now().toString(36);
}

type XmlNode = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

function parseBase(node: XmlNode): ConfigurationBase {
  const c: ConfigurationBase = { Events: asList(node.Event as string | string[]).map(str) };
  if (node.Id !== undefined) c.Id = str(node.Id);
  const filter = node.Filter as XmlNode | undefined;
  if (filter && typeof filter === 'object') {
    const s3Key = filter.S3Key as XmlNode | undefined;
    const rules = asList((s3Key?.FilterRule ?? []) as XmlNode | XmlNode[]);
    c.Filter = {
      Key: {
        FilterRules: rules.map((r) => ({ Name: str(r.Name) as FilterRule['Name'], Value: str(r.Value) })),
      },
    };
  }
  return c;
}

/** `<NotificationConfiguration>` document (already parsed) → typed configuration. */
export function notificationFromXml(doc: XmlNode): NotificationConfiguration {
  const root = doc.NotificationConfiguration;
  if (root === '' || root === undefined) {
    if (!('NotificationConfiguration' in doc)) throw malformed();
    return {};
  }
  if (typeof root !== 'object' || root === null) throw malformed();
  const node = root as XmlNode;
  const config: NotificationConfiguration = {};
  const lambdas = asList(node.CloudFunctionConfiguration as XmlNode | XmlNode[]);
  if (lambdas.length)
    config.LambdaFunctionConfigurations = lambdas.map((n) => ({
      ...parseBase(n),
      LambdaFunctionArn: str(n.CloudFunction),
    }));
  const queues = asList(node.QueueConfiguration as XmlNode | XmlNode[]);
  if (queues.length)
    config.QueueConfigurations = queues.map((n) => ({ ...parseBase(n), QueueArn: str(n.Queue) }));
  const topics = asList(node.TopicConfiguration as XmlNode | XmlNode[]);
  if (topics.length)
    config.TopicConfigurations = topics.map((n) => ({ ...parseBase(n), TopicArn: str(n.Topic) }));
  if ('EventBridgeConfiguration' in node) config.EventBridgeConfiguration = {};
  return config;
}

function malformed(): AwsError {
  return new AwsError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
}

function baseToXml(c: ConfigurationBase): XmlNode {
  const node: XmlNode = { Id: c.Id };
  if (c.Filter)
    node.Filter = {
      S3Key: {
        // AWS answers with capitalised rule names.
        FilterRule: c.Filter.Key.FilterRules.map((r) => ({
          Name: r.Name === 'prefix' ? 'Prefix' : 'Suffix',
          Value: r.Value,
        })),
      },
    };
  return node;
}

/** Typed configuration → the document GetBucketNotificationConfiguration returns. */
export function notificationToXml(config: NotificationConfiguration | undefined): XmlNode {
  const c = config ?? {};
  const node: XmlNode = { '@_xmlns': S3_NS };
  if (c.TopicConfigurations?.length)
    node.TopicConfiguration = c.TopicConfigurations.map((t) => ({
      ...baseToXml(t),
      Topic: t.TopicArn,
      Event: t.Events,
    }));
  if (c.QueueConfigurations?.length)
    node.QueueConfiguration = c.QueueConfigurations.map((q) => ({
      ...baseToXml(q),
      Queue: q.QueueArn,
      Event: q.Events,
    }));
  if (c.LambdaFunctionConfigurations?.length)
    node.CloudFunctionConfiguration = c.LambdaFunctionConfigurations.map((l) => ({
      ...baseToXml(l),
      CloudFunction: l.LambdaFunctionArn,
      Event: l.Events,
    }));
  if (c.EventBridgeConfiguration) node.EventBridgeConfiguration = '';
  return { NotificationConfiguration: node };
}
