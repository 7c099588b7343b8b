/**
 * S3 state, plain TypeScript (no HTTP): buckets, the object index and multipart uploads in the
 * store namespace `s3`, bodies as files in a BlobStore. Index layout (UTF-8 ordered keys):
 *
 *   b/<bucket>                 BucketRecord
 *   o/<bucket>/<key>           ObjectRecord      (listing = a prefix scan of o/<bucket>/<prefix>)
 *   u/<bucket>/<uploadId>      UploadRecord
 *   p/<uploadId>/<00001>       PartRecord
 *
 * A write lands its body durably first (BlobStore.write), then its index entry; the blob it
 * replaces is removed last, so a crash leaves at worst an orphan blob (swept at start).
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Clock } from '../../shared/clock.ts';
import type { JsonValue, Namespace } from '../../store/types.ts';
import { AwsError } from '../types.ts';
import { BlobStore, type WriteOptions, type WrittenBlob } from './blobs.ts';
import { createHasher, type ChecksumAlgorithm } from './checksums.ts';
import { assertBucketName } from './names.ts';
import { validateNotificationConfiguration, type NotificationConfiguration } from './notification.ts';

/** S3's limits, in AWS's words. */
export const MAX_PUT_OBJECT_BYTES = 5 * 1024 ** 3;
export const MAX_PART_BYTES = 5 * 1024 ** 3;
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;
export const MAX_KEY_BYTES = 1024;

export interface BucketRecord {
  name: string;
  region: string;
  createdAt: number;
  notification?: NotificationConfiguration;
}

/** What a client sets on an object besides its body. */
export interface ObjectHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  storageClass?: string;
  metadata: Record<string, string>;
}

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64; composite values end in `-<parts>`. */
  value: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface ObjectRecord extends ObjectHeaders {
  key: string;
  size: number;
  /** Quoted, as sent in the ETag header: `"<md5 hex>"` or `"<hex>-<parts>"`. */
  eTag: string;
  lastModified: number;
  blob: string;
  checksum?: StoredChecksum;
  partsCount?: number;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  headers: ObjectHeaders;
  checksumAlgorithm?: ChecksumAlgorithm;
}

export interface PartRecord {
  partNumber: number;
  eTag: string;
  size: number;
  lastModified: number;
  blob: string;
  checksum?: string;
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** Exclusive: listing starts after this key (or common prefix). */
  after?: string;
  /** `after` is a common prefix returned earlier: skip every key under it too. */
  afterIsPrefix?: boolean;
  maxKeys: number;
}

export interface ListResult {
  contents: ObjectRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned (the next page starts after it). */
  last?: string;
}

const bucketKey = (b: string): string => `b/${b}`;
const objectPrefix = (b: string): string => `o/${b}/`;
const objectKey = (b: string, k: string): string => `o/${b}/${k}`;
const uploadPrefix = (b: string): string => `u/${b}/`;
const partPrefix = (uploadId: string): string => `p/${uploadId}/`;
const partKey = (uploadId: string, n: number): string => `p/${uploadId}/${String(n).padStart(5, '0')}`;

const asJson = (v: unknown): JsonValue => v as JsonValue;

export const quoteETag = (hex: string): string => `"${hex}"`;
export const unquoteETag = (eTag: string): string => eTag.replace(/^"|"$/g, '');

export function noSuchBucket(name: string): AwsError {
  return new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
}
export function noSuchKey(key: string): AwsError {
  return new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}
export function noSuchUpload(uploadId: string): AwsError {
  return new AwsError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
    { UploadId: uploadId },
  );
}

export class S3State {
  readonly blobs: BlobStore;
  private readonly locks = new Map<string, Promise<unknown>>();

  /** `durable: false` (the memory store) skips the blob fsyncs; see blobs.ts. */
  constructor(
    private readonly ns: Namespace,
    blobDir: string,
    private readonly clock: Clock,
    options: { durable?: boolean } = {},
  ) {
    this.blobs = new BlobStore(blobDir, options.durable ?? true);
    const referenced = new Set<string>();
    for (const { value } of ns.list<ObjectRecord>('o/')) referenced.add(value.blob);
    for (const { value } of ns.list<PartRecord>('p/')) referenced.add(value.blob);
    this.blobs.sweep(referenced);
  }

  /** Runs `fn` after every earlier call for the same `key` finished (index read-modify-write). */
  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  // ---- buckets ----

  getBucket(name: string): BucketRecord | undefined {
    return this.ns.get<BucketRecord>(bucketKey(name));
  }

  requireBucket(name: string): BucketRecord {
    const b = this.getBucket(name);
    if (!b) throw noSuchBucket(name);
    return b;
  }

  /** Creates the bucket; false when it already existed. */
  async createBucket(name: string, region: string): Promise<boolean> {
    assertBucketName(name);
    return this.withLock(bucketKey(name), async () => {
      if (this.getBucket(name)) return false;
      await this.ns.put(bucketKey(name), asJson({ name, region, createdAt: this.clock.now() }));
      return true;
    });
  }

  listBuckets(): BucketRecord[] {
    return this.ns.list<BucketRecord>('b/').map((e) => e.value);
  }

  async deleteBucket(name: string): Promise<void> {
    this.requireBucket(name);
    if (this.ns.list(objectPrefix(name), { limit: 1 }).length > 0)
      throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
        BucketName: name,
      });
    for (const { value } of this.ns.list<UploadRecord>(uploadPrefix(name)))
      await this.abortUpload(name, value.uploadId);
    await this.ns.delete(bucketKey(name));
  }

  getNotification(name: string): NotificationConfiguration | undefined {
    return this.getBucket(name)?.notification;
  }

  async setNotification(name: string, config: NotificationConfiguration): Promise<void> {
    const valid = validateNotificationConfiguration(config);
    await this.withLock(bucketKey(name), async () => {
      const b = this.requireBucket(name);
      const empty =
        !valid.LambdaFunctionConfigurations &&
        !valid.QueueConfigurations &&
        !valid.TopicConfigurations &&
        !valid.EventBridgeConfiguration;
      if (empty) delete b.notification;
      else b.notification = valid;
      await this.ns.put(bucketKey(name), asJson(b));
    });
  }

  // ---- objects ----

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    return this.ns.get<ObjectRecord>(objectKey(bucket, key));
  }

  requireObject(bucket: string, key: string): ObjectRecord {
    this.requireBucket(bucket);
    const o = this.getObject(bucket, key);
    if (!o) throw noSuchKey(key);
    return o;
  }

  /** Streams a body into a durable blob (not yet indexed). */
  writeBlob(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: WriteOptions,
  ): Promise<WrittenBlob> {
    return this.blobs.write(source, options);
  }

  /**
   * Indexes `record` (whose blob is already durable) under bucket/key, replacing and removing the
   * previous object. `check` runs under the key's lock against the current object (conditional
   * writes); when it throws, the new blob is removed.
   */
  async commitObject(
    bucket: string,
    record: Omit<ObjectRecord, 'lastModified'>,
    check?: (current: ObjectRecord | undefined) => void,
  ): Promise<ObjectRecord> {
    try {
      assertKey(record.key);
      return await this.withLock(objectKey(bucket, record.key), async () => {
        this.requireBucket(bucket);
        const previous = this.getObject(bucket, record.key);
        check?.(previous);
        const full: ObjectRecord = { ...record, lastModified: this.clock.now() };
        await this.ns.put(objectKey(bucket, record.key), asJson(full));
        if (previous && previous.blob !== full.blob) this.blobs.removeLater(previous.blob);
        return full;
      });
    } catch (err) {
      await this.blobs.remove(record.blob);
      throw err;
    }
  }

  /** Convenience for seeding and tests: a whole object from a Buffer or stream. */
  async putObject(
    bucket: string,
    key: string,
    body: AsyncIterable<Uint8Array> | Readable | Buffer,
    headers: ObjectHeaders = { metadata: {} },
  ): Promise<ObjectRecord> {
    this.requireBucket(bucket);
    const source = Buffer.isBuffer(body) ? once(body) : (body as AsyncIterable<Uint8Array>);
    const w = await this.writeBlob(source, { maxSize: MAX_PUT_OBJECT_BYTES });
    return this.commitObject(bucket, {
      ...headers,
      key,
      size: w.size,
      eTag: quoteETag(w.md5.toString('hex')),
      blob: w.blob,
    });
  }

  /** Removes an object; returns what was removed (undefined when there was nothing). */
  async deleteObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    this.requireBucket(bucket);
    return this.withLock(objectKey(bucket, key), async () => {
      const previous = this.getObject(bucket, key);
      if (!previous) return undefined;
      await this.ns.delete(objectKey(bucket, key));
      this.blobs.removeLater(previous.blob);
      return previous;
    });
  }

  /** A copy's body: a new name for the source's immutable blob. */
  duplicateBlob(record: ObjectRecord): Promise<string> {
    return this.blobs.duplicate(record.blob);
  }

  /** Reads a whole object (small objects only: seeding, tests, the app's getObject). */
  async readObject(bucket: string, key: string): Promise<Buffer | undefined> {
    const o = this.getObject(bucket, key);
    if (!o) return undefined;
    const fh = await this.blobs.open(o.blob);
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  /** Keys and common prefixes in UTF-8 order, as ListObjects(V2)/ListObjectVersions page them. */
  listObjects(bucket: string, opts: ListOptions): ListResult {
    this.requireBucket(bucket);
    const base = objectPrefix(bucket);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter ?? '';
    const result: ListResult = { contents: [], commonPrefixes: [], isTruncated: false };
    if (opts.maxKeys <= 0) return result;
    // Exclusive lower bound; when it is a common prefix, every key under it is excluded too.
    let after = opts.after;
    let afterIsPrefix = Boolean(opts.afterIsPrefix && delimiter && after?.endsWith(delimiter));
    let cursor = base + prefix;
    if (after !== undefined && compareUtf8(base + after, cursor) > 0) cursor = base + after;
    const BATCH = 1000;
    for (;;) {
      const batch = this.ns.list<ObjectRecord>(base + prefix, { start: cursor, limit: BATCH });
      for (const { key: fullKey, value } of batch) {
        const key = fullKey.slice(base.length);
        if (after !== undefined && (compareUtf8(key, after) <= 0 || (afterIsPrefix && key.startsWith(after))))
          continue;
        const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
        const entry = cut === -1 ? key : key.slice(0, cut + delimiter.length);
        if (count(result) === opts.maxKeys) {
          result.isTruncated = true;
          return result;
        }
        result.last = entry;
        after = entry;
        afterIsPrefix = cut !== -1;
        if (afterIsPrefix) result.commonPrefixes.push(entry);
        else result.contents.push(value);
      }
      if (batch.length < BATCH) return result;
      const lastKey = batch[batch.length - 1]!.key;
      // Jump past a whole common prefix instead of walking its keys.
      cursor = afterIsPrefix ? maxUtf8(base + after! + '\u{10FFFF}', lastKey) : lastKey;
    }
  }

  // ---- multipart uploads ----

  async createUpload(
    bucket: string,
    key: string,
    headers: ObjectHeaders,
    checksumAlgorithm?: ChecksumAlgorithm,
  ): Promise<UploadRecord> {
    this.requireBucket(bucket);
    assertKey(key);
    const upload: UploadRecord = {
      uploadId: randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', ''),
      bucket,
      key,
      initiated: this.clock.now(),
      headers,
      ...(checksumAlgorithm ? { checksumAlgorithm } : {}),
    };
    await this.ns.put(`${uploadPrefix(bucket)}${upload.uploadId}`, asJson(upload));
    return upload;
  }

  getUpload(bucket: string, uploadId: string, key?: string): UploadRecord {
    this.requireBucket(bucket);
    const u = /^[0-9a-f]+$/.test(uploadId)
      ? this.ns.get<UploadRecord>(`${uploadPrefix(bucket)}${uploadId}`)
      : undefined;
    if (!u || (key !== undefined && u.key !== key)) throw noSuchUpload(uploadId);
    return u;
  }

  listUploads(bucket: string): UploadRecord[] {
    this.requireBucket(bucket);
    return this.ns
      .list<UploadRecord>(uploadPrefix(bucket))
      .map((e) => e.value)
      .sort((a, b) => compareUtf8(a.key, b.key) || a.initiated - b.initiated);
  }

  /** Indexes an uploaded part (its blob already durable), replacing an earlier part of that number. */
  async commitPart(
    bucket: string,
    uploadId: string,
    key: string,
    part: Omit<PartRecord, 'lastModified'>,
  ): Promise<PartRecord> {
    try {
      return await this.withLock(partKey(uploadId, part.partNumber), async () => {
        this.getUpload(bucket, uploadId, key);
        const previous = this.ns.get<PartRecord>(partKey(uploadId, part.partNumber));
        const full: PartRecord = { ...part, lastModified: this.clock.now() };
        await this.ns.put(partKey(uploadId, part.partNumber), asJson(full));
        if (previous) await this.blobs.remove(previous.blob);
        return full;
      });
    } catch (err) {
      await this.blobs.remove(part.blob);
      throw err;
    }
  }

  listParts(uploadId: string): PartRecord[] {
    return this.ns.list<PartRecord>(partPrefix(uploadId)).map((e) => e.value);
  }

  async abortUpload(bucket: string, uploadId: string, key?: string): Promise<void> {
    this.getUpload(bucket, uploadId, key);
    const parts = this.listParts(uploadId);
    await this.ns.batch([
      { key: `${uploadPrefix(bucket)}${uploadId}`, value: undefined },
      ...parts.map((p) => ({ key: partKey(uploadId, p.partNumber), value: undefined })),
    ]);
    for (const p of parts) await this.blobs.remove(p.blob);
  }

  /**
   * Assembles the listed parts (validated as S3 does) into the object: ETag is
   * `"<md5 of the concatenated binary part MD5s>-<part count>"`.
   */
  async completeUpload(
    bucket: string,
    uploadId: string,
    key: string,
    requested: Array<{ partNumber: number; eTag: string }>,
  ): Promise<ObjectRecord> {
    const upload = this.getUpload(bucket, uploadId, key);
    if (requested.length === 0)
      throw new AwsError(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    const stored = new Map(this.listParts(uploadId).map((p) => [p.partNumber, p]));
    const chosen: PartRecord[] = [];
    let last = 0;
    for (const r of requested) {
      if (r.partNumber <= last)
        throw new AwsError(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. Parts must be ordered by part number.',
          400,
          { UploadId: uploadId },
        );
      last = r.partNumber;
      const p = stored.get(r.partNumber);
      if (!p || unquoteETag(p.eTag) !== unquoteETag(r.eTag))
        throw new AwsError(
          'InvalidPart',
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
          400,
          { UploadId: uploadId, PartNumber: String(r.partNumber), ETag: r.eTag },
        );
      chosen.push(p);
    }
    chosen.forEach((p, i) => {
      if (i < chosen.length - 1 && p.size < MIN_PART_BYTES)
        throw new AwsError(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
          400,
          {
            ProposedSize: String(p.size),
            MinSizeAllowed: String(MIN_PART_BYTES),
            PartNumber: String(p.partNumber),
            ETag: p.eTag,
          },
        );
    });
    const blobs = this.blobs;
    async function* concatenated(): AsyncGenerator<Uint8Array> {
      for (const p of chosen) {
        const fh = await blobs.open(p.blob);
        try {
          for await (const chunk of fh.createReadStream({ autoClose: false })) yield chunk as Buffer;
        } finally {
          await fh.close();
        }
      }
    }
    const w = await this.writeBlob(concatenated());
    const md5s = createHasher('MD5');
    for (const p of chosen) md5s.update(Buffer.from(unquoteETag(p.eTag), 'hex'));
    const record: Omit<ObjectRecord, 'lastModified'> = {
      ...upload.headers,
      key,
      size: w.size,
      eTag: quoteETag(`${md5s.digest().toString('hex')}-${chosen.length}`),
      blob: w.blob,
      partsCount: chosen.length,
    };
    const algorithm = upload.checksumAlgorithm;
    if (algorithm && chosen.every((p) => p.checksum)) {
      const h = createHasher(algorithm);
      for (const p of chosen) h.update(Buffer.from(p.checksum!, 'base64'));
      record.checksum = {
        algorithm,
        value: `${h.digest().toString('base64')}-${chosen.length}`,
        type: 'COMPOSITE',
      };
    }
    const object = await this.commitObject(bucket, record);
    const allParts = [...stored.values()];
    await this.ns.batch([
      { key: `${uploadPrefix(bucket)}${uploadId}`, value: undefined },
      ...allParts.map((p) => ({ key: partKey(uploadId, p.partNumber), value: undefined })),
    ]);
    for (const p of allParts) await this.blobs.remove(p.blob);
    return object;
  }
}

export function assertKey(key: string): void {
  if (key.length === 0) throw new AwsError('InvalidArgument', 'Object key must not be empty', 400);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES)
    throw new AwsError('KeyTooLongError', 'Your key is too long', 400, { Key: key });
}

export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function* once(b: Buffer): AsyncGenerator<Uint8Array> {
  yield await Promise.resolve(b);
}

const count = (r: ListResult): number => r.contents.length + r.commonPrefixes.length;

function maxUtf8(a: string, b: string): string {
  return compareUtf8(a, b) >= 0 ? a : b;
}
