import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({});

export const handler = async (event) => {
  for (const record of event.Records) {
    const { name, text } = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    const words = text.split(/\s+/).filter(Boolean).length;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: process.env.QUEUE_URL,
        MessageBody: JSON.stringify({ name, upper: text.toUpperCase(), words }),
      }),
    );
    console.log(`transformed ${name}: ${words} words`);
  }
};
