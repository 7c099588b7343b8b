import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({});

export const handler = async (event) => {
  for (const message of event.Records) {
    const { name, upper, words } = JSON.parse(message.body);
    await s3.send(
      new PutObjectCommand({
        Bucket: process.env.BUCKET,
        Key: `results/${name}`,
        Body: JSON.stringify({ name, words, text: upper }),
        ContentType: 'application/json',
      }),
    );
    console.log(`published results/${name}`);
  }
};
