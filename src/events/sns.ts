/** SNS notifications delivered to a Lambda subscription. */
import { type EventEnv, hexId } from './env.ts';

export interface SnsEventOptions {
  topicArn: string;
  message: string;
  /** `null` (no subject) is what AWS sends when the publisher gave none. */
  subject: string | null;
  /** String message attributes, name → value. */
  messageAttributes?: Record<string, string>;
}

export function snsEvent(opts: SnsEventOptions, env: EventEnv): Record<string, unknown> {
  const subscriptionArn = `${opts.topicArn}:${env.uuid()}`;
  const host = `sns.${env.region}.amazonaws.com`;
  const attributes: Record<string, { Type: string; Value: string }> = {};
  for (const [name, value] of Object.entries(opts.messageAttributes ?? {}))
    attributes[name] = { Type: 'String', Value: value };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: env.uuid(),
          TopicArn: opts.topicArn,
          Subject: opts.subject,
          Message: opts.message,
          Timestamp: env.now().toISOString(),
          SignatureVersion: '1',
          // Not a real signature: nothing local holds SNS's private key.
          Signature: Buffer.from(hexId(env, 256), 'hex').toString('base64'),
          SigningCertUrl: `https://${host}/SimpleNotificationService-${hexId(env, 32)}.pem`,
          UnsubscribeUrl: `https://${host}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: attributes,
        },
      },
    ],
  };
}
