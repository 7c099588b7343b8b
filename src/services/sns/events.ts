/**
 * What the SNS service emits (ServiceEvent with source `sns`, resourceArn: the topic's ARN).
 *
 * `Notification`: a published message matched a confirmed subscription (one emit per
 * subscription). The triggers layer delivers it: Lambda async invoke with `{Records:
 * [lambdaRecord]}`, SQS send of `envelope` as JSON (or `message` itself with raw delivery, the
 * attributes then becoming SQS message attributes), HTTP(S) POST of `envelope`.
 *
 * `SubscriptionConfirmation`: an http/https subscription was created; the triggers layer POSTs
 * `envelope` to the endpoint, whose owner confirms through its SubscribeURL (ConfirmSubscription).
 *
 * Signatures are not real (nothing local holds SNS's private key); the URLs point at this endpoint.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { MessageAttributeValue, Subscription } from './state.ts';

export const NOTIFICATION = 'Notification';
export const SUBSCRIPTION_CONFIRMATION = 'SubscriptionConfirmation';

/** `MessageAttributes` in SNS's JSON documents: name → {Type, Value} (binary values in base64). */
export type SnsJsonAttributes = Record<string, { Type: string; Value: string }>;

export interface SnsEnvelope {
  Type: 'Notification';
  MessageId: string;
  SequenceNumber?: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1';
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
  MessageAttributes?: SnsJsonAttributes;
}

/** `Records[i]` of the event a Lambda subscribed to a topic receives. */
export interface SnsLambdaRecord {
  EventSource: 'aws:sns';
  EventVersion: '1.0';
  EventSubscriptionArn: string;
  Sns: {
    Type: 'Notification';
    MessageId: string;
    TopicArn: string;
    Subject: string | null;
    Message: string;
    Timestamp: string;
    SignatureVersion: '1';
    Signature: string;
    SigningCertUrl: string;
    UnsubscribeUrl: string;
    MessageAttributes: SnsJsonAttributes;
  };
}

export interface NotificationDetail {
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  rawMessageDelivery: boolean;
  /** The message for this subscription's protocol (MessageStructure=json picks its entry or `default`). */
  message: string;
  messageId: string;
  subject?: string;
  /** As published (DataType, StringValue / BinaryValue in base64), for raw delivery to SQS. */
  messageAttributes: Record<string, MessageAttributeValue>;
  /** Epoch ms. */
  timestamp: number;
  envelope: SnsEnvelope;
  lambdaRecord: SnsLambdaRecord;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
}

export function jsonAttributes(attributes: Record<string, MessageAttributeValue>): SnsJsonAttributes {
  const out: SnsJsonAttributes = {};
  for (const [name, a] of Object.entries(attributes))
    out[name] = {
      Type: a.DataType,
      Value: (a.DataType.startsWith('Binary') ? a.BinaryValue : a.StringValue) ?? '',
    };
  return out;
}

function signature(): string {
  return randomBytes(256).toString('base64');
}

function certUrl(region: string): string {
  return `https://sns.${region}.amazonaws.com/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
}

export interface NotificationInput {
  sub: Subscription;
  message: string;
  messageId: string;
  subject?: string;
  attributes: Record<string, MessageAttributeValue>;
  timestamp: number;
  region: string;
  unsubscribeBase: string;
  sequenceNumber?: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

export function buildNotification(n: NotificationInput): NotificationDetail {
  const timestamp = new Date(n.timestamp).toISOString();
  const sig = signature();
  const cert = certUrl(n.region);
  const unsubscribe = `${n.unsubscribeBase}/?Action=Unsubscribe&SubscriptionArn=${n.sub.SubscriptionArn}`;
  const attrs = jsonAttributes(n.attributes);
  const envelope: SnsEnvelope = { Type: 'Notification', MessageId: n.messageId } as SnsEnvelope;
  if (n.sequenceNumber !== undefined) envelope.SequenceNumber = n.sequenceNumber;
  envelope.TopicArn = n.sub.TopicArn;
  if (n.subject !== undefined) envelope.Subject = n.subject;
  Object.assign(envelope, {
    Message: n.message,
    Timestamp: timestamp,
    SignatureVersion: '1',
    Signature: sig,
    SigningCertURL: cert,
    UnsubscribeURL: unsubscribe,
  });
  if (Object.keys(attrs).length > 0) envelope.MessageAttributes = attrs;
  const lambdaRecord: SnsLambdaRecord = {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: n.sub.SubscriptionArn,
    Sns: {
      Type: 'Notification',
      MessageId: n.messageId,
      TopicArn: n.sub.TopicArn,
      Subject: n.subject ?? null,
      Message: n.message,
      Timestamp: timestamp,
      SignatureVersion: '1',
      Signature: sig,
      SigningCertUrl: cert,
      UnsubscribeUrl: unsubscribe,
      MessageAttributes: attrs,
    },
  };
  const detail: NotificationDetail = {
    subscriptionArn: n.sub.SubscriptionArn,
    protocol: n.sub.Protocol,
    endpoint: n.sub.Endpoint,
    rawMessageDelivery: n.sub.Attributes.RawMessageDelivery?.toLowerCase() === 'true',
    message: n.message,
    messageId: n.messageId,
    messageAttributes: n.attributes,
    timestamp: n.timestamp,
    envelope,
    lambdaRecord,
  };
  if (n.subject !== undefined) detail.subject = n.subject;
  if (n.messageGroupId !== undefined) detail.messageGroupId = n.messageGroupId;
  if (n.messageDeduplicationId !== undefined) detail.messageDeduplicationId = n.messageDeduplicationId;
  if (n.sequenceNumber !== undefined) detail.sequenceNumber = n.sequenceNumber;
  return detail;
}

export function confirmationEnvelope(
  sub: Subscription,
  subscribeUrl: string,
  region: string,
  now: number,
): Record<string, string> {
  return {
    Type: 'SubscriptionConfirmation',
    MessageId: randomUUID(),
    Token: sub.Token ?? '',
    TopicArn: sub.TopicArn,
    Message: `You have chosen to subscribe to the topic ${sub.TopicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: subscribeUrl,
    Timestamp: new Date(now).toISOString(),
    SignatureVersion: '1',
    Signature: signature(),
    SigningCertURL: certUrl(region),
  };
}
