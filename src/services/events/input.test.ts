import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventBridgeEvent } from './events.ts';
import { evaluateJsonPath, targetInput, validateTargetInput } from './input.ts';

// The EC2 event of the "Input transformation" docs examples.
const event: EventBridgeEvent = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', count: 3, tags: { a: 'b' } },
};
const ctx = {
  ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/r',
  ruleName: 'r',
  ingestionTime: Date.UTC(2015, 10, 11, 21, 29, 55),
};
const paths = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = paths): string =>
  targetInput({ InputTransformer: { InputPathsMap, InputTemplate } }, event, ctx);

test('no input settings: the whole event as JSON', () => {
  assert.equal(targetInput({}, event, ctx), JSON.stringify(event));
});

test('Input: the constant as given', () => {
  assert.equal(targetInput({ Input: '{"a":1}' }, event, ctx), '{"a":1}');
});

test('InputPath: the selected part as JSON', () => {
  assert.equal(targetInput({ InputPath: '$.detail' }, event, ctx), JSON.stringify(event.detail));
  assert.equal(targetInput({ InputPath: '$.detail.state' }, event, ctx), '"RUNNING"');
  assert.equal(targetInput({ InputPath: '$.resources[0]' }, event, ctx), JSON.stringify(event.resources[0]));
  assert.equal(targetInput({ InputPath: '$' }, event, ctx), JSON.stringify(event));
  assert.equal(targetInput({ InputPath: '$.detail.missing' }, event, ctx), 'null');
});

test('JSONPath subset: dashes, indices, bracket names, wildcards', () => {
  assert.equal(evaluateJsonPath(event, '$.detail.instance-id'), 'i-0123456789');
  assert.equal(evaluateJsonPath(event, "$['detail']['state']"), 'RUNNING');
  assert.deepEqual(evaluateJsonPath({ a: [{ b: 1 }, { b: 2 }] }, '$.a[*].b'), [1, 2]);
  assert.deepEqual(evaluateJsonPath({ a: { x: 1, y: 2 } }, '$.a.*'), [1, 2]);
  assert.throws(() => evaluateJsonPath(event, 'detail'), /must start with \$/);
  assert.throws(() => evaluateJsonPath(event, '$..detail'), /unsupported JSONPath/);
});

test('InputTransformer docs examples: JSON templates quote string values outside quotes', () => {
  assert.equal(
    transform('{"timestamp" : <timestamp>, "instance" : <instance>, "state" : <state>}'),
    '{"timestamp" : "2015-11-11T21:29:54Z", "instance" : "i-0123456789", "state" : "RUNNING"}',
  );
  assert.equal(
    transform('{"instance" : <instance>, "state": [9, <state>, true], "Transformed" : "Yes"}'),
    '{"instance" : "i-0123456789", "state": [9, "RUNNING", true], "Transformed" : "Yes"}',
  );
});

test('InputTransformer: placeholders inside quotes go in as text', () => {
  assert.equal(transform('"instance <instance> is in <state>"'), '"instance i-0123456789 is in RUNNING"');
  assert.equal(
    transform('{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<state>\\""}'),
    '{"myInstance": "i-0123456789","myStatus": "i-0123456789 is in state \\"RUNNING\\""}',
  );
  assert.equal(
    targetInput(
      { InputTransformer: { InputPathsMap: { q: '$.detail.q' }, InputTemplate: '{"text": "said <q>"}' } },
      { ...event, detail: { q: 'he said "hi"\n' } },
      ctx,
    ),
    '{"text": "said he said \\"hi\\"\\n"}',
  );
});

test('InputTransformer: plain-text templates take raw values', () => {
  assert.equal(transform('instance <instance> is in <state>'), 'instance i-0123456789 is in RUNNING');
  assert.equal(transform('<instance> is in state "<state>"'), 'i-0123456789 is in state "RUNNING"');
});

test('InputTransformer: numbers, objects, missing values, unknown placeholders', () => {
  const m = { n: '$.detail.count', o: '$.detail.tags', x: '$.detail.nope' };
  assert.equal(transform('{"n": <n>, "o": <o>, "x": <x>}', m), '{"n": 3, "o": {"a":"b"}, "x": null}');
  assert.equal(transform('{"s": "<n>-<x>"}', m), '{"s": "3-"}');
  assert.equal(transform('a <unknown> b', m), 'a <unknown> b');
});

test('InputTransformer: predefined variables', () => {
  const out = JSON.parse(
    transform(
      '{"arn": <aws.events.rule-arn>, "name": "<aws.events.rule-name>", "t": <aws.events.event.ingestion-time>, "e": <aws.events.event>, "full": <aws.events.event.json>}',
      {},
    ),
  ) as Record<string, unknown>;
  assert.equal(out.arn, ctx.ruleArn);
  assert.equal(out.name, 'r');
  assert.equal(out.t, '2015-11-11T21:29:55.000Z');
  assert.equal((out.e as Record<string, unknown>).detail, undefined);
  assert.equal((out.e as Record<string, unknown>).id, event.id);
  assert.deepEqual(out.full, event);
});

test('validateTargetInput', () => {
  assert.throws(() => validateTargetInput({ Input: '{', InputPath: '$' }), /Only one of/);
  assert.throws(() => validateTargetInput({ Input: 'not json' }), /not valid JSON/);
  assert.throws(() => validateTargetInput({ InputPath: 'detail' }), /must start with \$/);
  assert.throws(() => validateTargetInput({ InputTransformer: { InputTemplate: '' } }), /non-empty/);
  assert.throws(
    () => validateTargetInput({ InputTransformer: { InputPathsMap: { 'aws.x': '$' }, InputTemplate: 'x' } }),
    /key aws.x is not valid/,
  );
  validateTargetInput({ InputTransformer: { InputPathsMap: { a: '$.detail' }, InputTemplate: '<a>' } });
});
