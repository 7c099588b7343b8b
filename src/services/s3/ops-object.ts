/** Object operations: PutObject, GetObject, HeadObject, DeleteObject, CopyObject, DeleteObjects. */
import { pipeline } from 'node:stream/promises';
import type { FileHandle } from 'node:fs/promises';
import { AwsError } from '../types.ts';
import { asList } from '../../protocols/xml.ts';
import { createHasher } from './checksums.ts';
import { originOf, type Operation, type S3Deps } from './context.ts';
import {
  checksumResponseHeaders,
  evaluateConditions,
  header,
  isoTime,
  malformedXml,
  objectHeadersFrom,
  objectResponseHeaders,
  parseCopySource,
  parseRange,
  parseXmlExact,
  preconditionFailed,
  readSmallBody,
  receiveBody,
  requestIdHeaders,
  S3_NS,
  sendEmpty,
  sendS3Xml,
  xmlText,
} from './http.ts';
import { MAX_PUT_OBJECT_BYTES, noSuchKey, quoteETag, type ObjectRecord } from './state.ts';

const MAX_DELETE_OBJECTS = 1000;

/** PUT conditional writes: If-None-Match: * (create only) and If-Match: <etag>. */
function writeConditions(h: Parameters<typeof header>[0]): (current: ObjectRecord | undefined) => void {
  const ifNoneMatch = header(h, 'if-none-match');
  const ifMatch = header(h, 'if-match');
  return (current) => {
    if (ifNoneMatch === '*' && current) throw preconditionFailed('If-None-Match');
    if (ifMatch !== undefined) {
      if (!current) throw noSuchKey('');
      if (evaluateConditions({ 'if-match': ifMatch }, current) === 'failed')
        throw preconditionFailed('If-Match');
    }
  };
}

export const putObject: Operation = async ({ state, events }, { req, res, bucket, key }) => {
  state.requireBucket(bucket);
  const headers = objectHeadersFrom(req.headers);
  const body = await receiveBody(state, req, MAX_PUT_OBJECT_BYTES);
  const record = await state.commitObject(
    bucket,
    {
      ...headers,
      key,
      size: body.size,
      eTag: quoteETag(body.md5.toString('hex')),
      blob: body.blob,
      ...(body.checksum ? { checksum: { ...body.checksum, type: 'FULL_OBJECT' as const } } : {}),
    },
    writeConditions(req.headers),
  );
  events.objectCreated('ObjectCreated:Put', bucket, record, originOf(req));
  sendEmpty(res, req, 200, { etag: record.eTag, 'content-length': 0, ...checksumResponseHeaders(record) });
};

/**
 * Whole bodies up to this size are read into memory in one go (open, one read, close, one socket
 * write) instead of streamed: a 1 MiB GET streamed in 64 KiB pieces cost 16 thread-pool reads and
 * 16 socket writes. At most this much memory per GET in flight.
 */
const SMALL_BODY_BYTES = 1024 * 1024;
/** Larger bodies stream from the file in pieces this big (fs streams default to 64 KiB). */
const STREAM_CHUNK_BYTES = 512 * 1024;

/**
 * The current object's record and its body: nothing for HEAD and empty objects, the whole body for
 * small ones (one open/read/close, no FileHandle or read stream per GET), else an open handle to
 * stream from (it survives a concurrent overwrite's unlink). Retries once if an overwrite removed
 * the blob between the index read and the open.
 */
async function currentBody(
  deps: S3Deps,
  bucket: string,
  key: string,
  head: boolean,
): Promise<[ObjectRecord, FileHandle | Buffer | undefined]> {
  for (let attempt = 0; ; attempt++) {
    const o = deps.state.requireObject(bucket, key);
    if (head || o.size === 0) return [o, undefined];
    try {
      return [
        o,
        o.size <= SMALL_BODY_BYTES
          ? await deps.state.blobs.readSmall(o.blob, o.size)
          : await deps.state.blobs.open(o.blob),
      ];
    } catch (err) {
      if (attempt > 0 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

async function getOrHead(deps: S3Deps, call: Parameters<Operation>[1], head: boolean): Promise<void> {
  const { req, res, bucket, key } = call;
  const [o, body] = await currentBody(deps, bucket, key, head);
  const fh = body === undefined || Buffer.isBuffer(body) ? undefined : body;
  let handed = false;
  try {
    const condition = evaluateConditions(req.headers, o);
    if (condition === 'failed')
      throw preconditionFailed(header(req.headers, 'if-match') ? 'If-Match' : 'If-Unmodified-Since');
    const headers: Record<string, string | number> = {
      ...requestIdHeaders(req),
      ...objectResponseHeaders(o, req.query),
    };
    if (condition === 'not-modified') {
      res.writeHead(304, {
        ...requestIdHeaders(req),
        etag: o.eTag,
        'last-modified': new Date(o.lastModified).toUTCString(),
      });
      res.end();
      return;
    }
    const range = parseRange(header(req.headers, 'range'), o.size);
    const checksumMode = header(req.headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
    if (checksumMode && !range) Object.assign(headers, checksumResponseHeaders(o));
    if (o.partsCount) headers['x-amz-mp-parts-count'] = o.partsCount;
    let status = 200;
    if (range) {
      status = 206;
      headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
      headers['content-length'] = range.end - range.start + 1;
    } else headers['content-length'] = o.size;
    res.writeHead(status, headers);
    if (head || o.size === 0 || !fh) {
      // A small body is already in memory: one write, no stream.
      if (Buffer.isBuffer(body) && !head) res.end(range ? body.subarray(range.start, range.end + 1) : body);
      else res.end();
      return;
    }
    handed = true;
    const stream = fh.createReadStream({
      start: range?.start ?? 0,
      end: range?.end ?? o.size - 1,
      highWaterMark: STREAM_CHUNK_BYTES,
    });
    await pipeline(stream, res).catch(() => {
      // The client went away mid-body: nothing to answer.
      res.destroy();
    });
  } finally {
    if (fh && !handed) await fh.close();
  }
}

export const getObject: Operation = (deps, call) => getOrHead(deps, call, false);
export const headObject: Operation = (deps, call) => getOrHead(deps, call, true);

export const deleteObject: Operation = async ({ state, events }, { req, res, bucket, key }) => {
  const removed = await state.deleteObject(bucket, key);
  if (removed) events.objectRemoved(bucket, key, originOf(req));
  sendEmpty(res, req, 204);
};

export const deleteObjects: Operation = async ({ state, events }, { req, res, bucket }) => {
  state.requireBucket(bucket);
  const doc = parseXmlExact(await readSmallBody(req));
  const del = doc.Delete as Record<string, unknown> | undefined;
  if (!del || typeof del !== 'object') throw malformedXml();
  const objects = asList(del.Object as Record<string, unknown> | Array<Record<string, unknown>>);
  if (objects.length === 0 || objects.length > MAX_DELETE_OBJECTS) throw malformedXml();
  const quiet = xmlText(del.Quiet).trim() === 'true';
  const deleted: Array<Record<string, string>> = [];
  const errors: Array<Record<string, string>> = [];
  for (const o of objects) {
    const key = xmlText(o.Key);
    if (key === '') {
      errors.push({ Key: key, Code: 'InvalidArgument', Message: 'Invalid key' });
      continue;
    }
    const removed = await state.deleteObject(bucket, key);
    if (removed) events.objectRemoved(bucket, key, originOf(req));
    deleted.push({ Key: key });
  }
  sendS3Xml(res, req, 200, {
    DeleteResult: { '@_xmlns': S3_NS, Deleted: quiet ? [] : deleted, Error: errors },
  });
};

/** MD5 of a blob, read back from disk (a copy of a multipart object gets a plain ETag). */
async function md5OfBlob(deps: S3Deps, blob: string): Promise<string> {
  const fh = await deps.state.blobs.open(blob);
  const h = createHasher('MD5');
  try {
    for await (const chunk of fh.createReadStream({ autoClose: false })) h.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return h.digest().toString('hex');
}

export const copyObject: Operation = async (deps, { req, res, bucket, key }) => {
  const { state, events } = deps;
  state.requireBucket(bucket);
  const src = parseCopySource(header(req.headers, 'x-amz-copy-source')!);
  const source = state.requireObject(src.bucket, src.key);
  const condition = evaluateConditions(req.headers, source, 'x-amz-copy-source-');
  if (condition !== 'ok') throw preconditionFailed('x-amz-copy-source-If');
  const directive = (header(req.headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw new AwsError('InvalidArgument', 'Unknown metadata directive.', 400, {
      ArgumentName: 'x-amz-metadata-directive',
      ArgumentValue: directive,
    });
  const storageClass = header(req.headers, 'x-amz-storage-class');
  if (src.bucket === bucket && src.key === key && directive === 'COPY' && !storageClass)
    throw new AwsError(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  const headers =
    directive === 'REPLACE'
      ? objectHeadersFrom(req.headers)
      : {
          metadata: source.metadata,
          ...pick(source, [
            'contentType',
            'contentEncoding',
            'contentDisposition',
            'contentLanguage',
            'cacheControl',
            'expires',
            'storageClass',
          ]),
        };
  const blob = await state.duplicateBlob(source);
  const eTag = source.partsCount ? quoteETag(await md5OfBlob(deps, blob)) : source.eTag;
  const record = await state.commitObject(
    bucket,
    {
      ...headers,
      key,
      size: source.size,
      eTag,
      blob,
      ...(source.checksum?.type === 'FULL_OBJECT' ? { checksum: source.checksum } : {}),
    },
    writeConditions(req.headers),
  );
  events.objectCreated('ObjectCreated:Copy', bucket, record, originOf(req));
  sendS3Xml(res, req, 200, {
    CopyObjectResult: { '@_xmlns': S3_NS, ETag: record.eTag, LastModified: isoTime(record.lastModified) },
  });
};

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
