/**
 * What the S3 service emits (ctx.emit), for the triggers layer to route to bucket notifications.
 *
 * Every event: `source: 's3'`, `resourceArn: arn:aws:s3:::<bucket>`, `caller: req.caller`, and
 * `type` = the S3 event name without its `s3:` prefix:
 *
 *   ObjectCreated:Put                      PutObject (and the app's putObject seeding)
 *   ObjectCreated:Post                     (reserved: browser form POST uploads are not served yet)
 *   ObjectCreated:Copy                     CopyObject
 *   ObjectCreated:CompleteMultipartUpload  CompleteMultipartUpload
 *   ObjectRemoved:Delete                   DeleteObject, DeleteObjects (per key that existed)
 *
 * `detail` (S3ObjectEventDetail) carries what an S3 event record needs:
 *
 *   bucket           bucket name
 *   key              the object key, raw (NOT URL-encoded; records encode it when built)
 *   size             bytes (created events only)
 *   eTag             MD5 hex without quotes, as in S3 event records (created events only)
 *   versionId        absent: versioning is not emulated
 *   sequencer        upper-case hex string, increasing for successive events on a key (and
 *                    across the whole service), compare as S3 documents: pad the shorter with
 *                    leading zeros, then compare as strings
 *   sourceIPAddress  the caller's address (x-forwarded-for when set, else 127.0.0.1)
 *   requestId        the request id returned to the client (x-amz-request-id)
 *   principalId      `AWS:<access key id>` of the signed caller, when known
 *
 * Events are emitted only after the write is durable (index entry committed).
 */
import type { Clock } from '../../shared/clock.ts';
import type { Caller, ServiceEvent } from '../types.ts';
import { bucketArn } from './names.ts';

export type S3EventType =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete';

export interface S3ObjectEventDetail {
  bucket: string;
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer: string;
  sourceIPAddress: string;
  requestId: string;
  principalId?: string;
}

/** Where an event came from: the request's ids, or the app (seeding) when absent. */
export interface EventOrigin {
  requestId: string;
  sourceIPAddress: string;
  caller?: Caller;
}

/**
 * Monotonic sequencers: the clock's milliseconds shifted left 12 bits, bumped when two events
 * fall in the same millisecond, so values keep increasing across restarts as the clock does.
 */
export class Sequencer {
  private last = 0n;
  constructor(private readonly clock: Clock) {}
  next(): string {
    let v = BigInt(this.clock.now()) << 12n;
    if (v <= this.last) v = this.last + 1n;
    this.last = v;
    return v.toString(16).toUpperCase().padStart(16, '0');
  }
}

export class S3Events {
  private readonly sequencer: Sequencer;
  constructor(
    private readonly clock: Clock,
    private readonly emit: (e: ServiceEvent) => void,
  ) {
    this.sequencer = new Sequencer(clock);
  }

  objectCreated(
    type: Exclude<S3EventType, 'ObjectRemoved:Delete'>,
    bucket: string,
    object: { key: string; size: number; eTag: string },
    origin: EventOrigin,
  ): void {
    this.send(type, bucket, origin, {
      key: object.key,
      size: object.size,
      eTag: object.eTag.replace(/^"|"$/g, ''),
    });
  }

  objectRemoved(bucket: string, key: string, origin: EventOrigin): void {
    this.send('ObjectRemoved:Delete', bucket, origin, { key });
  }

  private send(
    type: S3EventType,
    bucket: string,
    origin: EventOrigin,
    fields: { key: string; size?: number; eTag?: string },
  ): void {
    const detail: S3ObjectEventDetail = {
      bucket,
      ...fields,
      sequencer: this.sequencer.next(),
      sourceIPAddress: origin.sourceIPAddress,
      requestId: origin.requestId,
      ...(origin.caller ? { principalId: `AWS:${origin.caller.accessKeyId}` } : {}),
    };
    this.emit({
      source: 's3',
      type,
      resourceArn: bucketArn(bucket),
      detail: detail as unknown as Record<string, unknown>,
      ...(origin.caller ? { caller: origin.caller } : {}),
      time: this.clock.now(),
    });
  }
}
