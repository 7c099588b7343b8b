import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

// Created once per execution environment and reused while it is warm.
const s3 = new S3Client({});

/** S3 event keys are URL-encoded, with spaces as '+'. */
const decodeKey = (key) => decodeURIComponent(key.replace(/\+/g, ' '));

export const handler = async (event) => {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeKey(record.s3.object.key);
    if (process.env.SKIP_HASH_FILES === 'true' && key.endsWith('.sha1')) {
      console.log(`skipping ${key}`);
      continue;
    }
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const sha1 = createHash('sha1')
      .update(await object.Body.transformToByteArray())
      .digest('hex');
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${key}.sha1`,
        Body: `${sha1}\n`,
        ContentType: 'text/plain',
      }),
    );
    console.log(`${key}: ${sha1}`);
  }
};
