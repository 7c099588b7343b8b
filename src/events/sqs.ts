/** SQS messages as the Lambda event source mapping delivers them. */
import { createHash } from 'node:crypto';
import { type EventEnv, hexId } from './env.ts';
import { md5Hex } from './encoding.ts';

export interface SqsQueue {
  name: string;
  arn: string;
}

export interface SqsEventOptions {
  queue: SqsQueue;
  bodies: string[];
  /** String message attributes, name → value. */
  messageAttributes?: Record<string, string>;
  /** FIFO queues only (the name ends with `.fifo`). */
  messageGroupId?: string;
  senderId?: string;
}

/**
 * `MD5OfMessageAttributes` as SQS computes it: attributes sorted by name, each encoded as
 * length-prefixed (4-byte big-endian) name, data type, a transport byte (1 string, 2 binary) and
 * length-prefixed value; the MD5 of the whole, in hex.
 */
export function md5OfMessageAttributes(
  attributes: Record<string, { dataType: string; stringValue: string }>,
): string {
  const hash = createHash('md5');
  const lengthPrefixed = (s: string): void => {
    const bytes = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    hash.update(len);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attr = attributes[name]!;
    lengthPrefixed(name);
    lengthPrefixed(attr.dataType);
    hash.update(Buffer.from([1]));
    lengthPrefixed(attr.stringValue);
  }
  return hash.digest('hex');
}

export function sqsEvent(opts: SqsEventOptions, env: EventEnv): Record<string, unknown> {
  const sent = env.now().getTime();
  const fifo = opts.queue.name.endsWith('.fifo');
  const records = opts.bodies.map((body, i) => {
    const attributes: Record<string, string> = {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(sent + i),
      SenderId: opts.senderId ?? 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(sent + i + 7),
    };
    if (fifo) {
      attributes.SequenceNumber = (18849496460467696128n + BigInt(i)).toString();
      attributes.MessageGroupId = opts.messageGroupId ?? 'group1';
      attributes.MessageDeduplicationId = md5Hex(body);
    }
    const messageAttributes: Record<string, { dataType: string; stringValue: string }> = {};
    for (const [name, value] of Object.entries(opts.messageAttributes ?? {}))
      messageAttributes[name] = { dataType: 'String', stringValue: value };
    const hasAttributes = Object.keys(messageAttributes).length > 0;
    return {
      messageId: env.uuid(),
      receiptHandle: `AQEB${Buffer.from(hexId(env, 96), 'hex').toString('base64')}`,
      body,
      attributes,
      messageAttributes: Object.fromEntries(
        Object.entries(messageAttributes).map(([name, a]) => [
          name,
          { stringValue: a.stringValue, stringListValues: [], binaryListValues: [], dataType: a.dataType },
        ]),
      ),
      // Present only when the message has attributes, as in the events AWS delivers.
      ...(hasAttributes ? { md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes) } : {}),
      md5OfBody: md5Hex(body),
      eventSource: 'aws:sqs',
      eventSourceARN: opts.queue.arn,
      awsRegion: env.region,
    };
  });
  return { Records: records };
}
