/** Kinesis Data Streams records as the Lambda event source mapping delivers them. */
import { type EventEnv, epochSeconds, hexId } from './env.ts';
import { base64 } from './encoding.ts';

export interface KinesisEventOptions {
  stream: { name: string; arn: string };
  /** One record per entry; the event carries them base64-encoded. */
  data: string[];
  partitionKey: string;
  shardId?: string;
}

/** A 56-digit Kinesis sequence number; consecutive records get increasing ones. */
export function kinesisSequenceNumber(env: EventEnv, offset: number): string {
  const base = BigInt(`0x${hexId(env, 40)}`) % 10n ** 40n;
  const time = BigInt(env.now().getTime());
  return `49${time.toString().padStart(14, '0')}${(base + BigInt(offset)).toString().padStart(40, '0')}`;
}

export function kinesisEvent(opts: KinesisEventOptions, env: EventEnv): Record<string, unknown> {
  const shardId = opts.shardId ?? 'shardId-000000000000';
  const arrival = epochSeconds(env.now());
  const first = kinesisSequenceNumber(env, 0);
  return {
    Records: opts.data.map((data, i) => {
      const sequenceNumber = (BigInt(first) + BigInt(i)).toString();
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: opts.partitionKey,
          sequenceNumber,
          data: base64(data),
          approximateArrivalTimestamp: arrival,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::${env.accountId}:role/lambda-kinesis-role`,
        awsRegion: env.region,
        eventSourceARN: opts.stream.arn,
      };
    }),
  };
}
