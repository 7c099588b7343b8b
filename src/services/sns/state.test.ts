import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../shared/clock.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { ServiceContext, ServiceEvent } from '../types.ts';
import { SnsState } from './state.ts';

function context(store = createMemoryStore()): { ctx: ServiceContext; events: ServiceEvent[] } {
  const events: ServiceEvent[] = [];
  return {
    events,
    ctx: {
      region: 'eu-west-1',
      accountId: '111122223333',
      clock: systemClock,
      store,
      endpointUrl: () => 'http://127.0.0.1:4566',
      emit: (e) => events.push(e),
      log: () => undefined,
    },
  };
}

test('topics and subscriptions survive a restart on the same store', async () => {
  const store = createMemoryStore();
  const a = new SnsState(context(store).ctx);
  const topic = await a.createTopic('t', { DisplayName: 'T' });
  const sub = await a.subscribe(topic.Arn, 'sqs', 'arn:aws:sqs:eu-west-1:111122223333:q', {
    FilterPolicy: '{"k":["v"]}',
  });
  const second = context(store);
  const b = new SnsState(second.ctx);
  assert.equal(b.getTopic(topic.Arn).Attributes.DisplayName, 'T');
  assert.equal(b.getSubscription(sub.SubscriptionArn).Attributes.FilterPolicy, '{"k":["v"]}');
  b.publish(topic.Arn, 'm', { messageAttributes: { k: { DataType: 'String', StringValue: 'v' } } });
  b.publish(topic.Arn, 'm', { messageAttributes: { k: { DataType: 'String', StringValue: 'w' } } });
  assert.equal(second.events.length, 1);
  await b.deleteTopic(topic.Arn);
  assert.equal(b.listSubscriptions().length, 0, 'deleting a topic removes its subscriptions');
  const c = new SnsState(context(store).ctx);
  assert.equal(c.listTopics().length, 0);
});

test('internal API publish: caller is passed through; ARNs use the configured region and account', async () => {
  const { ctx, events } = context();
  const s = new SnsState(ctx);
  const topic = await s.createTopic('internal');
  assert.equal(topic.Arn, 'arn:aws:sns:eu-west-1:111122223333:internal');
  await s.subscribe(topic.Arn, 'lambda', 'arn:aws:lambda:eu-west-1:111122223333:function:f');
  s.publish(topic.Arn, 'hello', {}, { accessKeyId: 'AKIAFN', functionLogicalId: 'Fn' });
  assert.equal(events[0]?.caller?.functionLogicalId, 'Fn');
  assert.equal(events[0]?.resourceArn, topic.Arn);
});
