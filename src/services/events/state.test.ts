import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../shared/clock.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { ServiceContext, ServiceEvent } from '../types.ts';
import { EventBridgeState } from './state.ts';
import type { RuleMatchedDetail } from './events.ts';

/** A clock tests move by hand: timers fire in time order as `advance` passes them. */
function fakeClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = seq++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return { cancel: () => timers.delete(id) };
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

function context(clock: Clock, store = createMemoryStore()): { ctx: ServiceContext; events: ServiceEvent[] } {
  const events: ServiceEvent[] = [];
  const ctx: ServiceContext = {
    region: 'us-east-1',
    accountId: '123456789012',
    clock,
    store,
    endpointUrl: () => 'http://127.0.0.1:4566',
    emit: (e) => events.push(e),
    log: () => undefined,
  };
  return { ctx, events };
}

const START = Date.UTC(2024, 2, 5, 10, 0, 20); // Tue 2024-03-05 10:00:20Z

test('rate schedule: first fire one period after creation, then every period; Scheduled Event envelope', async () => {
  const clock = fakeClock(START);
  const { ctx, events } = context(clock);
  const state = new EventBridgeState(ctx);
  await state.putRule({ Name: 'every5', ScheduleExpression: 'rate(5 minutes)' });
  await state.putTargets('every5', [{ Id: 't1', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }]);
  clock.advance(5 * 60_000 - 1);
  assert.equal(events.length, 0);
  clock.advance(1);
  assert.equal(events.length, 1);
  const e = events[0] as ServiceEvent;
  const d = e.detail as unknown as RuleMatchedDetail;
  assert.equal(e.source, 'events');
  assert.equal(e.type, 'RuleMatched');
  assert.equal(e.resourceArn, 'arn:aws:events:us-east-1:123456789012:rule/every5');
  assert.deepEqual(Object.keys(d.event), [
    'version',
    'id',
    'detail-type',
    'source',
    'account',
    'time',
    'region',
    'resources',
    'detail',
  ]);
  assert.equal(d.event['detail-type'], 'Scheduled Event');
  assert.equal(d.event.source, 'aws.events');
  assert.equal(d.event.time, '2024-03-05T10:05:20Z');
  assert.deepEqual(d.event.resources, ['arn:aws:events:us-east-1:123456789012:rule/every5']);
  assert.deepEqual(d.event.detail, {});
  assert.equal(d.input, JSON.stringify(d.event));
  clock.advance(10 * 60_000);
  assert.equal(events.length, 3);
  await state.setRuleState('every5', undefined, 'DISABLED');
  clock.advance(60 * 60_000);
  assert.equal(events.length, 3, 'a disabled rule does not fire');
  state.close();
});

test('cron schedule fires at the matching UTC minutes', async () => {
  const clock = fakeClock(START);
  const { ctx, events } = context(clock);
  const state = new EventBridgeState(ctx);
  await state.putRule({ Name: 'quarter', ScheduleExpression: 'cron(0/15 * * * ? *)' });
  await state.putTargets('quarter', [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' }]);
  clock.advance(60 * 60_000);
  const times = events.map((e) => (e.detail as unknown as RuleMatchedDetail).event.time);
  assert.deepEqual(times, [
    '2024-03-05T10:15:00Z',
    '2024-03-05T10:30:00Z',
    '2024-03-05T10:45:00Z',
    '2024-03-05T11:00:00Z',
  ]);
  state.close();
});

test('schedules and rules survive a restart on the same store; close stops timers', async () => {
  const clock = fakeClock(START);
  const store = createMemoryStore();
  const first = context(clock, store);
  const a = new EventBridgeState(first.ctx);
  await a.createEventBus('orders');
  await a.putRule({ Name: 'hourly', ScheduleExpression: 'rate(1 hour)' });
  await a.putTargets('hourly', [{ Id: 't', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }]);
  await a.putRule({ Name: 'p', EventBusName: 'orders', EventPattern: '{"source":["shop"]}' });
  a.close();
  clock.advance(2 * 60 * 60_000);
  assert.equal(first.events.length, 0, 'closed: no timer fires');
  const second = context(clock, store);
  const b = new EventBridgeState(second.ctx);
  assert.equal(b.getRule('p', 'orders').EventPattern, '{"source":["shop"]}');
  clock.advance(60 * 60_000);
  assert.equal(second.events.length, 1, 'the rate keeps its anchor: next fire at +3h');
  assert.equal((second.events[0]?.detail as unknown as RuleMatchedDetail).event.time, '2024-03-05T13:00:20Z');
  b.close();
});

test('putEvents matches ENABLED rules on the entry bus and emits one RuleMatched per target', async () => {
  const clock = fakeClock(START);
  const { ctx, events } = context(clock);
  const state = new EventBridgeState(ctx);
  await state.ensureBus('orders');
  await state.putRule({
    Name: 'r',
    EventBusName: 'orders',
    EventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}',
  });
  await state.putTargets(
    'r',
    [
      {
        Id: 'a',
        Arn: 'arn:aws:sqs:us-east-1:123456789012:q',
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
        RetryPolicy: { MaximumRetryAttempts: 2 },
      },
      { Id: 'b', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', InputPath: '$.detail' },
    ],
    'orders',
  );
  await state.putRule({
    Name: 'off',
    EventBusName: 'orders',
    EventPattern: '{"source":["shop"]}',
    State: 'DISABLED',
  });
  await state.putTargets('off', [{ Id: 'x', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' }], 'orders');
  const caller = { accessKeyId: 'AKIDFN' };
  const out = state.putEvents(
    [
      { Source: 'shop', DetailType: 'Order', Detail: '{"total":150}', EventBusName: 'orders' },
      { Source: 'shop', DetailType: 'Order', Detail: '{"total":50}', EventBusName: 'orders' },
      { Source: 'shop', DetailType: 'Order', Detail: '{"total":500}' },
    ],
    caller,
  );
  assert.equal(out.FailedEntryCount, 0);
  assert.equal(events.length, 2);
  const [a, b] = events.map((e) => e.detail as unknown as RuleMatchedDetail);
  assert.equal(a?.targetId, 'a');
  assert.equal(a?.deadLetterArn, 'arn:aws:sqs:us-east-1:123456789012:dlq');
  assert.deepEqual(a?.retryPolicy, { MaximumRetryAttempts: 2 });
  assert.equal(a?.busArn, 'arn:aws:events:us-east-1:123456789012:event-bus/orders');
  assert.equal(a?.ruleArn, 'arn:aws:events:us-east-1:123456789012:rule/orders/r');
  assert.equal(b?.input, '{"total":150}');
  assert.equal(a?.event.id, out.Entries[0]?.EventId);
  assert.equal(a?.event.time, '2024-03-05T10:00:20Z');
  assert.deepEqual(events[0]?.caller, caller);
  state.close();
});
