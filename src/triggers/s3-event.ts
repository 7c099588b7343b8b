/**
 * What S3 sends for an object event: the notification record (event structure 2.1,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html), the
 * EventBridge event detail (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html)
 * and the one-time `s3:TestEvent`. The record matches `slipway events s3 put` (src/events/s3.ts):
 * same fields, same order, same key encoding.
 */
import { createHash } from 'node:crypto';
import { encodeS3EventKey } from '../events/encoding.ts';
import type { ServiceEvent } from '../services/types.ts';

/** `detail` of the S3 service's object events (see the service's events.ts). */
export interface S3ObjectEventDetail {
  bucket: string;
  /** The key as stored (not encoded). */
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
  sourceIPAddress?: string;
  requestId?: string;
  principalId?: string;
}

export interface S3Context {
  region: string;
  accountId: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads the S3 service's event detail defensively (it is `Record<string, unknown>` on the wire). */
export function s3Detail(e: ServiceEvent): S3ObjectEventDetail | undefined {
  const d = e.detail;
  const bucket = str(d.bucket) ?? e.resourceArn.replace(/^arn:[^:]+:s3:::/, '');
  const key = str(d.key);
  if (!bucket || key === undefined) return undefined;
  return {
    bucket,
    key,
    ...(typeof d.size === 'number' ? { size: d.size } : {}),
    ...(str(d.eTag) !== undefined ? { eTag: str(d.eTag) } : {}),
    ...(str(d.versionId) !== undefined ? { versionId: str(d.versionId) } : {}),
    ...(str(d.sequencer) !== undefined ? { sequencer: str(d.sequencer) } : {}),
    ...(str(d.sourceIPAddress) !== undefined ? { sourceIPAddress: str(d.sourceIPAddress) } : {}),
    ...(str(d.requestId) !== undefined ? { requestId: str(d.requestId) } : {}),
    ...(str(d.principalId) !== undefined ? { principalId: str(d.principalId) } : {}),
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** A stable canonical-looking owner id for the account (S3's `ownerIdentity.principalId`). */
export function ownerPrincipalId(accountId: string): string {
  return `A${sha256(`owner:${accountId}`).toString('hex').slice(0, 13).toUpperCase()}`;
}

/** S3's `x-amz-id-2` (extended request id) for a request id: stable, base64 as AWS's. */
export function extendedRequestId(requestId: string): string {
  return sha256(`id2:${requestId}`).toString('base64');
}

/** A sequencer from the event time when the service gave none: hex, growing with time. */
function fallbackSequencer(time: number): string {
  return time.toString(16).toUpperCase().padStart(16, '0');
}

/** One element of `Records` for an object event and the configuration that matched it. */
export function s3EventRecord(
  e: ServiceEvent,
  d: S3ObjectEventDetail,
  configurationId: string,
  ctx: S3Context,
): Record<string, unknown> {
  const created = e.type.startsWith('ObjectCreated:');
  const requestId = d.requestId ?? sha256(`${e.time}:${d.key}`).toString('hex').slice(0, 16).toUpperCase();
  const object: Record<string, unknown> = { key: encodeS3EventKey(d.key) };
  if (created) {
    object.size = d.size ?? 0;
    if (d.eTag !== undefined) object.eTag = d.eTag;
  }
  if (d.versionId !== undefined) object.versionId = d.versionId;
  object.sequencer = d.sequencer ?? fallbackSequencer(e.time);
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: ctx.region,
    eventTime: new Date(e.time).toISOString(),
    eventName: e.type,
    userIdentity: { principalId: d.principalId ?? principalFor(e, ctx) },
    requestParameters: { sourceIPAddress: d.sourceIPAddress ?? '127.0.0.1' },
    responseElements: { 'x-amz-request-id': requestId, 'x-amz-id-2': extendedRequestId(requestId) },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: {
        name: d.bucket,
        ownerIdentity: { principalId: ownerPrincipalId(ctx.accountId) },
        arn: `arn:aws:s3:::${d.bucket}`,
      },
      object,
    },
  };
}

function principalFor(e: ServiceEvent, ctx: S3Context): string {
  return e.caller ? `AWS:${e.caller.accessKeyId}` : `AWS:${ctx.accountId}`;
}

const CREATED_REASONS: Record<string, string> = {
  Put: 'PutObject',
  Post: 'POST Object',
  Copy: 'CopyObject',
  CompleteMultipartUpload: 'CompleteMultipartUpload',
};

/** The EventBridge `detail-type` and `detail` S3 sends for an object event, or undefined for other events. */
export function s3EventBridgeEvent(
  e: ServiceEvent,
  d: S3ObjectEventDetail,
  ctx: S3Context,
): { detailType: string; detail: Record<string, unknown> } | undefined {
  const [category, action = ''] = e.type.split(':');
  const created = category === 'ObjectCreated';
  if (!created && category !== 'ObjectRemoved') return undefined;
  const object: Record<string, unknown> = { key: d.key };
  if (created) object.size = d.size ?? 0;
  if (d.eTag !== undefined) object.etag = d.eTag;
  if (d.versionId !== undefined) object['version-id'] = d.versionId;
  object.sequencer = d.sequencer ?? fallbackSequencer(e.time);
  const detail: Record<string, unknown> = {
    version: '0',
    bucket: { name: d.bucket },
    object,
    'request-id': d.requestId ?? '',
    requester: ctx.accountId,
    'source-ip-address': d.sourceIPAddress ?? '127.0.0.1',
    reason: created ? (CREATED_REASONS[action] ?? action) : 'DeleteObject',
  };
  if (!created)
    detail['deletion-type'] =
      action === 'DeleteMarkerCreated' ? 'Delete Marker Created' : 'Permanently Deleted';
  return { detailType: created ? 'Object Created' : 'Object Deleted', detail };
}

/** The message S3 sends to a queue or topic when a notification configuration is set. */
export function s3TestEvent(bucket: string, requestId: string, time: number): Record<string, unknown> {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date(time).toISOString(),
    Bucket: bucket,
    RequestId: requestId,
    HostId: extendedRequestId(requestId),
  };
}
