/** S3 event notifications (`ObjectCreated:*`, `ObjectRemoved:*`), event structure version 2.1. */
import { type EventEnv, alnumId, hexId } from './env.ts';
import { encodeS3EventKey } from './encoding.ts';

export interface S3EventOptions {
  bucket: { name: string; arn: string };
  /** The object key as stored (not encoded); the event carries it URL-encoded. */
  key: string;
  /** e.g. `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, `ObjectRemoved:Delete`. */
  eventName: string;
  /** Object size in bytes (ObjectCreated only). */
  size?: number;
  /** Hex MD5 for single-part uploads (ObjectCreated only). */
  eTag?: string;
  /** Only versioned buckets put a version id in the event. */
  versionId?: string;
  /** The notification configuration's id. */
  configurationId?: string;
  sourceIp?: string;
}

export function s3Event(opts: S3EventOptions, env: EventEnv): Record<string, unknown> {
  const now = env.now();
  const created = opts.eventName.startsWith('ObjectCreated:');
  const object: Record<string, unknown> = { key: encodeS3EventKey(opts.key) };
  if (created) {
    object.size = opts.size ?? 1024;
    object.eTag = opts.eTag ?? hexId(env, 32);
  }
  if (opts.versionId !== undefined) object.versionId = opts.versionId;
  // A hex string that grows with time: AWS's sequencer orders the events of one key.
  object.sequencer = now.getTime().toString(16).toUpperCase().padStart(16, '0') + hexId(env, 2).toUpperCase();
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: env.region,
        eventTime: now.toISOString(),
        eventName: opts.eventName,
        userIdentity: { principalId: `AWS:AIDA${alnumId(env, 17).toUpperCase()}` },
        requestParameters: { sourceIPAddress: opts.sourceIp ?? '203.0.113.10' },
        responseElements: {
          'x-amz-request-id': hexId(env, 16).toUpperCase(),
          'x-amz-id-2': Buffer.from(hexId(env, 48), 'hex').toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: opts.configurationId ?? Buffer.from(env.uuid()).toString('base64').slice(0, 48),
          bucket: {
            name: opts.bucket.name,
            ownerIdentity: { principalId: alnumId(env, 14).toUpperCase() },
            arn: opts.bucket.arn,
          },
          object,
        },
      },
    ],
  };
}
