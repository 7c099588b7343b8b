import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { serveService } from '../../test/helpers/service-server.ts';
import { createSnsService } from '../services/sns/index.ts';
import type { ServiceEvent } from '../services/types.ts';
import { createTraceLog } from '../trace/index.ts';
import { createSnsDelivery, sqsAttributesFromSns } from './sns-delivery.ts';
import {
  ACCOUNT_ID,
  REGION,
  queueArn,
  recordingAsyncInvoker,
  recordingSinks,
  topicArn,
  testClock,
} from './testing.ts';

const topic = topicArn('alerts');
const envelope = {
  Type: 'Notification',
  MessageId: 'mid-1',
  TopicArn: topic,
  Subject: 'hello',
  Message: 'the message',
  Timestamp: '2024-05-01T12:00:00.000Z',
  SignatureVersion: '1',
  Signature: 'EXAMPLE',
  SigningCertURL: 'https://sns.us-east-1.amazonaws.com/cert.pem',
  UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  MessageAttributes: {
    color: { Type: 'String', Value: 'blue' },
    count: { Type: 'Number', Value: '3' },
    blob: { Type: 'Binary', Value: Buffer.from('bin').toString('base64') },
  },
};

function notification(protocol: string, endpoint: string, raw = false): ServiceEvent {
  return {
    source: 'sns',
    type: 'Notification',
    resourceArn: topic,
    detail: {
      subscriptionArn: `${topic}:sub-1`,
      protocol,
      endpoint,
      rawMessageDelivery: raw,
      message: 'the message',
      messageId: 'mid-1',
      envelope,
      lambdaRecord: {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topic}:sub-1`,
        Sns: envelope,
      },
    },
    caller: { accessKeyId: 'AK', functionLogicalId: 'Pub', invocationRequestId: 'req-9' },
    time: 0,
  };
}

function setup(post?: (url: string, body: string, headers: Record<string, string>) => Promise<number>) {
  const sinks = recordingSinks();
  const asyncInvoker = recordingAsyncInvoker();
  const lines: string[] = [];
  const trace = createTraceLog();
  const d = createSnsDelivery({
    sinks,
    asyncInvoker,
    clock: testClock,
    log: (l) => lines.push(l),
    trace,
    ...(post ? { post } : {}),
  });
  return { d, sinks, asyncInvoker, lines, trace };
}

test('lambda subscriptions: an async invoke with {Records:[lambdaRecord]} that continues the chain', async () => {
  const { d, asyncInvoker, trace } = setup();
  trace.recordInvocation({
    requestId: 'req-9',
    functionLogicalId: 'Pub',
    cause: { eventId: 'e0', chain: [], depth: 0 },
  });
  const fn = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:consumer`;
  await d.onEvent(notification('lambda', fn));
  assert.equal(asyncInvoker.calls[0]?.fn, fn);
  assert.deepEqual(asyncInvoker.calls[0]?.payload, {
    Records: [notification('lambda', fn).detail.lambdaRecord],
  });
  assert.equal(asyncInvoker.calls[0]?.options?.source, 'SNS alerts');
  assert.deepEqual(asyncInvoker.calls[0]?.options?.cause?.chain, [
    { functionLogicalId: 'Pub', requestId: 'req-9' },
  ]);
});

test('sqs subscriptions: the JSON document, or the raw message with its attributes', async () => {
  const { d, sinks } = setup();
  await d.onEvent(notification('sqs', queueArn('q')));
  await d.onEvent(notification('sqs', queueArn('raw'), true));
  assert.deepEqual(JSON.parse(sinks.sqsSent[0]!.body), envelope);
  assert.equal(sinks.sqsSent[0]?.options?.messageAttributes, undefined);
  assert.equal(sinks.sqsSent[1]?.body, 'the message');
  assert.deepEqual(sinks.sqsSent[1]?.options?.messageAttributes, {
    color: { DataType: 'String', StringValue: 'blue' },
    count: { DataType: 'Number', StringValue: '3' },
    blob: { DataType: 'Binary', BinaryValue: Buffer.from('bin') },
  });
  assert.equal(sinks.sqsSent[1]?.options?.caller?.invocationRequestId, 'req-9');
});

test('attribute mapping accepts API-style values too', () => {
  assert.deepEqual(sqsAttributesFromSns({ a: { DataType: 'String', StringValue: 'x' }, junk: 5 }), {
    a: { DataType: 'String', StringValue: 'x' },
  });
});

test('http subscriptions: POST of the document with SNS headers to loopback; retried, then logged', async () => {
  const received: Array<{ body: string; headers: IncomingHttpHeaders }> = [];
  let failFirst = 1;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      res.statusCode = failFirst-- > 0 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const { d, lines } = setup();
    await d.onEvent(notification('http', url));
    assert.equal(received.length, 2, 'one failure, one retry');
    assert.deepEqual(JSON.parse(received[1]!.body), envelope);
    assert.equal(received[1]?.headers['x-amz-sns-message-type'], 'Notification');
    assert.equal(received[1]?.headers['x-amz-sns-topic-arn'], topic);
    assert.equal(received[1]?.headers['x-amz-sns-message-id'], 'mid-1');
    assert.deepEqual(lines, []);
    failFirst = 100;
    await d.onEvent(notification('http', url));
    assert.equal(received.length, 6, 'three retries');
    assert.match(
      lines[0]!,
      /delivery to .*hook failed after 4 attempt\(s\) \(HTTP 500\); message mid-1 dropped/,
    );
    await d.onEvent(notification('https', 'https://example.com/hook'));
    assert.match(lines[1]!, /loopback URLs only/);
  } finally {
    server.close();
  }
});

test('email subscriptions: one log line', async () => {
  const { d, lines } = setup();
  await d.onEvent(notification('email', 'dev@example.com'));
  assert.deepEqual(lines, ['SNS alerts → email dev@example.com: [hello] the message']);
});

test('failures of a target are logged with the message id', async () => {
  const { d, sinks, lines } = setup();
  sinks.failing.add(queueArn('gone'));
  await d.onEvent(notification('sqs', queueArn('gone')));
  assert.match(lines[0]!, /delivery to sqs .*gone failed: NonExistentQueue.*message mid-1 dropped/);
});

test('http subscriptions get the SubscriptionConfirmation POST; GETting SubscribeURL confirms them', async () => {
  const sns = await serveService(createSnsService);
  const received: Array<{ body: string; headers: IncomingHttpHeaders }> = [];
  let failFirst = 1;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      res.statusCode = failFirst-- > 0 ? 503 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const call = async (params: Record<string, string>) => {
      const res = await fetch(`${sns.endpoint}/?${new URLSearchParams(params).toString()}`);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      return text;
    };
    const created = await call({ Action: 'CreateTopic', Name: 'alerts' });
    const arn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(created)?.[1] ?? '';
    await call({ Action: 'Subscribe', TopicArn: arn, Protocol: 'http', Endpoint: url });
    const event = sns.events.find((e) => e.type === 'SubscriptionConfirmation');
    assert.ok(event, 'the service emitted a SubscriptionConfirmation');

    const { d, lines } = setup();
    await d.onEvent(event);
    assert.equal(received.length, 2, 'one failure, one retry');
    const doc = JSON.parse(received[1]!.body) as Record<string, string>;
    assert.equal(doc.Type, 'SubscriptionConfirmation');
    assert.equal(doc.TopicArn, arn);
    assert.ok(doc.Token);
    assert.equal(received[1]?.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    assert.equal(received[1]?.headers['x-amz-sns-topic-arn'], arn);
    assert.equal(received[1]?.headers['x-amz-sns-message-id'], doc.MessageId);
    assert.equal(received[1]?.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.deepEqual(lines, []);

    const pending = await call({ Action: 'ListSubscriptionsByTopic', TopicArn: arn });
    assert.match(pending, /<SubscriptionArn>PendingConfirmation<\/SubscriptionArn>/);
    // The subscriber confirms as with AWS: an unsigned GET of SubscribeURL.
    const confirm = await fetch(doc.SubscribeURL!);
    assert.equal(confirm.status, 200);
    assert.match(await confirm.text(), /<ConfirmSubscriptionResult>\s*<SubscriptionArn>[^<]*:alerts:/);
    const confirmed = await call({ Action: 'ListSubscriptionsByTopic', TopicArn: arn });
    assert.doesNotMatch(confirmed, /PendingConfirmation/);

    await d.onEvent({ ...event, detail: { ...event.detail, endpoint: 'https://example.com/hook' } });
    assert.match(lines[0]!, /loopback URLs only/);
  } finally {
    server.close();
    await sns.close();
  }
});
