/** Listings: ListObjects (v1), ListObjectsV2, ListObjectVersions (one `null` version per object). */
import { AwsError } from '../types.ts';
import type { Operation } from './context.ts';
import { isoTime, S3_NS, sendS3Xml } from './http.ts';
import type { ObjectRecord } from './state.ts';

const MAX_KEYS = 1000;

function maxKeys(q: URLSearchParams, name = 'max-keys'): number {
  const v = q.get(name);
  if (v === null) return MAX_KEYS;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 0)
    throw new AwsError('InvalidArgument', `Provided ${name} not an integer or within integer range`, 400, {
      ArgumentName: name,
      ArgumentValue: v,
    });
  return Math.min(n, MAX_KEYS);
}

function encodingOf(q: URLSearchParams): 'url' | undefined {
  const e = q.get('encoding-type');
  if (e === null) return undefined;
  if (e !== 'url')
    throw new AwsError('InvalidArgument', 'Invalid Encoding Method specified in Request', 400, {
      ArgumentName: 'encoding-type',
      ArgumentValue: e,
    });
  return 'url';
}

/** encoding-type=url: names percent-encoded (slashes kept), as S3 does for keys XML cannot carry. */
function encoder(encoding: 'url' | undefined): (s: string) => string {
  return encoding ? (s) => encodeURIComponent(s).replaceAll('%2F', '/') : (s) => s;
}

function contents(o: ObjectRecord, enc: (s: string) => string): Record<string, unknown> {
  return {
    Key: enc(o.key),
    LastModified: isoTime(o.lastModified),
    ETag: o.eTag,
    ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm, ChecksumType: o.checksum.type } : {}),
    Size: o.size,
    StorageClass: o.storageClass ?? 'STANDARD',
  };
}

function optional(
  name: string,
  value: string | null | undefined,
  enc: (s: string) => string,
): Record<string, string> {
  return value === null || value === undefined || value === '' ? {} : { [name]: enc(value) };
}

export const listObjectsV2: Operation = ({ state, owner }, { req, res, bucket }) => {
  const q = req.query;
  const encoding = encodingOf(q);
  const enc = encoder(encoding);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const max = maxKeys(q);
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  let after: string | undefined = startAfter ?? undefined;
  let afterIsPrefix = false;
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || !/^[KP]/.test(decoded))
      throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', 400, {
        ArgumentName: 'continuation-token',
      });
    after = decoded.slice(1);
    afterIsPrefix = decoded[0] === 'P';
  }
  const list = state.listObjects(bucket, {
    prefix,
    delimiter,
    maxKeys: max,
    ...(after !== undefined ? { after, afterIsPrefix } : {}),
  });
  const fetchOwner = q.get('fetch-owner') === 'true';
  const lastIsPrefix =
    list.last !== undefined && list.commonPrefixes[list.commonPrefixes.length - 1] === list.last;
  sendS3Xml(res, req, 200, {
    ListBucketResult: {
      '@_xmlns': S3_NS,
      Name: bucket,
      Prefix: enc(prefix),
      ...optional('Delimiter', delimiter, enc),
      MaxKeys: max,
      ...optional('EncodingType', encoding, (s) => s),
      KeyCount: list.contents.length + list.commonPrefixes.length,
      IsTruncated: list.isTruncated,
      ...optional('ContinuationToken', token, (s) => s),
      ...(list.isTruncated && list.last !== undefined
        ? { NextContinuationToken: Buffer.from((lastIsPrefix ? 'P' : 'K') + list.last).toString('base64url') }
        : {}),
      ...optional('StartAfter', startAfter, enc),
      Contents: list.contents.map((o) => ({ ...contents(o, enc), ...(fetchOwner ? { Owner: owner } : {}) })),
      CommonPrefixes: list.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    },
  });
  return Promise.resolve();
};

export const listObjects: Operation = ({ state, owner }, { req, res, bucket }) => {
  const q = req.query;
  const encoding = encodingOf(q);
  const enc = encoder(encoding);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const max = maxKeys(q);
  const list = state.listObjects(bucket, {
    prefix,
    delimiter,
    maxKeys: max,
    ...(marker ? { after: marker, afterIsPrefix: true } : {}),
  });
  sendS3Xml(res, req, 200, {
    ListBucketResult: {
      '@_xmlns': S3_NS,
      Name: bucket,
      Prefix: enc(prefix),
      Marker: enc(marker),
      ...(list.isTruncated && delimiter && list.last !== undefined ? { NextMarker: enc(list.last) } : {}),
      MaxKeys: max,
      ...optional('Delimiter', delimiter, enc),
      ...optional('EncodingType', encoding, (s) => s),
      IsTruncated: list.isTruncated,
      Contents: list.contents.map((o) => ({ ...contents(o, enc), Owner: owner })),
      CommonPrefixes: list.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    },
  });
  return Promise.resolve();
};

export const listObjectVersions: Operation = ({ state, owner }, { req, res, bucket }) => {
  const q = req.query;
  const encoding = encodingOf(q);
  const enc = encoder(encoding);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const max = maxKeys(q);
  const list = state.listObjects(bucket, {
    prefix,
    delimiter,
    maxKeys: max,
    ...(keyMarker ? { after: keyMarker, afterIsPrefix: true } : {}),
  });
  sendS3Xml(res, req, 200, {
    ListVersionsResult: {
      '@_xmlns': S3_NS,
      Name: bucket,
      Prefix: enc(prefix),
      KeyMarker: enc(keyMarker),
      VersionIdMarker: q.get('version-id-marker') ?? '',
      ...(list.isTruncated && list.last !== undefined
        ? { NextKeyMarker: enc(list.last), NextVersionIdMarker: 'null' }
        : {}),
      MaxKeys: max,
      ...optional('Delimiter', delimiter, enc),
      ...optional('EncodingType', encoding, (s) => s),
      IsTruncated: list.isTruncated,
      Version: list.contents.map((o) => ({
        Key: enc(o.key),
        VersionId: 'null',
        IsLatest: true,
        LastModified: isoTime(o.lastModified),
        ETag: o.eTag,
        Size: o.size,
        StorageClass: o.storageClass ?? 'STANDARD',
        Owner: owner,
      })),
      CommonPrefixes: list.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    },
  });
  return Promise.resolve();
};
