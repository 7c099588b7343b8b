/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- parsed XML responses and CLI JSON output are dynamic documents read field by field */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import { createSqsService, type SqsService } from './index.ts';
import { md5Hex, md5OfAttributes } from './message.ts';
import { queryInput } from './protocol-query.ts';

const run = promisify(execFile);
const parser = new XMLParser({
  ignoreAttributes: false,
  htmlEntities: true,
  parseTagValue: false,
  isArray: (name) =>
    [
      'Message',
      'Attribute',
      'MessageAttribute',
      'SendMessageBatchResultEntry',
      'BatchResultErrorEntry',
      'QueueUrl',
    ].includes(name),
});
let served: ServedService<SqsService>;

before(async () => {
  served = await serveService(createSqsService);
});
after(async () => {
  await served.close();
});

async function query(
  params: Record<string, string>,
  path = '/',
): Promise<{ status: number; doc: Record<string, any> }> {
  const res = await fetch(`${served.endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return { status: res.status, doc: parser.parse(await res.text()) as Record<string, any> };
}

test('query input: flattened lists, maps, message attributes and batch entries', () => {
  const input = queryInput(
    new URLSearchParams(
      'Action=SendMessageBatch&QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=hi' +
        '&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String' +
        '&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v&SendMessageBatchRequestEntry.2.Id=b' +
        '&AttributeName.2=B&AttributeName.1=A&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3',
    ),
  );
  assert.deepEqual(input.Entries, [
    { Id: 'a', MessageBody: 'hi', MessageAttributes: { n: { DataType: 'String', StringValue: 'v' } } },
    { Id: 'b' },
  ]);
  assert.deepEqual(input.AttributeNames, ['A', 'B']);
  assert.deepEqual(input.Attributes, { DelaySeconds: '3' });
});

test('query protocol: create, send to the queue URL, receive with attributes, delete, errors', async () => {
  const created = await query({
    Action: 'CreateQueue',
    QueueName: 'q-query',
    'Attribute.1.Name': 'VisibilityTimeout',
    'Attribute.1.Value': '60',
    'Tag.1.Key': 'team',
    'Tag.1.Value': 'x',
  });
  assert.equal(created.status, 200);
  const url = created.doc.CreateQueueResponse.CreateQueueResult.QueueUrl[0] as string;
  assert.equal(url, `${served.endpoint}/123456789012/q-query`);
  assert.equal(created.doc.CreateQueueResponse['@_xmlns'], 'http://queue.amazonaws.com/doc/2012-11-05/');

  const body = 'line1\r\nline2 <&> ü';
  const sent = await query(
    {
      Action: 'SendMessage',
      MessageBody: body,
      'MessageAttribute.1.Name': 'kind',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'order',
      'MessageAttribute.2.Name': 'blob',
      'MessageAttribute.2.Value.DataType': 'Binary',
      'MessageAttribute.2.Value.BinaryValue': Buffer.from([1, 2, 3]).toString('base64'),
    },
    '/123456789012/q-query',
  );
  const result = sent.doc.SendMessageResponse.SendMessageResult;
  assert.equal(result.MD5OfMessageBody, md5Hex(body));
  assert.equal(
    result.MD5OfMessageAttributes,
    md5OfAttributes({
      kind: { dataType: 'String', stringValue: 'order' },
      blob: { dataType: 'Binary', binaryValue: new Uint8Array([1, 2, 3]) },
    }),
  );

  const received = await query({
    Action: 'ReceiveMessage',
    QueueUrl: url,
    'AttributeName.1': 'All',
    'MessageAttributeName.1': 'All',
    MaxNumberOfMessages: '5',
  });
  const [m] = received.doc.ReceiveMessageResponse.ReceiveMessageResult.Message as Array<Record<string, any>>;
  assert.equal(m!.Body, body, 'CR survives the XML round trip');
  assert.equal(m!.MD5OfBody, md5Hex(body));
  const attrs = Object.fromEntries(
    (m!.Attribute as Array<{ Name: string; Value: string }>).map((a) => [a.Name, a.Value]),
  );
  assert.equal(attrs.ApproximateReceiveCount, '1');
  const kinds = (m!.MessageAttribute as Array<{ Name: string; Value: { DataType: string } }>).map((a) => [
    a.Name,
    a.Value.DataType,
  ]);
  assert.deepEqual(kinds.sort(), [
    ['blob', 'Binary'],
    ['kind', 'String'],
  ]);

  const ga = await query({
    Action: 'GetQueueAttributes',
    QueueUrl: url,
    'AttributeName.1': 'ApproximateNumberOfMessagesNotVisible',
    'AttributeName.2': 'VisibilityTimeout',
  });
  const gaAttrs = ga.doc.GetQueueAttributesResponse.GetQueueAttributesResult.Attribute as Array<{
    Name: string;
    Value: string;
  }>;
  assert.deepEqual(Object.fromEntries(gaAttrs.map((a) => [a.Name, a.Value])), {
    ApproximateNumberOfMessagesNotVisible: '1',
    VisibilityTimeout: '60',
  });

  const deleted = await query({
    Action: 'DeleteMessage',
    QueueUrl: url,
    ReceiptHandle: m!.ReceiptHandle as string,
  });
  assert.equal(deleted.status, 200);
  assert.ok(deleted.doc.DeleteMessageResponse.ResponseMetadata.RequestId);

  const batch = await query({
    Action: 'SendMessageBatch',
    QueueUrl: url,
    'SendMessageBatchRequestEntry.1.Id': 'ok',
    'SendMessageBatchRequestEntry.1.MessageBody': 'a',
    'SendMessageBatchRequestEntry.2.Id': 'bad',
    'SendMessageBatchRequestEntry.2.MessageBody': 'b',
    'SendMessageBatchRequestEntry.2.DelaySeconds': '1000',
  });
  const br = batch.doc.SendMessageBatchResponse.SendMessageBatchResult;
  assert.equal(br.SendMessageBatchResultEntry[0].Id, 'ok');
  assert.equal(br.BatchResultErrorEntry[0].Code, 'InvalidParameterValue');
  assert.equal(br.BatchResultErrorEntry[0].SenderFault, 'true');

  const missing = await query({ Action: 'GetQueueUrl', QueueName: 'nope' });
  assert.equal(missing.status, 400);
  assert.equal(missing.doc.ErrorResponse.Error.Code, 'AWS.SimpleQueueService.NonExistentQueue');
  assert.equal(missing.doc.ErrorResponse.Error.Type, 'Sender');
  const unknown = await query({ Action: 'Frobnicate' });
  assert.equal(unknown.doc.ErrorResponse.Error.Code, 'InvalidAction');
});

test('aws CLI', async () => {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const aws = async (...args: string[]): Promise<any> => {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', served.endpoint, '--output', 'json', 'sqs', ...args],
      { env, timeout: 60_000 },
    );
    return stdout.trim() ? JSON.parse(stdout) : {};
  };
  const { QueueUrl } = (await aws(
    'create-queue',
    '--queue-name',
    'cli-q',
    '--attributes',
    'VisibilityTimeout=40',
  )) as { QueueUrl: string };
  assert.equal(QueueUrl, `${served.endpoint}/123456789012/cli-q`);
  const sent = await aws(
    'send-message',
    '--queue-url',
    QueueUrl,
    '--message-body',
    'from the cli',
    '--message-attributes',
    '{"k":{"DataType":"String","StringValue":"v"}}',
  );
  assert.equal(sent.MD5OfMessageBody, md5Hex('from the cli'));
  const got = await aws(
    'receive-message',
    '--queue-url',
    QueueUrl,
    '--attribute-names',
    'All',
    '--message-attribute-names',
    'All',
  );
  assert.equal(got.Messages[0].Body, 'from the cli');
  assert.equal(got.Messages[0].MessageAttributes.k.StringValue, 'v');
  await aws('delete-message', '--queue-url', QueueUrl, '--receipt-handle', got.Messages[0].ReceiptHandle);
  const attrs = await aws('get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'All');
  assert.equal(attrs.Attributes.VisibilityTimeout, '40');
  assert.equal(attrs.Attributes.ApproximateNumberOfMessagesNotVisible, '0');
  await assert.rejects(aws('get-queue-url', '--queue-name', 'absent'), (err: { stderr: string }) => {
    assert.match(err.stderr, /AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist/);
    return true;
  });
});
