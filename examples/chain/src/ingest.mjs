import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';

const s3 = new S3Client({});
const kinesis = new KinesisClient({});

export const handler = async (event) => {
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const object = await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: key }));
    const text = await object.Body.transformToString();
    const name = key.slice('incoming/'.length);
    await kinesis.send(
      new PutRecordCommand({
        StreamName: process.env.STREAM,
        PartitionKey: name,
        Data: Buffer.from(JSON.stringify({ name, text })),
      }),
    );
    console.log(`ingested ${key} (${text.length} characters)`);
  }
};
