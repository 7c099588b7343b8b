import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import type { ServiceEvent } from '../types.ts';
import { createSnsService, type NotificationDetail, type SnsService } from './index.ts';

const run = promisify(execFile);
let served: ServedService<SnsService>;
let sns: SNSClient;
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:q1';
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:fn';

before(async () => {
  served = await serveService(createSnsService);
  sns = new SNSClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
after(async () => {
  sns.destroy();
  await served.close();
});

const code = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    return (err as { name: string }).name;
  }
  return 'no error';
};
const notifications = (): NotificationDetail[] =>
  served.events
    .filter((e) => e.type === 'Notification')
    .map((e) => e.detail as unknown as NotificationDetail);

/** Every key of `expected` is in `actual` with the same JSON type, recursively, and no extra keys. */
function assertSameShape(actual: unknown, expected: unknown, path = '$'): void {
  const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  assert.equal(kind(actual), kind(expected), `${path}: type`);
  if (kind(expected) !== 'object') return;
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), `${path}: keys`);
  for (const k of Object.keys(e))
    if (path !== '$.Sns.MessageAttributes') assertSameShape(a[k], e[k], `${path}.${k}`);
}

test('topics: create (idempotent), attributes, list, tags, delete', async () => {
  const a = await sns.send(
    new CreateTopicCommand({
      Name: 'orders',
      Attributes: { DisplayName: 'Orders' },
      Tags: [{ Key: 'team', Value: 'shop' }],
    }),
  );
  assert.equal(a.TopicArn, 'arn:aws:sns:us-east-1:123456789012:orders');
  const again = await sns.send(new CreateTopicCommand({ Name: 'orders' }));
  assert.equal(again.TopicArn, a.TopicArn);
  assert.equal(
    await code(sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Other' } }))),
    'InvalidParameterException',
  );
  const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }));
  assert.equal(attrs.Attributes?.DisplayName, 'Orders');
  assert.equal(attrs.Attributes?.TopicArn, a.TopicArn);
  assert.equal(attrs.Attributes?.Owner, '123456789012');
  assert.ok(JSON.parse(attrs.Attributes?.Policy ?? ''));
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: a.TopicArn,
      AttributeName: 'DisplayName',
      AttributeValue: 'New',
    }),
  );
  assert.equal(
    (await sns.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }))).Attributes?.DisplayName,
    'New',
  );
  const tags = await sns.send(new ListTagsForResourceCommand({ ResourceArn: a.TopicArn }));
  assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'shop' }]);

  const fifo = await sns.send(
    new CreateTopicCommand({ Name: 'seq.fifo', Attributes: { FifoTopic: 'true' } }),
  );
  assert.equal(fifo.TopicArn, 'arn:aws:sns:us-east-1:123456789012:seq.fifo');
  assert.equal(
    (await sns.send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }))).Attributes?.FifoTopic,
    'true',
  );
  assert.equal(
    await code(sns.send(new CreateTopicCommand({ Name: 'nofifo', Attributes: { FifoTopic: 'true' } }))),
    'InvalidParameterException',
  );
  assert.equal(
    await code(sns.send(new CreateTopicCommand({ Name: 'bad name!' }))),
    'InvalidParameterException',
  );

  await sns.send(new CreateTopicCommand({ Name: 'gone' }));
  const listed = await sns.send(new ListTopicsCommand({}));
  assert.deepEqual(
    listed.Topics?.map((t) => t.TopicArn?.split(':').pop()),
    ['gone', 'orders', 'seq.fifo'],
  );
  await sns.send(new DeleteTopicCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:gone' }));
  assert.equal(
    await code(
      sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:gone' })),
    ),
    'NotFoundException',
  );
});

test('subscriptions: sqs/lambda confirmed at once, http pending with a confirmation, attributes, unsubscribe', async () => {
  const topic = 'arn:aws:sns:us-east-1:123456789012:orders';
  const q = await sns.send(
    new SubscribeCommand({
      TopicArn: topic,
      Protocol: 'sqs',
      Endpoint: QUEUE,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  assert.match(q.SubscriptionArn ?? '', /^arn:aws:sns:us-east-1:123456789012:orders:[0-9a-f-]{36}$/);
  const same = await sns.send(
    new SubscribeCommand({
      TopicArn: topic,
      Protocol: 'sqs',
      Endpoint: QUEUE,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  assert.equal(same.SubscriptionArn, q.SubscriptionArn);
  const l = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: FN }));
  const qa = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: q.SubscriptionArn }));
  assert.equal(qa.Attributes?.RawMessageDelivery, 'true');
  assert.equal(qa.Attributes?.PendingConfirmation, 'false');
  assert.equal(qa.Attributes?.Protocol, 'sqs');
  assert.equal(qa.Attributes?.Endpoint, QUEUE);

  served.events.length = 0;
  const h = await sns.send(
    new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/hook' }),
  );
  assert.equal(h.SubscriptionArn, 'pending confirmation');
  const confirmation = served.events.find((e) => e.type === 'SubscriptionConfirmation') as ServiceEvent;
  const envelope = confirmation.detail.envelope as Record<string, string>;
  assert.equal(envelope.Type, 'SubscriptionConfirmation');
  assert.ok(envelope.SubscribeURL?.startsWith(`${served.endpoint}/?Action=ConfirmSubscription`));
  const confirmed = await sns.send(
    new ConfirmSubscriptionCommand({ TopicArn: topic, Token: envelope.Token }),
  );
  assert.match(confirmed.SubscriptionArn ?? '', /:orders:/);
  const email = await sns.send(
    new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'me@example.com' }),
  );
  assert.equal(email.SubscriptionArn, 'pending confirmation');

  const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
  assert.equal(byTopic.Subscriptions?.length, 4);
  const all = await sns.send(new ListSubscriptionsCommand({}));
  assert.equal(all.Subscriptions?.filter((s) => s.SubscriptionArn === 'PendingConfirmation').length, 1);

  assert.equal(
    await code(
      sns.send(
        new SubscribeCommand({
          TopicArn: topic,
          Protocol: 'lambda',
          Endpoint: FN,
          Attributes: { RawMessageDelivery: 'true' },
        }),
      ),
    ),
    'InvalidParameterException',
  );
  assert.equal(
    await code(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: 'not-an-arn' }))),
    'InvalidParameterException',
  );
  assert.equal(
    await code(
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'carrier-pigeon', Endpoint: 'x' })),
    ),
    'InvalidParameterException',
  );
  assert.equal(
    await code(
      sns.send(
        new SubscribeCommand({
          TopicArn: topic,
          Protocol: 'sqs',
          Endpoint: QUEUE + '2',
          Attributes: { FilterPolicy: '{"a":"b"}' },
        }),
      ),
    ),
    'InvalidParameterException',
  );
  assert.equal(
    await code(sns.send(new SubscribeCommand({ TopicArn: topic + 'x', Protocol: 'sqs', Endpoint: QUEUE }))),
    'NotFoundException',
  );

  await sns.send(
    new UnsubscribeCommand({
      SubscriptionArn:
        h.SubscriptionArn === 'pending confirmation' ? confirmed.SubscriptionArn : h.SubscriptionArn,
    }),
  );
  await sns.send(new UnsubscribeCommand({ SubscriptionArn: l.SubscriptionArn }));
  assert.equal(
    (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions?.length,
    2,
  );
});

test('Publish: Notification per subscription with exact envelope and Lambda record shapes', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'shapes' }));
  const none = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.deepEqual(none.Subscriptions ?? [], []);
  const l = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: FN }));
  const q = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: QUEUE }));
  served.events.length = 0;
  const out = await sns.send(
    new PublishCommand({
      TopicArn,
      Message: 'Hello from SNS!',
      Subject: 'TestInvoke',
      MessageAttributes: {
        Test: { DataType: 'String', StringValue: 'TestString' },
        TestBinary: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
      },
    }),
  );
  assert.match(out.MessageId ?? '', /^[0-9a-f-]{36}$/);
  const [first] = served.events;
  assert.equal(served.events.length, 2);
  assert.equal(first?.source, 'sns');
  assert.equal(first?.type, 'Notification');
  assert.equal(first?.resourceArn, TopicArn);
  assert.equal(first?.caller?.accessKeyId, 'test');
  const byProtocol = Object.fromEntries(notifications().map((n) => [n.protocol, n]));
  const lambda = byProtocol.lambda as NotificationDetail;
  assert.equal(lambda.subscriptionArn, l.SubscriptionArn);
  assert.equal(lambda.endpoint, FN);
  assert.equal(lambda.message, 'Hello from SNS!');
  assert.equal(lambda.messageId, out.MessageId);
  assert.equal(lambda.subject, 'TestInvoke');
  assert.equal(lambda.rawMessageDelivery, false);
  assert.deepEqual(lambda.messageAttributes.TestBinary, { DataType: 'Binary', BinaryValue: 'AQID' });

  const fixture = JSON.parse(readFileSync('test/fixtures/aws-events/sns-event.json', 'utf8')) as {
    Records: unknown[];
  };
  assertSameShape(lambda.lambdaRecord, fixture.Records[0]);
  assert.deepEqual(lambda.lambdaRecord.Sns.MessageAttributes, {
    Test: { Type: 'String', Value: 'TestString' },
    TestBinary: { Type: 'Binary', Value: 'AQID' },
  });
  assert.equal(lambda.lambdaRecord.EventSubscriptionArn, l.SubscriptionArn);
  assert.match(lambda.lambdaRecord.Sns.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const sqs = byProtocol.sqs as NotificationDetail;
  assert.equal(sqs.subscriptionArn, q.SubscriptionArn);
  assert.deepEqual(Object.keys(sqs.envelope), [
    'Type',
    'MessageId',
    'TopicArn',
    'Subject',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
    'UnsubscribeURL',
    'MessageAttributes',
  ]);
  assert.equal(sqs.envelope.Type, 'Notification');
  assert.equal(sqs.envelope.SignatureVersion, '1');
  assert.equal(
    sqs.envelope.UnsubscribeURL,
    `${served.endpoint}/?Action=Unsubscribe&SubscriptionArn=${q.SubscriptionArn}`,
  );

  served.events.length = 0;
  await sns.send(new PublishCommand({ TargetArn: TopicArn, Message: 'no subject' }));
  const plain = notifications().find((n) => n.protocol === 'sqs') as NotificationDetail;
  assert.equal('Subject' in plain.envelope, false);
  assert.equal('MessageAttributes' in plain.envelope, false);
  const lam = notifications().find((n) => n.protocol === 'lambda') as NotificationDetail;
  assert.equal(lam.lambdaRecord.Sns.Subject, null);
  assert.deepEqual(lam.lambdaRecord.Sns.MessageAttributes, {});
});

test('Publish: MessageStructure json picks the protocol entry or default', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'structured' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: FN }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: QUEUE }));
  served.events.length = 0;
  await sns.send(
    new PublishCommand({
      TopicArn,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: 'dflt', sqs: 'for sqs' }),
    }),
  );
  const m = Object.fromEntries(notifications().map((n) => [n.protocol, n.message]));
  assert.deepEqual(m, { lambda: 'dflt', sqs: 'for sqs' });
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: '{"sqs":"x"}' }))),
    'InvalidParameterException',
  );
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: 'nope' }))),
    'InvalidParameterException',
  );
});

test('Publish: validation errors', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'validate' }));
  assert.equal(
    await code(
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:missing', Message: 'x' })),
    ),
    'NotFoundException',
  );
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, Message: '' }))),
    'InvalidParameterException',
  );
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, Message: 'a'.repeat(256 * 1024 + 1) }))),
    'InvalidParameterException',
  );
  assert.equal(
    (await sns.send(new PublishCommand({ TopicArn, Message: 'a'.repeat(256 * 1024) }))).MessageId !==
      undefined,
    true,
  );
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 'line\nbreak' }))),
    'InvalidParameterException',
  );
  assert.equal(
    await code(
      sns.send(
        new PublishCommand({
          TopicArn,
          Message: 'x',
          MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } },
        }),
      ),
    ),
    'InvalidParameterValueException',
  );
  assert.equal(
    await code(
      sns.send(
        new PublishCommand({
          TopicArn,
          Message: 'x',
          MessageAttributes: { n: { DataType: 'Weird', StringValue: '1' } },
        }),
      ),
    ),
    'InvalidParameterValueException',
  );
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageDeduplicationId: 'd' }))),
    'InvalidParameterException',
  );
  assert.equal(await code(sns.send(new PublishCommand({ Message: 'x' }))), 'InvalidParameterException');
});

test('FIFO: group id required, deduplication within five minutes, sequence numbers', async () => {
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: 'f.fifo', Attributes: { FifoTopic: 'true' } }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:us-east-1:123456789012:q.fifo',
    }),
  );
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageDeduplicationId: 'd' }))),
    'InvalidParameterException',
  );
  assert.equal(
    await code(sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g' }))),
    'InvalidParameterException',
  );
  served.events.length = 0;
  const a = await sns.send(
    new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
  );
  const b = await sns.send(
    new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
  );
  const c = await sns.send(
    new PublishCommand({ TopicArn, Message: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }),
  );
  assert.equal(b.MessageId, a.MessageId);
  assert.match(a.SequenceNumber ?? '', /^\d{20}$/);
  assert.ok((c.SequenceNumber ?? '') > (a.SequenceNumber ?? ''));
  assert.equal(notifications().length, 2);
  assert.equal(notifications()[0]?.messageGroupId, 'g');
  assert.equal(notifications()[0]?.envelope.SequenceNumber, a.SequenceNumber);
});

test('filter policies: attribute scope and body scope decide delivery', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'filtered' }));
  const byAttr = await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:us-east-1:123456789012:attr',
      Attributes: {
        FilterPolicy: JSON.stringify({
          store: ['example_corp'],
          price_usd: [{ numeric: ['>=', 100] }],
          interests: ['rugby'],
        }),
      },
    }),
  );
  const byBody = await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'lambda',
      Endpoint: FN,
      Attributes: {
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: JSON.stringify({ order: { kind: [{ 'anything-but': 'test' }] } }),
      },
    }),
  );
  const attrs = await sns.send(
    new GetSubscriptionAttributesCommand({ SubscriptionArn: byBody.SubscriptionArn }),
  );
  assert.equal(attrs.Attributes?.FilterPolicyScope, 'MessageBody');
  served.events.length = 0;
  const publish = (Message: string, MessageAttributes = {}) =>
    sns.send(new PublishCommand({ TopicArn, Message, MessageAttributes }));
  await publish('{"order":{"kind":"real"}}', {
    store: { DataType: 'String', StringValue: 'example_corp' },
    price_usd: { DataType: 'Number', StringValue: '150' },
    interests: { DataType: 'String.Array', StringValue: '["soccer","rugby"]' },
  });
  assert.deepEqual(
    notifications()
      .map((n) => n.subscriptionArn)
      .sort(),
    [byAttr.SubscriptionArn, byBody.SubscriptionArn].sort(),
  );
  served.events.length = 0;
  await publish('{"order":{"kind":"test"}}', {
    store: { DataType: 'String', StringValue: 'example_corp' },
    price_usd: { DataType: 'Number', StringValue: '50' },
  });
  assert.equal(notifications().length, 0);
  await sns.send(
    new SetSubscriptionAttributesCommand({
      SubscriptionArn: byAttr.SubscriptionArn,
      AttributeName: 'FilterPolicy',
      AttributeValue: '{"store":[{"prefix":"ex"}]}',
    }),
  );
  await publish('plain', { store: { DataType: 'String', StringValue: 'example_corp' } });
  assert.deepEqual(
    notifications().map((n) => n.subscriptionArn),
    [byAttr.SubscriptionArn],
  );
  assert.equal(
    await code(
      sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn: byAttr.SubscriptionArn,
          AttributeName: 'FilterPolicy',
          AttributeValue: '{"a":{"b":["c"]}}',
        }),
      ),
    ),
    'InvalidParameterException',
  );
});

test('PublishBatch: per-entry results and batch errors', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'batch' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: QUEUE }));
  served.events.length = 0;
  const out = await sns.send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: 'one', Message: 'm1', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
        { Id: 'two', Message: '' },
        { Id: 'three', Message: 'm3', Subject: 'S' },
      ],
    }),
  );
  assert.deepEqual(
    out.Successful?.map((s) => s.Id),
    ['one', 'three'],
  );
  assert.equal(out.Failed?.[0]?.Id, 'two');
  assert.equal(out.Failed?.[0]?.Code, 'InvalidParameter');
  assert.equal(out.Failed?.[0]?.SenderFault, true);
  assert.equal(notifications().length, 2);
  assert.deepEqual(notifications()[0]?.envelope.MessageAttributes, { k: { Type: 'String', Value: 'v' } });
  const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'x' }));
  assert.equal(
    await code(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: eleven }))),
    'TooManyEntriesInBatchRequestException',
  );
  assert.equal(
    await code(
      sns.send(
        new PublishBatchCommand({
          TopicArn,
          PublishBatchRequestEntries: [
            { Id: 'a', Message: 'x' },
            { Id: 'a', Message: 'y' },
          ],
        }),
      ),
    ),
    'BatchEntryIdsNotDistinctException',
  );
});

test('aws CLI v1: create-topic, subscribe, publish', async () => {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', served.endpoint, '--output', 'json', 'sns', ...args],
      { env, timeout: 60_000 },
    );
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };
  const topic = await aws('create-topic', '--name', 'cli-topic');
  assert.equal(topic.TopicArn, 'arn:aws:sns:us-east-1:123456789012:cli-topic');
  const sub = await aws(
    'subscribe',
    '--topic-arn',
    topic.TopicArn,
    '--protocol',
    'lambda',
    '--notification-endpoint',
    FN,
  );
  assert.match(sub.SubscriptionArn as string, /:cli-topic:/);
  served.events.length = 0;
  const pub = await aws(
    'publish',
    '--topic-arn',
    topic.TopicArn,
    '--message',
    'hi from cli',
    '--message-attributes',
    '{"k":{"DataType":"String","StringValue":"v"}}',
  );
  assert.match(pub.MessageId as string, /^[0-9a-f-]{36}$/);
  assert.equal(notifications()[0]?.message, 'hi from cli');
  assert.deepEqual(notifications()[0]?.lambdaRecord.Sns.MessageAttributes, {
    k: { Type: 'String', Value: 'v' },
  });
});
