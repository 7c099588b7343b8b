import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import { createSqsService, type SqsService } from './index.ts';
import { md5OfAttributes } from './message.ts';

let served: ServedService<SqsService>;
let sqs: SQSClient;

before(async () => {
  served = await serveService(createSqsService);
  sqs = new SQSClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
after(async () => {
  sqs.destroy();
  await served.close();
});

/** An SDK error check: class name, and optionally legacy Code, HTTP status, message. */
function sqsError(expected: { name: string; Code?: string; status?: number; message?: RegExp }) {
  return (err: unknown): boolean => {
    const e = err as {
      name: string;
      Code?: string;
      message: string;
      $metadata?: { httpStatusCode?: number };
    };
    assert.equal(e.name, expected.name);
    if (expected.Code) assert.equal(e.Code, expected.Code);
    if (expected.status) assert.equal(e.$metadata?.httpStatusCode, expected.status);
    if (expected.message) assert.match(e.message, expected.message);
    return true;
  };
}

async function queue(name: string, Attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }));
  assert.ok(QueueUrl);
  return QueueUrl;
}

test('queue lifecycle: create, get url, list with prefix and pages, attributes, tags, delete', async () => {
  const url = await queue('life-a', { VisibilityTimeout: '45' });
  assert.equal(url, `${served.endpoint}/123456789012/life-a`);
  await queue('life-b');
  await queue('life-c');
  assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: 'life-a' }))).QueueUrl, url);
  const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'life-' }));
  assert.equal(all.QueueUrls?.length, 3);
  const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'life-', MaxResults: 2 }));
  assert.equal(page1.QueueUrls?.length, 2);
  const page2 = await sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: 'life-', MaxResults: 2, NextToken: page1.NextToken }),
  );
  assert.deepEqual(page2.QueueUrls, [`${served.endpoint}/123456789012/life-c`]);
  assert.equal(page2.NextToken, undefined);

  const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
    .Attributes!;
  assert.equal(attrs.VisibilityTimeout, '45');
  assert.equal(attrs.MaximumMessageSize, '1048576');
  assert.equal(attrs.QueueArn, 'arn:aws:sqs:us-east-1:123456789012:life-a');
  for (const k of [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
    'CreatedTimestamp',
    'LastModifiedTimestamp',
  ])
    assert.ok((attrs as Record<string, string>)[k] !== undefined, k);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '5' } }));
  const some = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['DelaySeconds', 'QueueArn'] }),
  );
  assert.deepEqual(some.Attributes, { DelaySeconds: '5', QueueArn: attrs.QueueArn });

  await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'a', env: 'dev' } }));
  await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: 'a' });

  // Idempotent create, QueueAlreadyExists with different attributes.
  assert.equal(await queue('life-a', { VisibilityTimeout: '45' }), url);
  await assert.rejects(
    queue('life-a', { VisibilityTimeout: '46' }),
    sqsError({
      name: 'QueueNameExists',
      Code: 'QueueAlreadyExists',
    }),
  );

  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await assert.rejects(
    sqs.send(new GetQueueUrlCommand({ QueueName: 'life-a' })),
    sqsError({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      status: 400,
    }),
  );
});

test('a queue URL with another host resolves by account and name', async () => {
  await queue('elsewhere');
  const client = new SQSClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const sent = await client.send(
    new SendMessageCommand({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/elsewhere',
      MessageBody: 'x',
    }),
  );
  assert.ok(sent.MessageId);
  client.destroy();
});

test('message attributes round trip with MD5s (SDK verifies body MD5s)', async () => {
  const url = await queue('attrs');
  const MessageAttributes = {
    str: { DataType: 'String', StringValue: 'héllo' },
    num: { DataType: 'Number', StringValue: '42.5' },
    bin: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 254, 255]) },
    'custom.kind': { DataType: 'String.json', StringValue: '{"a":1}' },
  };
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: 'body with\r\nCRLF and ünïcode 😀',
      MessageAttributes,
      MessageSystemAttributes: {
        AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' },
      },
    }),
  );
  const expected = md5OfAttributes({
    str: { dataType: 'String', stringValue: 'héllo' },
    num: { dataType: 'Number', stringValue: '42.5' },
    bin: { dataType: 'Binary', binaryValue: new Uint8Array([0, 1, 2, 254, 255]) },
    'custom.kind': { dataType: 'String.json', stringValue: '{"a":1}' },
  });
  assert.equal(sent.MD5OfMessageAttributes, expected);
  assert.ok(sent.MD5OfMessageSystemAttributes);
  const got = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const m = got.Messages![0]!;
  assert.equal(m.Body, 'body with\r\nCRLF and ünïcode 😀');
  assert.equal(m.MD5OfMessageAttributes, expected);
  assert.deepEqual(Buffer.from(m.MessageAttributes!.bin!.BinaryValue!), Buffer.from([0, 1, 2, 254, 255]));
  assert.equal(m.MessageAttributes!.num!.StringValue, '42.5');
  assert.equal(m.Attributes!.AWSTraceHeader, 'Root=1-5759e988-bd862e3fe1be46a994272793');
  assert.equal(m.Attributes!.ApproximateReceiveCount, '1');
  assert.equal(m.Attributes!.SenderId, 'test');

  // Selecting attributes: a prefix and one name; the MD5 covers what was returned.
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: url,
      ReceiptHandle: m.ReceiptHandle,
      VisibilityTimeout: 0,
    }),
  );
  const picked = (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['custom.*', 'num'],
        AttributeNames: ['SentTimestamp' as never],
      }),
    )
  ).Messages![0]!;
  assert.deepEqual(Object.keys(picked.MessageAttributes!).sort(), ['custom.kind', 'num']);
  assert.deepEqual(Object.keys(picked.Attributes!), ['SentTimestamp']);
  assert.equal(
    picked.MD5OfMessageAttributes,
    md5OfAttributes({
      num: { dataType: 'Number', stringValue: '42.5' },
      'custom.kind': { dataType: 'String.json', stringValue: '{"a":1}' },
    }),
  );
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: picked.ReceiptHandle }));
});

test('long polling returns as soon as a message is sent, long before the wait time', async () => {
  const url = await queue('long-poll');
  const started = Date.now();
  const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
  await new Promise((r) => setTimeout(r, 100));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' }));
  const got = await receiving;
  assert.equal(got.Messages?.[0]?.Body, 'wake');
  assert.ok(Date.now() - started < 20_000, 'returned before the wait time');
});

test('batches: send, delete and change visibility with per-entry failures and request errors', async () => {
  const url = await queue('batches');
  const sent = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'a', MessageBody: 'one' },
        { Id: 'b', MessageBody: 'two', DelaySeconds: 0 },
        { Id: 'bad', MessageBody: 'three', DelaySeconds: 901 },
        { Id: 'chars', MessageBody: 'bad\u0000' },
      ],
    }),
  );
  assert.deepEqual(sent.Successful?.map((s) => s.Id).sort(), ['a', 'b']);
  assert.deepEqual(sent.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]).sort(), [
    ['bad', 'InvalidParameterValue', true],
    ['chars', 'InvalidMessageContents', true],
  ]);
  await assert.rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })),
    sqsError({
      name: 'EmptyBatchRequest',
    }),
  );
  await assert.rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })),
      }),
    ),
    { name: 'TooManyEntriesInBatchRequest', Code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest' },
  );
  await assert.rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'x', MessageBody: 'a' },
          { Id: 'x', MessageBody: 'b' },
        ],
      }),
    ),
    { name: 'BatchEntryIdsNotDistinct' },
  );
  await assert.rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'bad id!', MessageBody: 'a' }] })),
    { name: 'InvalidBatchEntryId' },
  );
  const half = 'x'.repeat(600 * 1024);
  await assert.rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: half },
          { Id: 'b', MessageBody: half },
        ],
      }),
    ),
    { name: 'BatchRequestTooLong' },
  );

  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  assert.equal(got.Messages?.length, 2);
  const [m1, m2] = got.Messages;
  const cmv = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'one', ReceiptHandle: m1!.ReceiptHandle, VisibilityTimeout: 100 },
        { Id: 'bogus', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 100 },
      ],
    }),
  );
  assert.deepEqual(
    cmv.Successful?.map((s) => s.Id),
    ['one'],
  );
  assert.deepEqual(
    cmv.Failed?.map((f) => [f.Id, f.Code]),
    [['bogus', 'ReceiptHandleIsInvalid']],
  );
  const del = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'one', ReceiptHandle: m1!.ReceiptHandle },
        { Id: 'two', ReceiptHandle: m2!.ReceiptHandle },
        { Id: 'bogus', ReceiptHandle: 'zzz' },
      ],
    }),
  );
  assert.deepEqual(
    del.Successful?.map((s) => s.Id),
    ['one', 'two'],
  );
  assert.deepEqual(
    del.Failed?.map((f) => f.Id),
    ['bogus'],
  );
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  assert.deepEqual(attrs.Attributes, {
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
  });
});

test('error codes: validation, receipt handles, visibility, purge, FIFO', async () => {
  const url = await queue('errors', { MaximumMessageSize: '1024' });
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })),
    sqsError({
      name: 'InvalidParameterValue',
      message: /Message must be shorter than 1024 bytes/,
    }),
  );
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \uFFFE' })),
    sqsError({
      name: 'InvalidMessageContents',
    }),
  );
  await assert.rejects(
    sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    sqsError({
      name: 'InvalidParameterValue',
    }),
  );
  await assert.rejects(
    sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'nonsense' })),
    sqsError({
      name: 'ReceiptHandleIsInvalid',
      status: 404,
    }),
  );
  await assert.rejects(
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as never] })),
    {
      name: 'InvalidAttributeName',
    },
  );
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
  const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 })))
    .Messages![0]!;
  await assert.rejects(
    sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m.ReceiptHandle,
        VisibilityTimeout: 5,
      }),
    ),
    {
      name: 'MessageNotInflight',
      Code: 'AWS.SimpleQueueService.MessageNotInflight',
    },
  );
  await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  await assert.rejects(
    sqs.send(new PurgeQueueCommand({ QueueUrl: url })),
    sqsError({
      name: 'PurgeQueueInProgress',
      status: 403,
    }),
  );
  await assert.rejects(queue('bad.fifo'), sqsError({ name: 'InvalidParameterValue' }));
  const fifo = await queue('ok.fifo', { FifoQueue: 'true' });
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'x', MessageDeduplicationId: 'd' })),
    {
      name: 'MissingParameter',
    },
  );
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: fifo,
      MessageBody: 'x',
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd',
    }),
  );
  assert.match(sent.SequenceNumber!, /^\d{20}$/);
});

test('ListDeadLetterSourceQueues and redrive through the API', async () => {
  const dlq = await queue('api-dlq');
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  const src = await queue('api-src', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '1' }),
  });
  assert.deepEqual((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [
    src,
  ]);
  await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison' }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, VisibilityTimeout: 0 }));
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages, undefined);
  const dead = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'] }),
  );
  assert.equal(dead.Messages?.[0]?.Body, 'poison');
  assert.equal(
    dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn,
    'arn:aws:sqs:us-east-1:123456789012:api-src',
  );
  assert.ok(served.events.some((e) => e.type === 'MessageSent' && e.resourceArn.endsWith(':api-src')));
});
