/**
 * S3's REST wire: which bucket and key a request names (path style `/bucket/key` or virtual-host
 * style `bucket.s3.localhost.localstack.cloud`, `bucket.localhost`, `bucket.s3.amazonaws.com`),
 * which operation its method and sub-resources select, presigned-URL expiry, and error rendering.
 */
import type { ServerResponse } from 'node:http';
import { sendRestXmlError } from '../../protocols/rest-xml.ts';
import { AwsError, type AwsRequest } from '../types.ts';
import type { Operation, S3Deps } from './context.ts';
import { header } from './http.ts';
import * as bucketOps from './ops-bucket.ts';
import * as listOps from './ops-list.ts';
import * as multipartOps from './ops-multipart.ts';
import * as objectOps from './ops-object.ts';

/** A presigned URL may live at most 7 days. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

const VIRTUAL_HOST_PATTERNS = [
  /^(.+)\.s3\.localhost\.localstack\.cloud$/,
  /^(.+)\.s3(?:[.-][a-z0-9-]+)?(?:\.dualstack\.[a-z0-9-]+)?\.amazonaws\.com$/,
  /^(.+)\.localhost$/,
];

/** Sub-resources S3 has that Slipway does not serve, named in the NotImplemented answer. */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metadataTable',
  'metrics',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'website',
  'renameObject',
];

export interface S3Target {
  bucket: string;
  key: string;
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AwsError('InvalidURI', "Couldn't parse the specified URI.", 400, { URI: raw });
  }
}

/** Bucket and (decoded) key named by the Host header and raw path. */
export function resolveTarget(host: string, rawPath: string): S3Target {
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  for (const re of VIRTUAL_HOST_PATTERNS) {
    const m = re.exec(hostname);
    if (m) return { bucket: m[1]!, key: decodePath(rawPath.replace(/^\//, '')) };
  }
  const path = rawPath.replace(/^\//, '');
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decodePath(path), key: '' };
  return { bucket: decodePath(path.slice(0, slash)), key: decodePath(path.slice(slash + 1)) };
}

function notImplemented(what: string): AwsError {
  return new AwsError('NotImplemented', `Slipway does not implement ${what} yet.`, 501);
}

function methodNotAllowed(method: string, resourceType: string): AwsError {
  return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
    Method: method,
    ResourceType: resourceType,
  });
}

/** Presigned URLs: accepted with any credentials, refused once X-Amz-Date + X-Amz-Expires has passed. */
export function checkPresignedExpiry(query: URLSearchParams, now: number): void {
  const expires = query.get('X-Amz-Expires');
  const date = query.get('X-Amz-Date');
  if (expires === null || date === null) return;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  const seconds = Number(expires);
  if (!m || !Number.isInteger(seconds) || seconds < 0)
    throw new AwsError('AuthorizationQueryParametersError', 'X-Amz-Date or X-Amz-Expires is not valid.', 400);
  if (seconds > MAX_PRESIGNED_EXPIRES_SECONDS)
    throw new AwsError(
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
      400,
    );
  const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (now > signedAt + seconds * 1000)
    throw new AwsError('AccessDenied', 'Request has expired', 403, {
      'X-Amz-Expires': expires,
      Expires: new Date(signedAt + seconds * 1000).toISOString(),
      ServerTime: new Date(now).toISOString(),
    });
}

function unsupportedSubresource(q: URLSearchParams): string | undefined {
  return UNSUPPORTED_SUBRESOURCES.find((s) => q.has(s));
}

function selectBucketOperation(req: AwsRequest): Operation {
  const q = req.query;
  const m = req.method;
  const sub = unsupportedSubresource(q);
  if (m === 'GET') {
    if (q.has('notification')) return bucketOps.getBucketNotification;
    if (q.has('location')) return bucketOps.getBucketLocation;
    if (q.has('versioning')) return bucketOps.getBucketVersioning;
    if (q.has('versions')) return listOps.listObjectVersions;
    if (q.has('uploads')) return multipartOps.listMultipartUploads;
    if (sub) throw notImplemented(`GET Bucket ?${sub}`);
    if (q.get('list-type') === '2') return listOps.listObjectsV2;
    return listOps.listObjects;
  }
  if (m === 'PUT') {
    if (q.has('notification')) return bucketOps.putBucketNotification;
    if (sub || q.has('versioning')) throw notImplemented(`PUT Bucket ?${sub ?? 'versioning'}`);
    return bucketOps.createBucket;
  }
  if (m === 'DELETE') {
    if (sub) throw notImplemented(`DELETE Bucket ?${sub}`);
    return bucketOps.deleteBucket;
  }
  if (m === 'HEAD') return bucketOps.headBucket;
  if (m === 'POST') {
    if (q.has('delete')) return objectOps.deleteObjects;
    throw notImplemented('POST Object (browser form upload)');
  }
  throw methodNotAllowed(m, 'BUCKET');
}

function selectObjectOperation(req: AwsRequest): Operation {
  const q = req.query;
  const m = req.method;
  const sub = unsupportedSubresource(q);
  if (sub) throw notImplemented(`${m} Object ?${sub}`);
  const copySource = header(req.headers, 'x-amz-copy-source') !== undefined;
  if (m === 'PUT') {
    if (q.has('uploadId')) return copySource ? multipartOps.uploadPartCopy : multipartOps.uploadPart;
    return copySource ? objectOps.copyObject : objectOps.putObject;
  }
  if (m === 'GET') return q.has('uploadId') ? multipartOps.listParts : objectOps.getObject;
  if (m === 'HEAD') return objectOps.headObject;
  if (m === 'DELETE') return q.has('uploadId') ? multipartOps.abortMultipartUpload : objectOps.deleteObject;
  if (m === 'POST') {
    if (q.has('uploads')) return multipartOps.createMultipartUpload;
    if (q.has('uploadId')) return multipartOps.completeMultipartUpload;
    throw notImplemented(`POST Object ?${[...q.keys()].join('&')}`);
  }
  throw methodNotAllowed(m, 'OBJECT');
}

/** Answers one S3 request (errors rendered as S3's XML errors). */
export async function handleS3(deps: S3Deps, req: AwsRequest, res: ServerResponse): Promise<void> {
  try {
    checkPresignedExpiry(req.query, deps.ctx.clock.now());
    const { bucket, key } = resolveTarget(req.host, req.rawPath);
    let op: Operation;
    if (bucket === '') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method, 'SERVICE');
      op = bucketOps.listBuckets;
    } else op = key === '' ? selectBucketOperation(req) : selectObjectOperation(req);
    await op(deps, { req, res, bucket, key });
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Drain what the client is still sending so it reads our answer instead of a reset.
    if (!req.stream.readableEnded) req.stream.resume();
    const e = err instanceof AwsError ? err : new AwsError('InternalError', String(err), 500);
    res.setHeader('connection', req.stream.readableEnded ? 'keep-alive' : 'close');
    sendRestXmlError(res, e, req.requestId, req.method);
  }
}
