/**
 * SNS wire format: the query protocol (form-encoded `Action=...`, XML answers in the
 * http://sns.amazonaws.com/doc/2010-03-31/ namespace), which both the AWS SDK v3 client-sns and the
 * aws CLI speak. Maps are `Name.entry.N.key/value`, lists `Name.member.N`.
 */
import { membersOf } from '../../protocols/query.ts';
import { AwsError, type Caller } from '../types.ts';
import {
  MAX_BATCH_ENTRIES,
  type MessageAttributeValue,
  type PublishOptions,
  type SnsState,
  type Subscription,
} from './state.ts';

type Handler = (
  state: SnsState,
  p: URLSearchParams,
  caller?: Caller,
) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;

const PAGE_SIZE = 100;

function required(p: URLSearchParams, name: string): string {
  const v = p.get(name);
  if (v === null || v === '')
    throw new AwsError(
      'InvalidParameter',
      `Invalid parameter: ${name} Reason: no value for required parameter`,
    );
  return v;
}

/** `Attributes.entry.N.key/value` → record. */
function mapOf(p: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of membersOf(p, `${prefix}.entry`)) if (e.key !== undefined) out[e.key] = e.value ?? '';
  return out;
}

function tagsOf(p: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of membersOf(p, 'Tags.member')) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

function messageAttributesOf(p: URLSearchParams): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const e of membersOf(p, 'MessageAttributes.entry')) {
    if (e.Name === undefined) continue;
    const attr: MessageAttributeValue = { DataType: e['Value.DataType'] ?? '' };
    if (e['Value.StringValue'] !== undefined) attr.StringValue = e['Value.StringValue'];
    if (e['Value.BinaryValue'] !== undefined) attr.BinaryValue = e['Value.BinaryValue'];
    out[e.Name] = attr;
  }
  return out;
}

function publishOptions(p: URLSearchParams): PublishOptions {
  const options: PublishOptions = { messageAttributes: messageAttributesOf(p) };
  const set = (key: keyof PublishOptions, name: string): void => {
    const v = p.get(name);
    if (v !== null) (options as Record<string, unknown>)[key] = v;
  };
  set('subject', 'Subject');
  set('messageStructure', 'MessageStructure');
  set('messageGroupId', 'MessageGroupId');
  set('messageDeduplicationId', 'MessageDeduplicationId');
  return options;
}

const entries = (attrs: Record<string, string>): Record<string, unknown> => ({
  entry: Object.entries(attrs).map(([key, value]) => ({ key, value })),
});

function paged<T>(items: T[], p: URLSearchParams): { items: T[]; next?: string } {
  const token = p.get('NextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new AwsError('InvalidParameter', 'Invalid parameter: NextToken');
  const slice = items.slice(start, start + PAGE_SIZE);
  return start + PAGE_SIZE < items.length
    ? { items: slice, next: Buffer.from(String(start + PAGE_SIZE)).toString('base64url') }
    : { items: slice };
}

function subscriptionMember(s: Subscription): Record<string, string> {
  return {
    SubscriptionArn: s.PendingConfirmation ? 'PendingConfirmation' : s.SubscriptionArn,
    Owner: s.Owner,
    Protocol: s.Protocol,
    Endpoint: s.Endpoint,
    TopicArn: s.TopicArn,
  };
}

function listSubscriptions(state: SnsState, p: URLSearchParams, topicArn?: string): Record<string, unknown> {
  const { items, next } = paged(state.listSubscriptions(topicArn), p);
  return { Subscriptions: { member: items.map(subscriptionMember) }, ...(next ? { NextToken: next } : {}) };
}

export const ACTIONS: Record<string, Handler> = {
  async CreateTopic(state, p) {
    const topic = await state.createTopic(required(p, 'Name'), mapOf(p, 'Attributes'), tagsOf(p));
    return { TopicArn: topic.Arn };
  },
  async DeleteTopic(state, p) {
    await state.deleteTopic(required(p, 'TopicArn'));
    return undefined;
  },
  ListTopics(state, p) {
    const { items, next } = paged(state.listTopics(), p);
    return {
      Topics: { member: items.map((t) => ({ TopicArn: t.Arn })) },
      ...(next ? { NextToken: next } : {}),
    };
  },
  GetTopicAttributes(state, p) {
    return { Attributes: entries(state.topicAttributes(state.getTopic(required(p, 'TopicArn')))) };
  },
  async SetTopicAttributes(state, p) {
    await state.setTopicAttribute(
      required(p, 'TopicArn'),
      required(p, 'AttributeName'),
      p.get('AttributeValue') ?? '',
    );
    return undefined;
  },
  async Subscribe(state, p) {
    const sub = await state.subscribe(
      required(p, 'TopicArn'),
      required(p, 'Protocol'),
      p.get('Endpoint') ?? '',
      mapOf(p, 'Attributes'),
    );
    const returnArn = p.get('ReturnSubscriptionArn') === 'true';
    return {
      SubscriptionArn: sub.PendingConfirmation && !returnArn ? 'pending confirmation' : sub.SubscriptionArn,
    };
  },
  async ConfirmSubscription(state, p) {
    const sub = await state.confirmSubscription(required(p, 'TopicArn'), required(p, 'Token'));
    return { SubscriptionArn: sub.SubscriptionArn };
  },
  async Unsubscribe(state, p) {
    await state.unsubscribe(required(p, 'SubscriptionArn'));
    return undefined;
  },
  ListSubscriptions(state, p) {
    return listSubscriptions(state, p);
  },
  ListSubscriptionsByTopic(state, p) {
    return listSubscriptions(state, p, required(p, 'TopicArn'));
  },
  GetSubscriptionAttributes(state, p) {
    return {
      Attributes: entries(
        state.subscriptionAttributes(state.getSubscription(required(p, 'SubscriptionArn'))),
      ),
    };
  },
  async SetSubscriptionAttributes(state, p) {
    await state.setSubscriptionAttribute(
      required(p, 'SubscriptionArn'),
      required(p, 'AttributeName'),
      p.get('AttributeValue') ?? '',
    );
    return undefined;
  },
  Publish(state, p, caller) {
    const topicArn = p.get('TopicArn') ?? p.get('TargetArn');
    if (!topicArn) {
      if (p.get('PhoneNumber'))
        throw new AwsError(
          'InvalidParameter',
          'Invalid parameter: PhoneNumber Reason: SMS is not supported locally',
        );
      throw new AwsError(
        'InvalidParameter',
        'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
      );
    }
    const result = state.publish(topicArn, p.get('Message') ?? undefined, publishOptions(p), caller);
    return { ...result };
  },
  PublishBatch(state, p, caller) {
    const topicArn = required(p, 'TopicArn');
    state.getTopic(topicArn);
    const raw = membersOf(p, 'PublishBatchRequestEntries.member');
    if (raw.length === 0)
      throw new AwsError('EmptyBatchRequest', 'The batch request does not contain any entries.');
    if (raw.length > MAX_BATCH_ENTRIES)
      throw new AwsError(
        'TooManyEntriesInBatchRequest',
        `The batch request contains more entries than permissible (${MAX_BATCH_ENTRIES}).`,
      );
    const ids = raw.map((e) => e.Id ?? '');
    if (new Set(ids).size !== ids.length)
      throw new AwsError(
        'BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id.',
      );
    if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id)))
      throw new AwsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    const successful: Array<Record<string, string>> = [];
    const failed: Array<Record<string, string>> = [];
    for (const entry of raw) {
      const sub = new URLSearchParams(Object.entries(entry));
      try {
        const r = state.publish(topicArn, sub.get('Message') ?? undefined, publishOptions(sub), caller);
        successful.push({
          Id: entry.Id as string,
          MessageId: r.MessageId,
          ...(r.SequenceNumber ? { SequenceNumber: r.SequenceNumber } : {}),
        });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        failed.push({
          Id: entry.Id as string,
          Code: err.code,
          Message: err.message,
          SenderFault: String(err.fault === 'Sender'),
        });
      }
    }
    return { Successful: { member: successful }, Failed: { member: failed } };
  },
  async TagResource(state, p) {
    await state.tag(required(p, 'ResourceArn'), tagsOf(p));
    return undefined;
  },
  async UntagResource(state, p) {
    const keys = [...p.entries()].filter(([k]) => /^TagKeys\.member\.\d+$/.test(k)).map(([, v]) => v);
    await state.tag(required(p, 'ResourceArn'), {}, keys);
    return undefined;
  },
  ListTagsForResource(state, p) {
    const topic = state.getTopic(required(p, 'ResourceArn'));
    return { Tags: { member: Object.entries(topic.Tags).map(([Key, Value]) => ({ Key, Value })) } };
  },
};
