import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilterPolicy } from './filter-policy.ts';
import type { MessageAttributeValue } from './state.ts';

const S = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
const N = (v: string): MessageAttributeValue => ({ DataType: 'Number', StringValue: v });
const A = (v: unknown[]): MessageAttributeValue => ({
  DataType: 'String.Array',
  StringValue: JSON.stringify(v),
});

const attrs = (policy: unknown, attributes: Record<string, MessageAttributeValue>): boolean =>
  compileFilterPolicy(JSON.stringify(policy), 'MessageAttributes')('{}', attributes);
const body = (policy: unknown, message: unknown): boolean =>
  compileFilterPolicy(JSON.stringify(policy), 'MessageBody')(
    typeof message === 'string' ? message : JSON.stringify(message),
    {},
  );

// The docs' insurance example attributes.
const quote = {
  customer_interests: A(['soccer', 'rugby', 'hockey']),
  store: S('example_corp'),
  event: S('order_placed'),
  price_usd: N('210.75'),
  encrypted: { DataType: 'Binary', BinaryValue: 'AQID' },
};

test('attribute scope: exact, String.Array any element, numeric on Number attributes', () => {
  assert.equal(attrs({ store: ['example_corp'], event: ['order_placed'] }, quote), true);
  assert.equal(attrs({ customer_interests: ['rugby', 'football'] }, quote), true);
  assert.equal(attrs({ customer_interests: ['baseball'] }, quote), false);
  assert.equal(attrs({ price_usd: [{ numeric: ['>=', 100] }] }, quote), true);
  assert.equal(attrs({ price_usd: [{ numeric: ['>', 0, '<', 100] }] }, quote), false);
  assert.equal(attrs({ price_usd: [210.75] }, quote), true);
  assert.equal(
    attrs({ store: [{ numeric: ['>', 0] }] }, { store: S('5') }),
    false,
    'numeric needs a Number attribute',
  );
  assert.equal(attrs({ encrypted: [{ exists: true }] }, quote), false, 'Binary attributes are not matched');
});

test('attribute scope: prefix, suffix, anything-but, equals-ignore-case, exists, cidr, $or', () => {
  assert.equal(attrs({ event: [{ prefix: 'order-' }] }, { event: S('order-placed') }), true);
  assert.equal(attrs({ event: [{ suffix: '-placed' }] }, { event: S('order-placed') }), true);
  assert.equal(attrs({ store: [{ 'anything-but': ['example_corp', 'other'] }] }, quote), false);
  assert.equal(attrs({ store: [{ 'anything-but': { prefix: 'ex' } }] }, quote), false);
  assert.equal(attrs({ store: [{ 'anything-but': { prefix: 'zz' } }] }, quote), true);
  assert.equal(attrs({ store: [{ 'equals-ignore-case': 'EXAMPLE_CORP' }] }, quote), true);
  assert.equal(attrs({ store: [{ exists: true }] }, quote), true);
  assert.equal(attrs({ coupon: [{ exists: false }] }, quote), true);
  assert.equal(attrs({ coupon: [{ exists: true }] }, quote), false);
  assert.equal(attrs({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: S('10.0.0.42') }), true);
  assert.equal(attrs({ $or: [{ store: ['nope'] }, { event: ['order_placed'] }] }, quote), true);
  assert.equal(attrs({ store: ['example_corp'] }, {}), false, 'no attributes, no match');
});

test('body scope: nested keys, arrays, non-JSON bodies never match', () => {
  const msg = { order: { total: 120, items: [{ sku: 'a' }, { sku: 'b' }] }, kind: 'order' };
  assert.equal(body({ order: { total: [{ numeric: ['>', 100] }] } }, msg), true);
  assert.equal(body({ order: { items: { sku: ['b'] } } }, msg), true);
  assert.equal(body({ kind: ['refund'] }, msg), false);
  assert.equal(body({ kind: ['order'] }, 'not json'), false);
  assert.equal(body({ kind: ['order'] }, '["order"]'), false);
});

test('invalid policies say why', () => {
  assert.throws(() => compileFilterPolicy('{', 'MessageAttributes'), /failed to parse JSON/);
  assert.throws(
    () => compileFilterPolicy('{"a":{"b":["x"]}}', 'MessageAttributes'),
    /nested keys need FilterPolicyScope MessageBody/,
  );
  assert.throws(
    () =>
      compileFilterPolicy(
        '{"a":["x"],"b":["x"],"c":["x"],"d":["x"],"e":["x"],"f":["x"]}',
        'MessageAttributes',
      ),
    /more than 5 keys/,
  );
  assert.throws(() => compileFilterPolicy('{"a":[{"numeric":["<"]}]}', 'MessageAttributes'), /numeric/);
  compileFilterPolicy('{"a":{"b":["x"]}}', 'MessageBody');
});
