import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/types.ts';
import type { ServiceEvent } from '../types.ts';
import { createSqsService } from './index.ts';
import { SqsState } from './state.ts';
import { FakeClock, settle, testContext } from './test-support.ts';

function setup(store: Store = createMemoryStore(), clock = new FakeClock()) {
  const events: ServiceEvent[] = [];
  const sqs = createSqsService(testContext(store, clock, events));
  return { sqs, clock, store, events };
}

test('a received message is invisible until its visibility timeout ends, then wakes listeners', async () => {
  const { sqs, clock, events } = setup();
  const { queueArn, queueUrl } = await sqs.createQueue('work', { VisibilityTimeout: '30' });
  const { messageId } = await sqs.sendMessage(queueArn, 'hello');
  assert.deepEqual(
    events.map((e) => [e.source, e.type, e.resourceArn, e.detail]),
    [['sqs', 'MessageSent', queueArn, { messageId, queueUrl }]],
  );
  const [first] = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10 });
  assert.equal(first?.body, 'hello');
  assert.equal(first?.attributes.ApproximateReceiveCount, '1');
  assert.equal(sqs.getQueueAttributes(queueArn).ApproximateNumberOfMessagesNotVisible, '1');
  assert.deepEqual(await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10 }), []);

  let wakes = 0;
  const off = sqs.onMessageAvailable(queueArn, () => wakes++);
  await clock.advance(29_999);
  assert.equal(wakes, 0);
  await clock.advance(1);
  assert.equal(wakes, 1);
  off();
  const [again] = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1 });
  assert.equal(again?.messageId, messageId);
  assert.equal(again?.attributes.ApproximateReceiveCount, '2');
  assert.notEqual(again?.receiptHandle, first?.receiptHandle);
  await sqs.deleteMessage(queueArn, again.receiptHandle);
  assert.equal(sqs.getQueueAttributes(queueArn).ApproximateNumberOfMessagesNotVisible, '0');
});

test('changeMessageVisibility: extend, release with 0, MessageNotInflight when visible', async () => {
  const { sqs, clock } = setup();
  const { queueArn } = await sqs.createQueue('cmv');
  await sqs.sendMessage(queueArn, 'x');
  const [m] = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1, visibilityTimeout: 5 });
  await sqs.changeMessageVisibility(queueArn, m!.receiptHandle, 60);
  await clock.advance(10_000);
  assert.deepEqual(await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1 }), []);
  let woke = false;
  sqs.onMessageAvailable(queueArn, () => (woke = true));
  await sqs.changeMessageVisibility(queueArn, m!.receiptHandle, 0);
  await settle();
  assert.equal(woke, true);
  await assert.rejects(sqs.changeMessageVisibility(queueArn, m!.receiptHandle, 10), {
    shape: 'MessageNotInflight',
  });
  await assert.rejects(sqs.deleteMessage(queueArn, 'garbage!'), { shape: 'ReceiptHandleIsInvalid' });
});

test('delayed messages count as delayed and become receivable when the delay ends', async () => {
  const { sqs, clock } = setup();
  const { queueArn } = await sqs.createQueue('delayed', { DelaySeconds: '10' });
  await sqs.sendMessage(queueArn, 'queue-delay');
  await sqs.sendMessage(queueArn, 'message-delay', { delaySeconds: 3 });
  assert.equal(sqs.getQueueAttributes(queueArn).ApproximateNumberOfMessagesDelayed, '2');
  let wakes = 0;
  sqs.onMessageAvailable(queueArn, () => wakes++);
  await clock.advance(3_000);
  assert.equal(wakes, 1);
  assert.deepEqual(
    (await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10 })).map((m) => m.body),
    ['message-delay'],
  );
  await clock.advance(7_000);
  assert.equal(wakes, 2);
  assert.deepEqual(
    (await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10 })).map((m) => m.body),
    ['queue-delay'],
  );
});

test('redrive: a message received more than maxReceiveCount times moves to the DLQ with its attributes', async () => {
  const { sqs, clock } = setup();
  const dlq = await sqs.createQueue('dlq');
  const { queueArn } = await sqs.createQueue('src', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 2 }),
    VisibilityTimeout: '1',
  });
  const { messageId } = await sqs.sendMessage(queueArn, 'poison', {
    messageAttributes: { kind: { dataType: 'String', stringValue: 'bad' } },
  });
  let dlqWakes = 0;
  sqs.onMessageAvailable(dlq.queueArn, () => dlqWakes++);
  for (let i = 1; i <= 2; i++) {
    const [m] = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1 });
    assert.equal(m?.attributes.ApproximateReceiveCount, String(i));
    await clock.advance(1_000);
  }
  assert.deepEqual(await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1 }), []);
  await settle();
  assert.equal(dlqWakes, 1);
  const [dead] = await sqs.receiveMessages(dlq.queueArn, { maxNumberOfMessages: 1 });
  assert.equal(dead?.messageId, messageId);
  assert.equal(dead?.body, 'poison');
  assert.deepEqual(dead?.messageAttributes, { kind: { dataType: 'String', stringValue: 'bad' } });
  assert.equal(dead?.attributes.DeadLetterQueueSourceArn, queueArn);
  assert.equal(sqs.getQueueAttributes(queueArn).ApproximateNumberOfMessages, '0');
});

test('FIFO: per-group order, a group with a message in flight is blocked until deleted or visible', async () => {
  const { sqs, clock } = setup();
  const { queueArn } = await sqs.createQueue('orders.fifo', {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'true',
  });
  const seqs: string[] = [];
  for (const [group, body] of [
    ['a', 'a1'],
    ['a', 'a2'],
    ['b', 'b1'],
    ['a', 'a3'],
  ] as const)
    seqs.push((await sqs.sendMessage(queueArn, body, { messageGroupId: group })).sequenceNumber!);
  assert.deepEqual(
    [...seqs].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)),
    seqs,
  );
  const [a1] = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1, visibilityTimeout: 30 });
  assert.equal(a1?.body, 'a1');
  assert.equal(a1?.attributes.MessageGroupId, 'a');
  assert.equal(a1?.attributes.SequenceNumber, seqs[0]);
  const others = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10, visibilityTimeout: 30 });
  assert.deepEqual(
    others.map((m) => m.body),
    ['b1'],
  );
  await clock.advance(30_000); // a1 and b1 visible again: a1 comes back before a2
  const next = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10, visibilityTimeout: 30 });
  assert.deepEqual(
    next.map((m) => m.body),
    ['a1', 'a2', 'b1', 'a3'],
  );
  let woke = 0;
  sqs.onMessageAvailable(queueArn, () => woke++);
  for (const m of next.slice(0, 2)) await sqs.deleteMessage(queueArn, m.receiptHandle);
  assert.deepEqual(await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10 }), []); // a3 still in flight
});

test('FIFO deduplication: same id within 5 minutes is accepted but not delivered twice', async () => {
  const { sqs, clock } = setup();
  const { queueArn } = await sqs.createQueue('dedup.fifo', { FifoQueue: 'true' });
  await assert.rejects(sqs.sendMessage(queueArn, 'x', { messageGroupId: 'g' }), /ContentBasedDeduplication/);
  await assert.rejects(sqs.sendMessage(queueArn, 'x', { messageDeduplicationId: 'd' }), {
    code: 'MissingParameter',
  });
  const first = await sqs.sendMessage(queueArn, 'one', { messageGroupId: 'g', messageDeduplicationId: 'd1' });
  const dup = await sqs.sendMessage(queueArn, 'other body', {
    messageGroupId: 'g',
    messageDeduplicationId: 'd1',
  });
  assert.equal(dup.messageId, first.messageId);
  assert.equal(dup.sequenceNumber, first.sequenceNumber);
  const [m] = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 10 });
  await sqs.deleteMessage(queueArn, m!.receiptHandle);
  await clock.advance(4 * 60_000);
  assert.equal(
    (await sqs.sendMessage(queueArn, 'one', { messageGroupId: 'g', messageDeduplicationId: 'd1' })).messageId,
    first.messageId,
  );
  await clock.advance(60_000);
  const later = await sqs.sendMessage(queueArn, 'one', { messageGroupId: 'g', messageDeduplicationId: 'd1' });
  assert.notEqual(later.messageId, first.messageId);
  assert.equal(sqs.getQueueAttributes(queueArn).ApproximateNumberOfMessages, '1');

  const cbd = await sqs.createQueue('cbd.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const x = await sqs.sendMessage(cbd.queueArn, 'same', { messageGroupId: 'g1' });
  assert.equal(
    (await sqs.sendMessage(cbd.queueArn, 'same', { messageGroupId: 'g2' })).messageId,
    x.messageId,
  );
  const [got] = await sqs.receiveMessages(cbd.queueArn, { maxNumberOfMessages: 10 });
  assert.match(got!.attributes.MessageDeduplicationId!, /^[0-9a-f]{64}$/);
});

test('long polling resolves on send and returns empty when the wait ends', async () => {
  const { sqs, clock } = setup();
  const { queueArn } = await sqs.createQueue('poll');
  const waiting = sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1, waitTimeSeconds: 20 });
  await clock.advance(5_000);
  await sqs.sendMessage(queueArn, 'arrived');
  assert.deepEqual(
    (await waiting).map((m) => m.body),
    ['arrived'],
  );
  const empty = sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1, waitTimeSeconds: 20 });
  await clock.advance(20_000);
  assert.deepEqual(await empty, []);
});

test('createQueue is idempotent with the same attributes; QueueNameExists otherwise', async () => {
  const { sqs } = setup();
  const a = await sqs.createQueue('same', { VisibilityTimeout: '40' });
  assert.deepEqual(await sqs.createQueue('same', { VisibilityTimeout: '40' }), a);
  assert.deepEqual(await sqs.createQueue('same'), a);
  await assert.rejects(sqs.createQueue('same', { VisibilityTimeout: '41' }), { shape: 'QueueNameExists' });
  await assert.rejects(sqs.createQueue('x.fifo'), { code: 'InvalidParameterValue' });
  await assert.rejects(sqs.createQueue('bad name'), { code: 'InvalidParameterValue' });
  await assert.rejects(sqs.createQueue('v', { VisibilityTimeout: '43201' }), {
    shape: 'InvalidAttributeValue',
  });
  await assert.rejects(sqs.createQueue('v', { ContentBasedDeduplication: 'true' }), {
    shape: 'InvalidAttributeName',
  });
  assert.equal(sqs.queueArn('same'), 'arn:aws:sqs:us-east-1:123456789012:same');
  assert.equal(sqs.queueArn('https://sqs.us-east-1.amazonaws.com/123456789012/same'), a.queueArn);
  assert.equal(sqs.queueUrl(a.queueArn), 'http://127.0.0.1:4566/123456789012/same');
});

test('persistence: a new instance over the same store has the queues and undeleted messages; in-flight ones are visible again', async () => {
  const store = createMemoryStore();
  const clock = new FakeClock();
  const first = setup(store, clock).sqs;
  const dlq = await first.createQueue('p-dlq');
  const { queueArn } = await first.createQueue('p', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 5 }),
  });
  await first.sendMessage(queueArn, 'kept', {
    messageAttributes: { bin: { dataType: 'Binary', binaryValue: new Uint8Array([0, 1, 255]) } },
  });
  await first.sendMessage(queueArn, 'deleted');
  await first.sendMessage(queueArn, 'delayed', { delaySeconds: 60 });
  const received = await first.receiveMessages(queueArn, { maxNumberOfMessages: 10, visibilityTimeout: 600 });
  assert.equal(received.length, 2);
  await first.deleteMessage(queueArn, received.find((m) => m.body === 'deleted')!.receiptHandle);
  const fifo = await first.createQueue('p.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const f1 = await first.sendMessage(fifo.queueArn, 'f', { messageGroupId: 'g' });
  await first.close?.();

  const second = setup(store, clock).sqs;
  assert.equal(second.queueArn('p'), queueArn);
  const attrs = second.getQueueAttributes(queueArn);
  assert.equal(attrs.ApproximateNumberOfMessages, '1');
  assert.equal(attrs.ApproximateNumberOfMessagesDelayed, '1');
  assert.equal((JSON.parse(attrs.RedrivePolicy!) as { maxReceiveCount: number }).maxReceiveCount, 5);
  const [kept] = await second.receiveMessages(queueArn, { maxNumberOfMessages: 10, visibilityTimeout: 600 });
  assert.equal(kept?.body, 'kept');
  assert.equal(kept?.attributes.ApproximateReceiveCount, '2');
  assert.deepEqual([...kept.messageAttributes.bin!.binaryValue!], [0, 1, 255]);
  await clock.advance(60_000);
  assert.deepEqual(
    (await second.receiveMessages(queueArn, { maxNumberOfMessages: 10 })).map((m) => m.body),
    ['delayed'],
  );
  // FIFO dedup window and sequence numbers survive too.
  assert.equal(
    (await second.sendMessage(fifo.queueArn, 'f', { messageGroupId: 'g' })).messageId,
    f1.messageId,
  );
  const f2 = await second.sendMessage(fifo.queueArn, 'f2', { messageGroupId: 'g' });
  assert.ok(BigInt(f2.sequenceNumber!) > BigInt(f1.sequenceNumber!));
  await second.close?.();
});

test('purge empties the queue and refuses a second purge within 60 s', async () => {
  const clock = new FakeClock();
  const state = new SqsState(testContext(createMemoryStore(), clock));
  const q = await state.createQueue('purge');
  await state.send(q, [{ body: 'a' }, { body: 'b' }]);
  await state.purge(q);
  assert.equal(state.attributes(q).ApproximateNumberOfMessages, '0');
  await assert.rejects(state.purge(q), { shape: 'PurgeQueueInProgress' });
  await clock.advance(60_000);
  await state.purge(q);
});

test('sendMessage accepts the SDK attribute shape and keeps the sending caller', async () => {
  const { sqs } = setup();
  const { queueArn } = await sqs.createQueue('shapes');
  const caller = { accessKeyId: 'AKIDFN', functionLogicalId: 'Fn', invocationRequestId: 'r-1' };
  const sent = await sqs.sendMessage(queueArn, 'x', {
    messageAttributes: {
      a: { DataType: 'String', StringValue: 'v' },
      b: { DataType: 'Binary', BinaryValue: Buffer.from([7]) },
    },
    caller,
  });
  const [m] = await sqs.receiveMessages(queueArn, { maxNumberOfMessages: 1 });
  assert.equal(m?.md5OfMessageAttributes, sent.md5OfMessageAttributes);
  assert.deepEqual(m?.messageAttributes.a, { dataType: 'String', stringValue: 'v' });
  assert.equal(m?.attributes.SenderId, 'AKIDFN');
  assert.deepEqual(m?.caller, caller);
});
