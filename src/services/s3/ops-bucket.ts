/** Bucket operations: CreateBucket, DeleteBucket, HeadBucket, ListBuckets, GetBucketLocation, notifications. */
import { parseXml } from '../../protocols/xml.ts';
import { AwsError } from '../types.ts';
import type { Operation } from './context.ts';
import { isoTime, readSmallBody, S3_NS, sendEmpty, sendS3Xml, xmlText } from './http.ts';
import { notificationFromXml, notificationToXml } from './notification.ts';

export const createBucket: Operation = async ({ state }, { req, res, bucket }) => {
  const body = await readSmallBody(req);
  let constraint: string | undefined;
  if (body.toString('utf8').trim() !== '') {
    const doc = parseXml(body);
    const conf = doc.CreateBucketConfiguration;
    if (conf === undefined)
      throw new AwsError(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    constraint =
      typeof conf === 'object' && conf !== null
        ? xmlText((conf as Record<string, unknown>).LocationConstraint) || undefined
        : undefined;
  }
  if (constraint === 'us-east-1')
    throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, {
      LocationConstraint: constraint,
    });
  const requestRegion = req.region;
  const bucketRegion = constraint ?? 'us-east-1';
  if (bucketRegion !== requestRegion && !(constraint === undefined && requestRegion === 'us-east-1'))
    throw new AwsError(
      'IllegalLocationConstraintException',
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    );
  const created = await state.createBucket(bucket, bucketRegion);
  // us-east-1 answers 200 again to its owner (legacy behaviour); other regions say 409.
  if (!created && bucketRegion !== 'us-east-1')
    throw new AwsError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      { BucketName: bucket },
    );
  sendEmpty(res, req, 200, { location: `/${bucket}`, 'content-length': 0 });
};

export const deleteBucket: Operation = async ({ state }, { req, res, bucket }) => {
  await state.deleteBucket(bucket);
  sendEmpty(res, req, 204);
};

export const headBucket: Operation = ({ state }, { req, res, bucket }) => {
  const b = state.requireBucket(bucket);
  sendEmpty(res, req, 200, { 'x-amz-bucket-region': b.region, 'content-length': 0 });
  return Promise.resolve();
};

export const listBuckets: Operation = ({ state, owner }, { req, res }) => {
  const prefix = req.query.get('prefix') ?? '';
  const buckets = state.listBuckets().filter((b) => b.name.startsWith(prefix));
  sendS3Xml(res, req, 200, {
    ListAllMyBucketsResult: {
      '@_xmlns': S3_NS,
      Owner: owner,
      Buckets: {
        Bucket: buckets.map((b) => ({
          Name: b.name,
          CreationDate: isoTime(b.createdAt),
          BucketRegion: b.region,
        })),
      },
      ...(prefix ? { Prefix: prefix } : {}),
    },
  });
  return Promise.resolve();
};

export const getBucketLocation: Operation = ({ state }, { req, res, bucket }) => {
  const b = state.requireBucket(bucket);
  sendS3Xml(res, req, 200, {
    LocationConstraint: { '@_xmlns': S3_NS, '#text': b.region === 'us-east-1' ? '' : b.region },
  });
  return Promise.resolve();
};

export const getBucketVersioning: Operation = ({ state }, { req, res, bucket }) => {
  state.requireBucket(bucket);
  sendS3Xml(res, req, 200, { VersioningConfiguration: { '@_xmlns': S3_NS } });
  return Promise.resolve();
};

export const getBucketNotification: Operation = ({ state }, { req, res, bucket }) => {
  state.requireBucket(bucket);
  sendS3Xml(res, req, 200, notificationToXml(state.getNotification(bucket)));
  return Promise.resolve();
};

export const putBucketNotification: Operation = async ({ state }, { req, res, bucket }) => {
  state.requireBucket(bucket);
  const config = notificationFromXml(parseXml(await readSmallBody(req)));
  await state.setNotification(bucket, config);
  sendEmpty(res, req, 200, { 'content-length': 0 });
};
