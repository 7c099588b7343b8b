/** Multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts, ListMultipartUploads. */
import { AwsError } from '../types.ts';
import { asList } from '../../protocols/xml.ts';
import { CHECKSUM_ALGORITHMS, headerOfAlgorithm, type ChecksumAlgorithm } from './checksums.ts';
import { originOf, type Operation } from './context.ts';
import {
  checksumResponseHeaders,
  evaluateConditions,
  header,
  isoTime,
  malformedXml,
  objectHeadersFrom,
  parseCopySource,
  parseRange,
  parseXmlExact,
  preconditionFailed,
  readSmallBody,
  receiveBody,
  S3_NS,
  sendEmpty,
  sendS3Xml,
  xmlText,
} from './http.ts';
import { MAX_PART_BYTES, MAX_PART_NUMBER, quoteETag } from './state.ts';

const MAX_PARTS_LISTED = 1000;

function partNumberOf(q: URLSearchParams): number {
  const v = q.get('partNumber') ?? '';
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_PART_NUMBER)
    throw new AwsError(
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive',
      400,
      {
        ArgumentName: 'partNumber',
        ArgumentValue: v,
      },
    );
  return n;
}

function uploadIdOf(q: URLSearchParams): string {
  return q.get('uploadId') ?? '';
}

export const createMultipartUpload: Operation = async ({ state }, { req, res, bucket, key }) => {
  const requested = header(req.headers, 'x-amz-checksum-algorithm')?.toUpperCase();
  let algorithm: ChecksumAlgorithm | undefined;
  if (requested) {
    algorithm = CHECKSUM_ALGORITHMS.find((a) => a === requested);
    if (!algorithm)
      throw new AwsError(
        'InvalidRequest',
        `Checksum algorithm ${requested} is not supported by Slipway.`,
        400,
      );
  }
  const upload = await state.createUpload(bucket, key, objectHeadersFrom(req.headers), algorithm);
  sendS3Xml(
    res,
    req,
    200,
    {
      InitiateMultipartUploadResult: {
        '@_xmlns': S3_NS,
        Bucket: bucket,
        Key: key,
        UploadId: upload.uploadId,
      },
    },
    algorithm ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': 'COMPOSITE' } : {},
  );
};

export const uploadPart: Operation = async ({ state }, { req, res, bucket, key }) => {
  const partNumber = partNumberOf(req.query);
  const uploadId = uploadIdOf(req.query);
  state.getUpload(bucket, uploadId, key);
  const body = await receiveBody(state, req, MAX_PART_BYTES);
  const part = await state.commitPart(bucket, uploadId, key, {
    partNumber,
    eTag: quoteETag(body.md5.toString('hex')),
    size: body.size,
    blob: body.blob,
    ...(body.checksum ? { checksum: body.checksum.value } : {}),
  });
  sendEmpty(res, req, 200, {
    etag: part.eTag,
    'content-length': 0,
    ...(body.checksum ? { [headerOfAlgorithm(body.checksum.algorithm)]: body.checksum.value } : {}),
  });
};

export const uploadPartCopy: Operation = async ({ state }, { req, res, bucket, key }) => {
  const partNumber = partNumberOf(req.query);
  const uploadId = uploadIdOf(req.query);
  state.getUpload(bucket, uploadId, key);
  const src = parseCopySource(header(req.headers, 'x-amz-copy-source')!);
  const source = state.requireObject(src.bucket, src.key);
  if (evaluateConditions(req.headers, source, 'x-amz-copy-source-') !== 'ok')
    throw preconditionFailed('x-amz-copy-source-If');
  const rangeHeader = header(req.headers, 'x-amz-copy-source-range');
  const range = parseRange(rangeHeader, source.size);
  if (rangeHeader !== undefined && !range)
    throw new AwsError(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last',
      400,
      {
        ArgumentName: 'x-amz-copy-source-range',
        ArgumentValue: rangeHeader,
      },
    );
  const fh = await state.blobs.open(source.blob);
  const w = await state
    .writeBlob(
      source.size === 0
        ? empty()
        : fh.createReadStream({ start: range?.start ?? 0, end: range?.end ?? source.size - 1 }),
      { maxSize: MAX_PART_BYTES },
    )
    .finally(() => fh.close().catch(() => undefined));
  const part = await state.commitPart(bucket, uploadId, key, {
    partNumber,
    eTag: quoteETag(w.md5.toString('hex')),
    size: w.size,
    blob: w.blob,
  });
  sendS3Xml(res, req, 200, {
    CopyPartResult: { '@_xmlns': S3_NS, ETag: part.eTag, LastModified: isoTime(part.lastModified) },
  });
};

export const completeMultipartUpload: Operation = async (
  { state, events, ctx },
  { req, res, bucket, key },
) => {
  const uploadId = uploadIdOf(req.query);
  state.getUpload(bucket, uploadId, key);
  const doc = parseXmlExact(await readSmallBody(req));
  const root = doc.CompleteMultipartUpload as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') throw malformedXml();
  const parts = asList(root.Part as Record<string, unknown> | Array<Record<string, unknown>>).map((p) => {
    const n = Number(xmlText(p.PartNumber).trim());
    if (!Number.isInteger(n)) throw malformedXml();
    return { partNumber: n, eTag: xmlText(p.ETag).trim() };
  });
  const record = await state.completeUpload(bucket, uploadId, key, parts);
  events.objectCreated('ObjectCreated:CompleteMultipartUpload', bucket, record, originOf(req));
  const checksum = record.checksum
    ? { [`Checksum${record.checksum.algorithm}`]: record.checksum.value, ChecksumType: record.checksum.type }
    : {};
  sendS3Xml(
    res,
    req,
    200,
    {
      CompleteMultipartUploadResult: {
        '@_xmlns': S3_NS,
        Location: `${ctx.endpointUrl()}/${bucket}/${encodeURIComponent(key).replaceAll('%2F', '/')}`,
        Bucket: bucket,
        Key: key,
        ETag: record.eTag,
        ...checksum,
      },
    },
    checksumResponseHeaders(record),
  );
};

export const abortMultipartUpload: Operation = async ({ state }, { req, res, bucket, key }) => {
  await state.abortUpload(bucket, uploadIdOf(req.query), key);
  sendEmpty(res, req, 204);
};

export const listParts: Operation = ({ state, owner }, { req, res, bucket, key }) => {
  const uploadId = uploadIdOf(req.query);
  const upload = state.getUpload(bucket, uploadId, key);
  const marker = Number(req.query.get('part-number-marker') ?? 0) || 0;
  const maxParts = Math.min(
    Number(req.query.get('max-parts') ?? MAX_PARTS_LISTED) || MAX_PARTS_LISTED,
    MAX_PARTS_LISTED,
  );
  const all = state.listParts(uploadId).filter((p) => p.partNumber > marker);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  const algorithm = upload.checksumAlgorithm;
  sendS3Xml(res, req, 200, {
    ListPartsResult: {
      '@_xmlns': S3_NS,
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: upload.headers.storageClass ?? 'STANDARD',
      PartNumberMarker: marker,
      ...(page.length ? { NextPartNumberMarker: page[page.length - 1]!.partNumber } : {}),
      MaxParts: maxParts,
      IsTruncated: truncated,
      ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}),
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: isoTime(p.lastModified),
        ETag: p.eTag,
        Size: p.size,
        ...(algorithm && p.checksum ? { [`Checksum${algorithm}`]: p.checksum } : {}),
      })),
    },
  });
  return Promise.resolve();
};

export const listMultipartUploads: Operation = ({ state, owner }, { req, res, bucket }) => {
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') ?? '';
  const max = Math.min(Number(q.get('max-uploads') ?? 1000) || 1000, 1000);
  const all = state
    .listUploads(bucket)
    .filter((u) => u.key.startsWith(prefix))
    .filter(
      (u) =>
        !keyMarker ||
        u.key > keyMarker ||
        (u.key === keyMarker && uploadIdMarker !== '' && u.uploadId > uploadIdMarker),
    );
  const page = all.slice(0, max);
  const last = page[page.length - 1];
  const truncated = all.length > page.length;
  sendS3Xml(res, req, 200, {
    ListMultipartUploadsResult: {
      '@_xmlns': S3_NS,
      Bucket: bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      ...(truncated && last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId } : {}),
      Prefix: prefix,
      MaxUploads: max,
      IsTruncated: truncated,
      Upload: page.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiator: owner,
        Owner: owner,
        StorageClass: u.headers.storageClass ?? 'STANDARD',
        Initiated: isoTime(u.initiated),
        ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm } : {}),
      })),
    },
  });
  return Promise.resolve();
};

// eslint-disable-next-line require-yield
async function* empty(): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
}
