/** HTTP details shared by the S3 operations: headers ↔ object fields, conditions, ranges, bodies. */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { buildXml, sendXml } from '../../protocols/xml.ts';
import { AwsError, type AwsRequest } from '../types.ts';
import {
  algorithmOfHeader,
  CHECKSUM_ALGORITHMS,
  headerOfAlgorithm,
  type ChecksumAlgorithm,
} from './checksums.ts';
import { decodeAwsChunked, isAwsChunked, storedContentEncoding } from './chunked.ts';
import type { WrittenBlob } from './blobs.ts';
import type { ObjectHeaders, ObjectRecord, S3State } from './state.ts';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** XML request documents (DeleteObjects, CompleteMultipartUpload, ...) are small. */
export const MAX_XML_BODY_BYTES = 2 * 1024 * 1024;

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function malformedXml(): AwsError {
  return new AwsError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
}

/** The fields a client sets on an object, from request headers. */
export function objectHeadersFrom(h: IncomingHttpHeaders): ObjectHeaders {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(h))
    if (name.startsWith('x-amz-meta-') && value !== undefined)
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  const out: ObjectHeaders = { metadata, contentType: header(h, 'content-type') ?? 'binary/octet-stream' };
  const set = (field: keyof Omit<ObjectHeaders, 'metadata'>, value: string | undefined): void => {
    if (value !== undefined && value !== '') out[field] = value;
  };
  set('contentEncoding', storedContentEncoding(header(h, 'content-encoding')));
  set('contentDisposition', header(h, 'content-disposition'));
  set('contentLanguage', header(h, 'content-language'));
  set('cacheControl', header(h, 'cache-control'));
  set('expires', header(h, 'expires'));
  const storageClass = header(h, 'x-amz-storage-class');
  if (storageClass && storageClass !== 'STANDARD') out.storageClass = storageClass;
  return out;
}

/** Response headers describing an object (GetObject/HeadObject), with `response-*` overrides. */
export function objectResponseHeaders(o: ObjectRecord, query: URLSearchParams): Record<string, string> {
  const h: Record<string, string> = {
    etag: o.eTag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'content-type': o.contentType ?? 'binary/octet-stream',
  };
  if (o.contentEncoding) h['content-encoding'] = o.contentEncoding;
  if (o.contentDisposition) h['content-disposition'] = o.contentDisposition;
  if (o.contentLanguage) h['content-language'] = o.contentLanguage;
  if (o.cacheControl) h['cache-control'] = o.cacheControl;
  if (o.expires) h.expires = o.expires;
  if (o.storageClass) h['x-amz-storage-class'] = o.storageClass;
  for (const [k, v] of Object.entries(o.metadata)) h[`x-amz-meta-${k}`] = v;
  for (const name of [
    'content-type',
    'content-language',
    'expires',
    'cache-control',
    'content-disposition',
    'content-encoding',
  ]) {
    const v = query.get(`response-${name}`);
    if (v !== null) h[name] = v;
  }
  return h;
}

export function checksumResponseHeaders(o: { checksum?: ObjectRecord['checksum'] }): Record<string, string> {
  if (!o.checksum) return {};
  return {
    [headerOfAlgorithm(o.checksum.algorithm)]: o.checksum.value,
    'x-amz-checksum-type': o.checksum.type,
  };
}

const httpTime = (ms: number): number => Math.floor(ms / 1000) * 1000;

function etagMatches(list: string, eTag: string): boolean {
  const bare = eTag.replace(/^"|"$/g, '');
  return list.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return v === '*' || v === bare;
  });
}

function parseDate(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * GET/HEAD preconditions as S3 evaluates them: If-Match (412) wins over If-Unmodified-Since,
 * If-None-Match (304) wins over If-Modified-Since. `prefix` reads `x-amz-copy-source-if-*`.
 */
export function evaluateConditions(
  h: IncomingHttpHeaders,
  o: ObjectRecord,
  prefix = '',
): 'ok' | 'not-modified' | 'failed' {
  const lm = httpTime(o.lastModified);
  const ifMatch = header(h, `${prefix}if-match`);
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, o.eTag)) return 'failed';
  } else {
    const ius = parseDate(header(h, `${prefix}if-unmodified-since`));
    if (ius !== undefined && lm > ius) return 'failed';
  }
  const ifNoneMatch = header(h, `${prefix}if-none-match`);
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, o.eTag)) return 'not-modified';
  } else {
    const ims = parseDate(header(h, `${prefix}if-modified-since`));
    if (ims !== undefined && lm <= ims) return 'not-modified';
  }
  return 'ok';
}

export function preconditionFailed(condition: string): AwsError {
  return new AwsError(
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    412,
    {
      Condition: condition,
    },
  );
}

/** `Range: bytes=a-b | a- | -n` → inclusive byte range; undefined = whole object (also for forms S3 ignores). */
export function parseRange(
  value: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = (): AwsError =>
    new AwsError('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: value,
      ActualObjectSize: String(size),
    });
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  let end = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && end < start) return undefined;
  if (start >= size) throw unsatisfiable();
  if (end >= size) end = size - 1;
  return { start, end };
}

/** Which checksum algorithm the request declares (header value, SDK algorithm header or trailer). */
function declaredAlgorithm(h: IncomingHttpHeaders): ChecksumAlgorithm | undefined {
  for (const a of CHECKSUM_ALGORITHMS) if (header(h, headerOfAlgorithm(a)) !== undefined) return a;
  const trailer = header(h, 'x-amz-trailer');
  if (trailer) {
    const a = algorithmOfHeader(trailer.split(',')[0]!.trim());
    if (a) return a;
  }
  const sdk = header(h, 'x-amz-sdk-checksum-algorithm')?.toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === sdk);
}

export interface ReceivedBody extends WrittenBlob {
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

/**
 * Streams an object body to a durable blob: decodes aws-chunked framing, computes MD5 and the
 * declared checksum on the way, and verifies Content-MD5, x-amz-checksum-*, trailing checksums,
 * a signed payload's x-amz-content-sha256 and the decoded length. On a mismatch the blob is
 * removed and S3's error thrown.
 */
export async function receiveBody(state: S3State, req: AwsRequest, maxSize: number): Promise<ReceivedBody> {
  const h = req.headers;
  const sha256Header = header(h, 'x-amz-content-sha256');
  const chunked = isAwsChunked(header(h, 'content-encoding'), sha256Header);
  const declaredLength = Number(
    header(h, chunked ? 'x-amz-decoded-content-length' : 'content-length') ?? NaN,
  );
  if (declaredLength > maxSize)
    throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
      ProposedSize: String(declaredLength),
      MaxSizeAllowed: String(maxSize),
    });
  const contentMd5 = header(h, 'content-md5');
  if (contentMd5 !== undefined && Buffer.from(contentMd5, 'base64').length !== 16)
    throw new AwsError('InvalidDigest', 'The Content-MD5 you specified was not valid.', 400, {
      'Content-MD5': contentMd5,
    });
  const algorithm = declaredAlgorithm(h);
  const signedSha256 = !chunked && sha256Header !== undefined && /^[0-9a-f]{64}$/.test(sha256Header);
  const algorithms = new Set<ChecksumAlgorithm>();
  if (algorithm) algorithms.add(algorithm);
  if (signedSha256) algorithms.add('SHA256');
  const trailers: Record<string, string> = {};
  const source: AsyncIterable<Uint8Array> = chunked ? decodeAwsChunked(req.stream, trailers) : req.stream;
  const w = await state.writeBlob(source, { algorithms, maxSize });
  try {
    if (!Number.isNaN(declaredLength) && declaredLength !== w.size)
      throw new AwsError(
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header.',
        400,
      );
    if (contentMd5 !== undefined && Buffer.from(contentMd5, 'base64').compare(w.md5) !== 0)
      throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, {
        ExpectedDigest: contentMd5,
        CalculatedDigest: w.md5.toString('base64'),
      });
    if (signedSha256 && w.digests.SHA256!.toString('hex') !== sha256Header)
      throw new AwsError(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
        {
          ClientComputedContentSHA256: sha256Header,
          S3ComputedContentSHA256: w.digests.SHA256!.toString('hex'),
        },
      );
    let checksum: ReceivedBody['checksum'];
    if (algorithm) {
      const name = headerOfAlgorithm(algorithm);
      const expected = header(h, name) ?? trailers[name];
      const actual = w.digests[algorithm]!.toString('base64');
      if (expected !== undefined && expected !== actual)
        throw new AwsError(
          'BadDigest',
          `The ${algorithm} you specified did not match the calculated checksum.`,
          400,
        );
      checksum = { algorithm, value: actual };
    }
    return { ...w, ...(checksum ? { checksum } : {}) };
  } catch (err) {
    await state.blobs.remove(w.blob);
    throw err;
  }
}

/** Reads a small request document (XML), decoding aws-chunked framing if a client used it. */
export async function readSmallBody(req: AwsRequest): Promise<Buffer> {
  if (!isAwsChunked(header(req.headers, 'content-encoding'), header(req.headers, 'x-amz-content-sha256')))
    return req.body(MAX_XML_BODY_BYTES);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of decodeAwsChunked(req.stream, {})) {
    size += c.length;
    if (size > MAX_XML_BODY_BYTES) throw malformedXml();
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

// Keys in request documents keep their whitespace exactly (the shared parser trims values).
const exactParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
});

/** Parses an XML request document without trimming text (object keys keep their spaces). */
export function parseXmlExact(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (!text.startsWith('<')) throw malformedXml();
  try {
    return exactParser.parse(text, true) as Record<string, unknown>;
  } catch {
    throw malformedXml();
  }
}

export function xmlText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}

export function sendS3Xml(
  res: ServerResponse,
  req: AwsRequest,
  status: number,
  doc: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  sendXml(res, status, buildXml(doc), { ...requestIdHeaders(req), ...headers });
}

export function sendEmpty(
  res: ServerResponse,
  req: AwsRequest,
  status: number,
  headers: Record<string, string | number> = {},
): void {
  res.writeHead(status, { ...requestIdHeaders(req), ...headers });
  res.end();
}

export function requestIdHeaders(req: AwsRequest): Record<string, string> {
  return { 'x-amz-request-id': req.requestId, 'x-amz-id-2': req.requestId };
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** `x-amz-copy-source: /bucket/key?versionId=..` (key URL-encoded) → bucket and raw key. */
export function parseCopySource(value: string): { bucket: string; key: string } {
  const withoutVersion = value.split('?', 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(withoutVersion);
  } catch {
    throw new AwsError('InvalidArgument', 'Invalid copy source encoding', 400, {
      ArgumentName: 'x-amz-copy-source',
    });
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    throw new AwsError(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      400,
      {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: value,
      },
    );
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}
