/**
 * SNS state (plain TypeScript, no HTTP): topics, subscriptions, publishing with filter policies and
 * per-protocol messages. Store namespace `sns`: `topic:<arn>` → Topic, `sub:<arn>` → Subscription.
 * An in-memory copy is the source of truth while running; changes are written through before the
 * caller is answered. Delivery is an emitted `Notification` per matching subscription (events.ts).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AwsError, type Caller, type ServiceContext } from '../types.ts';
import type { Namespace } from '../../store/types.ts';
import { compileFilterPolicy, type FilterPolicyScope, type MessageFilter } from './filter-policy.ts';
import {
  buildNotification,
  confirmationEnvelope,
  NOTIFICATION,
  SUBSCRIPTION_CONFIRMATION,
} from './events.ts';

/** SNS quota: 256 KB per message, message attributes included. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
export const MAX_BATCH_ENTRIES = 10;
export const MAX_SUBJECT_LENGTH = 100;
/** FIFO topics drop a repeated MessageDeduplicationId within five minutes. */
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

export const PROTOCOLS = [
  'http',
  'https',
  'email',
  'email-json',
  'sms',
  'sqs',
  'application',
  'lambda',
  'firehose',
];
const SUBSCRIPTION_ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);
const TOPIC_ATTRIBUTES = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'FifoTopic',
  'ContentBasedDeduplication',
  'SignatureVersion',
  'TracingConfig',
  'DataProtectionPolicy',
  'ArchivePolicy',
  'FifoThroughputScope',
  'HTTPSuccessFeedbackRoleArn',
  'HTTPFailureFeedbackRoleArn',
  'HTTPSuccessFeedbackSampleRate',
  'LambdaSuccessFeedbackRoleArn',
  'LambdaFailureFeedbackRoleArn',
  'LambdaSuccessFeedbackSampleRate',
  'SQSSuccessFeedbackRoleArn',
  'SQSFailureFeedbackRoleArn',
  'SQSSuccessFeedbackSampleRate',
]);
const RAW_DELIVERY_PROTOCOLS = new Set(['http', 'https', 'sqs', 'firehose']);

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64. */
  BinaryValue?: string;
}

export interface Topic {
  Arn: string;
  Name: string;
  Attributes: Record<string, string>;
  Tags: Record<string, string>;
}

export interface Subscription {
  SubscriptionArn: string;
  TopicArn: string;
  Protocol: string;
  Endpoint: string;
  Owner: string;
  Attributes: Record<string, string>;
  PendingConfirmation: boolean;
  Token?: string;
}

export interface PublishOptions {
  subject?: string;
  messageStructure?: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

export interface PublishResult {
  MessageId: string;
  SequenceNumber?: string;
}

const invalid = (what: string): AwsError => new AwsError('InvalidParameter', `Invalid parameter: ${what}`);
const invalidValue = (message: string): AwsError => new AwsError('ParameterValueInvalid', message);
const topicNotFound = (): AwsError => new AwsError('NotFound', 'Topic does not exist', 404);

export class SnsState {
  private readonly ns: Namespace;
  private readonly topics = new Map<string, Topic>();
  private readonly subs = new Map<string, Subscription>();
  private readonly filters = new Map<string, MessageFilter>();
  private readonly dedup = new Map<string, { expires: number; result: PublishResult }>();
  private sequence = 0n;

  constructor(private readonly ctx: ServiceContext) {
    this.ns = ctx.store.namespace('sns');
    for (const { value } of this.ns.list<Topic>('topic:')) this.topics.set(value.Arn, value);
    for (const { value } of this.ns.list<Subscription>('sub:')) this.subs.set(value.SubscriptionArn, value);
    this.sequence = BigInt(ctx.clock.now()) * 1_000_000n;
  }

  topicArn(name: string): string {
    return `arn:aws:sns:${this.ctx.region}:${this.ctx.accountId}:${name}`;
  }

  // ---- Topics -----------------------------------------------------------------------------------

  async createTopic(
    name: string,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): Promise<Topic> {
    const fifo = attributes.FifoTopic === 'true';
    const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(base) || (name.endsWith('.fifo') && name.length > 256))
      throw invalid('Topic Name');
    if (fifo !== name.endsWith('.fifo'))
      throw invalid('Topic Name Reason: a FIFO topic name must end with .fifo, and only FIFO topics may');
    for (const key of Object.keys(attributes)) if (!TOPIC_ATTRIBUTES.has(key)) throw invalid('AttributeName');
    if (attributes.ContentBasedDeduplication === 'true' && !fifo)
      throw invalid('Attributes Reason: ContentBasedDeduplication is valid only for FIFO topics');
    const arn = this.topicArn(name);
    const existing = this.topics.get(arn);
    if (existing) {
      for (const [k, v] of Object.entries(attributes))
        if ((existing.Attributes[k] ?? defaultTopicAttribute(k)) !== v)
          throw invalid('Attributes Reason: Topic already exists with different attributes');
      return existing;
    }
    const topic: Topic = { Arn: arn, Name: name, Attributes: { ...attributes }, Tags: { ...tags } };
    if (fifo && topic.Attributes.ContentBasedDeduplication === undefined)
      topic.Attributes.ContentBasedDeduplication = 'false';
    this.topics.set(arn, topic);
    await this.ns.put(`topic:${arn}`, topic as never);
    return topic;
  }

  getTopic(arn: string | undefined): Topic {
    if (!arn) throw invalid('TopicArn');
    if (!/^arn:aws[\w-]*:sns:[^:]*:\d*:[^:]+$/.test(arn)) throw invalid('TopicArn');
    const topic = this.topics.get(arn);
    if (!topic) throw topicNotFound();
    return topic;
  }

  listTopics(): Topic[] {
    return [...this.topics.values()].sort((a, b) => (a.Arn < b.Arn ? -1 : a.Arn > b.Arn ? 1 : 0));
  }

  async deleteTopic(arn: string): Promise<void> {
    if (!this.topics.has(arn)) return; // AWS: deleting a missing topic succeeds
    const ops: Array<{ key: string; value: undefined }> = [{ key: `topic:${arn}`, value: undefined }];
    for (const sub of this.subs.values())
      if (sub.TopicArn === arn) {
        this.subs.delete(sub.SubscriptionArn);
        ops.push({ key: `sub:${sub.SubscriptionArn}`, value: undefined });
      }
    this.topics.delete(arn);
    await this.ns.batch(ops);
  }

  topicAttributes(topic: Topic): Record<string, string> {
    const subs = [...this.subs.values()].filter((s) => s.TopicArn === topic.Arn);
    const out: Record<string, string> = {
      TopicArn: topic.Arn,
      Owner: this.ctx.accountId,
      Policy: topic.Attributes.Policy ?? defaultPolicy(topic.Arn, this.ctx.accountId),
      DisplayName: topic.Attributes.DisplayName ?? '',
      SubscriptionsConfirmed: String(subs.filter((s) => !s.PendingConfirmation).length),
      SubscriptionsPending: String(subs.filter((s) => s.PendingConfirmation).length),
      SubscriptionsDeleted: '0',
      EffectiveDeliveryPolicy: topic.Attributes.DeliveryPolicy ?? DEFAULT_DELIVERY_POLICY,
    };
    for (const [k, v] of Object.entries(topic.Attributes))
      if (k !== 'Policy' && k !== 'DisplayName') out[k] = v;
    return out;
  }

  async setTopicAttribute(arn: string, name: string, value: string): Promise<void> {
    const topic = this.getTopic(arn);
    if (!TOPIC_ATTRIBUTES.has(name) || name === 'FifoTopic') throw invalid('AttributeName');
    if (name === 'ContentBasedDeduplication' && topic.Attributes.FifoTopic !== 'true')
      throw invalid('Attributes Reason: ContentBasedDeduplication is valid only for FIFO topics');
    const updated: Topic = { ...topic, Attributes: { ...topic.Attributes, [name]: value } };
    this.topics.set(arn, updated);
    await this.ns.put(`topic:${arn}`, updated as never);
  }

  async tag(arn: string, tags: Record<string, string>, remove: string[] = []): Promise<void> {
    const topic = this.topics.get(arn);
    if (!topic) throw new AwsError('ResourceNotFound', 'Resource does not exist', 404);
    const next = { ...topic.Tags, ...tags };
    for (const k of remove) delete next[k];
    const updated = { ...topic, Tags: next };
    this.topics.set(arn, updated);
    await this.ns.put(`topic:${arn}`, updated);
  }

  // ---- Subscriptions ----------------------------------------------------------------------------

  async subscribe(
    topicArn: string,
    protocol: string,
    endpoint: string,
    attributes: Record<string, string> = {},
  ): Promise<Subscription> {
    const topic = this.getTopic(topicArn);
    if (!PROTOCOLS.includes(protocol)) throw invalid(`Invalid protocol type: ${protocol}`);
    checkEndpoint(protocol, endpoint);
    for (const [k, v] of Object.entries(attributes))
      this.checkSubscriptionAttribute(protocol, k, v, attributes);
    const existing = [...this.subs.values()].find(
      (s) => s.TopicArn === topic.Arn && s.Protocol === protocol && s.Endpoint === endpoint,
    );
    if (existing) {
      for (const [k, v] of Object.entries(attributes))
        if ((existing.Attributes[k] ?? defaultSubscriptionAttribute(k)) !== v)
          throw invalid('Attributes Reason: Subscription already exists with different attributes');
      return existing;
    }
    const pending = ['http', 'https', 'email', 'email-json'].includes(protocol);
    const sub: Subscription = {
      SubscriptionArn: `${topic.Arn}:${randomUUID()}`,
      TopicArn: topic.Arn,
      Protocol: protocol,
      Endpoint: endpoint,
      Owner: this.ctx.accountId,
      Attributes: { ...attributes },
      PendingConfirmation: pending,
    };
    if (pending) sub.Token = randomBytes(64).toString('hex');
    await this.saveSubscription(sub);
    if (pending && (protocol === 'http' || protocol === 'https')) this.emitConfirmation(sub);
    return sub;
  }

  private emitConfirmation(sub: Subscription): void {
    const subscribeUrl = `${this.ctx.endpointUrl()}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(sub.TopicArn)}&Token=${sub.Token ?? ''}`;
    const envelope = confirmationEnvelope(sub, subscribeUrl, this.ctx.region, this.ctx.clock.now());
    this.ctx.emit({
      source: 'sns',
      type: SUBSCRIPTION_CONFIRMATION,
      resourceArn: sub.TopicArn,
      detail: {
        subscriptionArn: sub.SubscriptionArn,
        protocol: sub.Protocol,
        endpoint: sub.Endpoint,
        envelope,
      },
      time: this.ctx.clock.now(),
    });
  }

  async confirmSubscription(topicArn: string, token: string): Promise<Subscription> {
    this.getTopic(topicArn);
    const sub = [...this.subs.values()].find((s) => s.TopicArn === topicArn && s.Token === token);
    if (!sub) throw invalid('Token');
    if (sub.PendingConfirmation) await this.saveSubscription({ ...sub, PendingConfirmation: false });
    return sub;
  }

  private checkSubscriptionAttribute(
    protocol: string,
    name: string,
    value: string,
    all: Record<string, string>,
  ): void {
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalid('AttributeName');
    if (name === 'RawMessageDelivery') {
      if (!['true', 'false'].includes(value.toLowerCase()))
        throw invalid(`RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
      if (value.toLowerCase() === 'true' && !RAW_DELIVERY_PROTOCOLS.has(protocol))
        throw invalid(
          `Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`,
        );
    }
    if (name === 'FilterPolicyScope' && value !== 'MessageAttributes' && value !== 'MessageBody')
      throw invalid(
        `FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`,
      );
    if (name === 'FilterPolicy' && value !== '') {
      const scope = (all.FilterPolicyScope ?? 'MessageAttributes') as FilterPolicyScope;
      try {
        compileFilterPolicy(value, scope);
      } catch (err) {
        throw invalid(`FilterPolicy: ${(err as Error).message}`);
      }
    }
  }

  getSubscription(arn: string): Subscription {
    const sub = this.subs.get(arn);
    if (!sub) throw new AwsError('NotFound', 'Subscription does not exist', 404);
    return sub;
  }

  listSubscriptions(topicArn?: string): Subscription[] {
    if (topicArn !== undefined) this.getTopic(topicArn);
    return [...this.subs.values()].filter((s) => topicArn === undefined || s.TopicArn === topicArn);
  }

  subscriptionAttributes(sub: Subscription): Record<string, string> {
    return {
      SubscriptionArn: sub.PendingConfirmation ? 'PendingConfirmation' : sub.SubscriptionArn,
      TopicArn: sub.TopicArn,
      Owner: sub.Owner,
      Protocol: sub.Protocol,
      Endpoint: sub.Endpoint,
      ConfirmationWasAuthenticated: String(!sub.PendingConfirmation),
      PendingConfirmation: String(sub.PendingConfirmation),
      RawMessageDelivery: 'false',
      ...(sub.Attributes.FilterPolicy ? { FilterPolicyScope: 'MessageAttributes' } : {}),
      ...sub.Attributes,
    };
  }

  async setSubscriptionAttribute(arn: string, name: string, value: string): Promise<void> {
    const sub = this.getSubscription(arn);
    const next = { ...sub.Attributes, [name]: value };
    this.checkSubscriptionAttribute(sub.Protocol, name, value, next);
    if (name === 'FilterPolicyScope' && next.FilterPolicy)
      this.checkSubscriptionAttribute(sub.Protocol, 'FilterPolicy', next.FilterPolicy, next);
    if (name === 'FilterPolicy' && value === '') delete next.FilterPolicy;
    await this.saveSubscription({ ...sub, Attributes: next });
  }

  async unsubscribe(arn: string): Promise<void> {
    if (!this.subs.has(arn)) return;
    this.subs.delete(arn);
    await this.ns.delete(`sub:${arn}`);
  }

  private async saveSubscription(sub: Subscription): Promise<void> {
    this.subs.set(sub.SubscriptionArn, sub);
    await this.ns.put(`sub:${sub.SubscriptionArn}`, sub as never);
  }

  private filterFor(sub: Subscription): MessageFilter | undefined {
    const policy = sub.Attributes.FilterPolicy;
    if (!policy) return undefined;
    const scope = (sub.Attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterPolicyScope;
    const key = `${scope}\n${policy}`;
    let f = this.filters.get(key);
    if (!f) this.filters.set(key, (f = compileFilterPolicy(policy, scope)));
    return f;
  }

  // ---- Publishing -------------------------------------------------------------------------------

  /** Validates and publishes one message; emits a Notification per matching confirmed subscription. */
  publish(
    topicArn: string,
    message: string | undefined,
    options: PublishOptions = {},
    caller?: Caller,
  ): PublishResult {
    const topic = this.getTopic(topicArn);
    const fifo = topic.Attributes.FifoTopic === 'true';
    const attributes = options.messageAttributes ?? {};
    const perProtocol = validateMessage(message, options, attributes);
    let dedupId = options.messageDeduplicationId;
    if (fifo) {
      if (!options.messageGroupId) throw invalid('The MessageGroupId parameter is required for FIFO topics');
      if (dedupId === undefined) {
        if (topic.Attributes.ContentBasedDeduplication !== 'true')
          throw invalid(
            'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        dedupId = sha256(message as string);
      }
      const now = this.ctx.clock.now();
      for (const [k, v] of this.dedup) if (v.expires <= now) this.dedup.delete(k);
      const seen = this.dedup.get(`${topic.Arn}\n${dedupId}`);
      if (seen) return seen.result;
    } else if (options.messageDeduplicationId !== undefined) {
      throw invalid(
        'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
    }
    const result: PublishResult = { MessageId: randomUUID() };
    if (fifo) {
      result.SequenceNumber = (++this.sequence).toString().padStart(20, '0');
      this.dedup.set(`${topic.Arn}\n${dedupId}`, {
        expires: this.ctx.clock.now() + DEDUPLICATION_WINDOW_MS,
        result,
      });
    }
    const timestamp = this.ctx.clock.now();
    for (const sub of this.subs.values()) {
      if (sub.TopicArn !== topic.Arn || sub.PendingConfirmation) continue;
      const text = perProtocol
        ? (perProtocol[sub.Protocol] ?? perProtocol.default ?? '')
        : (message as string);
      const filter = this.filterFor(sub);
      if (filter && !filter(message as string, attributes)) continue;
      const detail = buildNotification({
        sub,
        message: text,
        messageId: result.MessageId,
        subject: options.subject,
        attributes,
        timestamp,
        region: this.ctx.region,
        unsubscribeBase: this.ctx.endpointUrl(),
        sequenceNumber: result.SequenceNumber,
        messageGroupId: options.messageGroupId,
        messageDeduplicationId: fifo ? dedupId : undefined,
      });
      this.ctx.emit({
        source: 'sns',
        type: NOTIFICATION,
        resourceArn: topic.Arn,
        detail: detail as unknown as Record<string, unknown>,
        ...(caller ? { caller } : {}),
        time: timestamp,
      });
    }
    return result;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Checks subject, size, structure and attributes; returns the per-protocol messages for MessageStructure=json. */
function validateMessage(
  message: string | undefined,
  options: PublishOptions,
  attributes: Record<string, MessageAttributeValue>,
): Record<string, string> | undefined {
  if (message === undefined)
    throw new AwsError(
      'ValidationError',
      "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
    );
  if (message === '') throw invalid('Empty message');
  const subject = options.subject;
  if (
    subject !== undefined &&
    (subject === '' || subject.length > MAX_SUBJECT_LENGTH || !/^[\x20-\x7e]+$/.test(subject))
  )
    throw invalid('Subject');
  let size = Buffer.byteLength(message);
  for (const [name, attr] of Object.entries(attributes)) {
    checkAttribute(name, attr);
    size += Buffer.byteLength(name) + Buffer.byteLength(attr.DataType);
    size += attr.StringValue !== undefined ? Buffer.byteLength(attr.StringValue) : 0;
    size += attr.BinaryValue !== undefined ? Buffer.from(attr.BinaryValue, 'base64').length : 0;
  }
  if (size > MAX_MESSAGE_BYTES) throw invalid('Message too long');
  if (options.messageStructure === undefined) return undefined;
  if (options.messageStructure !== 'json') throw invalid('MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalid('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('Message Structure - JSON message body failed to parse');
  const obj = parsed as Record<string, unknown>;
  if (typeof obj.default !== 'string')
    throw invalid('Message Structure - No default entry in JSON message body');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function checkAttribute(name: string, attr: MessageAttributeValue): void {
  const type = attr.DataType;
  if (!type)
    throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
  const base = type.split('.')[0];
  if (!['String', 'Number', 'Binary'].includes(base ?? ''))
    throw invalidValue(
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  if (base === 'Binary') {
    if (!attr.BinaryValue)
      throw invalidValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
      );
    return;
  }
  if (attr.StringValue === undefined || attr.StringValue === '')
    throw invalidValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
    );
  if (base === 'Number' && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(attr.StringValue.trim()))
    throw invalidValue(`Could not cast message attribute '${name}' value to number.`);
  if (type === 'String.Array') {
    let arr: unknown;
    try {
      arr = JSON.parse(attr.StringValue);
    } catch {
      arr = undefined;
    }
    if (!Array.isArray(arr) || arr.some((v) => typeof v === 'object' && v !== null))
      throw invalidValue(
        `The message attribute '${name}' with type 'String.Array' must be a JSON array of strings, numbers, true, false or null.`,
      );
  }
}

function checkEndpoint(protocol: string, endpoint: string): void {
  const ok =
    protocol === 'sqs'
      ? /^arn:aws[\w-]*:sqs:[^:]+:\d+:.+$/.test(endpoint)
      : protocol === 'lambda'
        ? /^arn:aws[\w-]*:lambda:[^:]+:\d+:function:.+$/.test(endpoint)
        : protocol === 'http'
          ? /^http:\/\/.+/.test(endpoint)
          : protocol === 'https'
            ? /^https:\/\/.+/.test(endpoint)
            : protocol.startsWith('email')
              ? /^[^@\s]+@[^@\s]+$/.test(endpoint)
              : endpoint !== '';
  if (!ok) {
    const names: Record<string, string> = {
      sqs: 'SQS endpoint ARN',
      lambda: 'Lambda endpoint ARN',
      email: 'Email address',
    };
    throw invalid(names[protocol] ?? 'Endpoint');
  }
}

const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});

function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  });
}

function defaultTopicAttribute(name: string): string | undefined {
  return name === 'FifoTopic' || name === 'ContentBasedDeduplication' ? 'false' : undefined;
}

function defaultSubscriptionAttribute(name: string): string | undefined {
  return name === 'RawMessageDelivery'
    ? 'false'
    : name === 'FilterPolicyScope'
      ? 'MessageAttributes'
      : undefined;
}
