/**
 * The S3 service: the REST wire for the SDKs and the aws CLI (protocol.ts), and a small typed
 * API for the app (template buckets, seeding) and the triggers layer (notification configs).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AwsService, ServiceContext } from '../types.ts';
import { S3Events } from './events.ts';
import type { S3Deps } from './context.ts';
import { bucketArn } from './names.ts';
import type { NotificationConfiguration } from './notification.ts';
import { handleS3 } from './protocol.ts';
import { S3State } from './state.ts';

export type {
  NotificationConfiguration,
  LambdaFunctionConfiguration,
  QueueConfiguration,
  TopicConfiguration,
  NotificationFilter,
  FilterRule,
} from './notification.ts';
export type { S3ObjectEventDetail, S3EventType } from './events.ts';

export interface BucketInfo {
  name: string;
  region: string;
  /** Epoch ms. */
  createdAt: number;
  arn: string;
}

export interface S3Service extends AwsService {
  readonly signingName: 's3';
  /** Creates a bucket in the app's region; nothing happens when it already exists. */
  createBucket(name: string): Promise<void>;
  /** Stores an object (seeding) and emits ObjectCreated:Put as a client PUT would. */
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    options?: { contentType?: string; metadata?: Record<string, string> },
  ): Promise<{ eTag: string }>;
  getObject(bucket: string, key: string): Promise<Buffer | undefined>;
  getBucketNotificationConfiguration(bucket: string): NotificationConfiguration | undefined;
  putBucketNotificationConfiguration(bucket: string, config: NotificationConfiguration): Promise<void>;
  bucketArn(name: string): string;
  listBuckets(): BucketInfo[];
}

export function createS3Service(ctx: ServiceContext): S3Service {
  // Only the lmdb store promises durability; the memory store's blobs need no fsync.
  const state = new S3State(ctx.store.namespace('s3'), ctx.store.blobDir('s3'), ctx.clock, {
    durable: ctx.store.kind === 'lmdb',
  });
  const events = new S3Events(ctx.clock, (e) => ctx.emit(e));
  const ownerId = createHash('sha256').update(`slipway:${ctx.accountId}`).digest('hex');
  const deps: S3Deps = { ctx, state, events, owner: { ID: ownerId, DisplayName: 'slipway' } };
  const appOrigin = (): { requestId: string; sourceIPAddress: string } => ({
    requestId: randomUUID(),
    sourceIPAddress: '127.0.0.1',
  });
  return {
    signingName: 's3',
    handle: (req, res) => handleS3(deps, req, res),
    async createBucket(name) {
      await state.createBucket(name, ctx.region);
    },
    async putObject(bucket, key, body, options = {}) {
      const record = await state.putObject(bucket, key, body, {
        contentType: options.contentType ?? 'binary/octet-stream',
        metadata: Object.fromEntries(
          Object.entries(options.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
        ),
      });
      events.objectCreated('ObjectCreated:Put', bucket, record, appOrigin());
      return { eTag: record.eTag };
    },
    getObject: (bucket, key) => state.readObject(bucket, key),
    getBucketNotificationConfiguration: (bucket) => state.getNotification(bucket),
    putBucketNotificationConfiguration: (bucket, config) => state.setNotification(bucket, config),
    bucketArn,
    listBuckets: () =>
      state
        .listBuckets()
        .map((b) => ({ name: b.name, region: b.region, createdAt: b.createdAt, arn: bucketArn(b.name) })),
  };
}
