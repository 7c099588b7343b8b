import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, validatePattern } from './event-pattern.ts';

// The EC2 example event the EventBridge docs use throughout "Event patterns".
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'source-ip': '10.0.0.123',
    'c-count': 5,
    'd-count': 1,
    'x-limit': 301.8,
    'is-enabled': true,
    location: null,
    filename: 'report.PNG',
  },
};

const matches = (pattern: unknown, event: unknown = ec2Event): boolean => compilePattern(pattern)(event);

test('exact strings, AND across keys, OR within an array', () => {
  assert.equal(matches({ source: ['aws.ec2'] }), true);
  assert.equal(matches({ source: ['aws.s3'] }), false);
  assert.equal(matches({ source: ['aws.s3', 'aws.ec2'] }), true);
  assert.equal(
    matches({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }),
    true,
  );
  assert.equal(matches({ source: ['aws.ec2'], 'detail-type': ['other'] }), false);
  assert.equal(matches({ source: ['AWS.EC2'] }), false, 'case-sensitive');
});

test('nested objects follow the event structure; missing fields never match a value', () => {
  assert.equal(matches({ detail: { state: ['terminated'] } }), true);
  assert.equal(matches({ detail: { state: ['running'] } }), false);
  assert.equal(matches({ detail: { nothere: ['x'] } }), false);
  assert.equal(matches({ nothere: { state: ['terminated'] } }), false);
  assert.equal(matches({ detail: ['terminated'] }), false, 'an object is not a leaf value');
});

test('numbers compare numerically, literals true/false/null by type', () => {
  assert.equal(matches({ detail: { 'c-count': [5] } }), true);
  assert.equal(matches({ detail: { 'c-count': [5.0] } }), true);
  assert.equal(matches({ detail: { 'c-count': ['5'] } }), false);
  assert.equal(matches({ detail: { 'is-enabled': [true] } }), true);
  assert.equal(matches({ detail: { 'is-enabled': ['true'] } }), false);
  assert.equal(matches({ detail: { location: [null] } }), true);
  assert.equal(matches({ detail: { state: [null] } }), false);
});

test('empty string matches an empty value only', () => {
  assert.equal(matches({ detail: { name: [''] } }, { detail: { name: '' } }), true);
  assert.equal(matches({ detail: { name: [''] } }, { detail: { name: 'x' } }), false);
});

test('prefix, prefix ignoring case', () => {
  assert.equal(matches({ time: [{ prefix: '2017-12-22' }] }), true);
  assert.equal(matches({ time: [{ prefix: '2018' }] }), false);
  assert.equal(matches({ detail: { 'c-count': [{ prefix: '5' }] } }), false, 'strings only');
  const p = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
  assert.equal(matches(p, { detail: { service: 'eventbridge' } }), true);
  assert.equal(matches(p, { detail: { service: 'EVENTBUS' } }), true);
  assert.equal(matches(p, { detail: { service: 'events' } }), false);
});

test('suffix, suffix ignoring case', () => {
  assert.equal(matches({ detail: { filename: [{ suffix: '.PNG' }] } }), true);
  assert.equal(matches({ detail: { filename: [{ suffix: '.png' }] } }), false);
  assert.equal(matches({ detail: { filename: [{ suffix: { 'equals-ignore-case': '.png' } }] } }), true);
});

test('equals-ignore-case', () => {
  assert.equal(matches({ detail: { state: [{ 'equals-ignore-case': 'TERMINATED' }] } }), true);
  assert.equal(matches({ detail: { state: [{ 'equals-ignore-case': 'running' }] } }), false);
});

test('anything-but: string, number, lists', () => {
  assert.equal(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }), true);
  assert.equal(matches({ detail: { state: [{ 'anything-but': 'terminated' }] } }), false);
  assert.equal(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }), true);
  assert.equal(matches({ detail: { 'c-count': [{ 'anything-but': 5 }] } }), false);
  assert.equal(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }), true);
  assert.equal(matches({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }), false);
  assert.equal(matches({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }), true);
  assert.equal(matches({ detail: { missing: [{ 'anything-but': 'x' }] } }), false, 'absent never matches');
});

test('anything-but: prefix, suffix, equals-ignore-case, wildcard', () => {
  assert.equal(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }), true);
  assert.equal(matches({ detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }), false);
  assert.equal(matches({ detail: { filename: [{ 'anything-but': { suffix: '.txt' } }] } }), true);
  assert.equal(matches({ detail: { filename: [{ 'anything-but': { suffix: '.PNG' } }] } }), false);
  assert.equal(
    matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'TERMINATED' } }] } }),
    false,
  );
  assert.equal(
    matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Running'] } }] } }),
    true,
  );
  const wild = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
  assert.equal(matches(wild, { FilePath: '/usr/lib/x.so' }), false);
  assert.equal(matches(wild, { FilePath: '/usr/bin/x' }), true);
  const wilds = { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] };
  assert.equal(matches(wilds, { FilePath: '/usr/bin/x' }), false);
  assert.equal(matches(wilds, { FilePath: '/home/x' }), true);
});

test('numeric comparisons and ranges', () => {
  const p = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  assert.equal(matches(p), true);
  assert.equal(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } }), false);
  assert.equal(matches({ detail: { 'c-count': [{ numeric: ['>=', 5] }] } }), true);
  assert.equal(matches({ detail: { 'c-count': [{ numeric: ['<', 5] }] } }), false);
  assert.equal(matches({ detail: { 'c-count': [{ numeric: ['<=', 5] }] } }), true);
  assert.equal(matches({ detail: { state: [{ numeric: ['>', 0] }] } }), false, 'numbers only');
  assert.equal(matches({ n: [{ numeric: ['>', -1e9, '<', 1e9] }] }, { n: -5e8 }), true);
});

test('exists: true/false; only leaf nodes exist', () => {
  assert.equal(matches({ detail: { state: [{ exists: true }] } }), true);
  assert.equal(matches({ detail: { nothere: [{ exists: true }] } }), false);
  assert.equal(matches({ detail: { nothere: [{ exists: false }] } }), true);
  assert.equal(matches({ detail: { state: [{ exists: false }] } }), false);
  assert.equal(matches({ detail: { location: [{ exists: true }] } }), true, 'null is a value');
  assert.equal(matches({ detail: [{ exists: true }] }), false, 'intermediate nodes are not leaves');
  assert.equal(matches({ nothere: { deeper: [{ exists: false }] } }), true);
  assert.equal(matches({ a: [{ exists: false }] }, { a: [] }), true, 'an empty array holds no value');
  assert.equal(matches({ a: [{ exists: false }, 'x'] }, { a: 'x' }), true);
});

test('wildcard', () => {
  const p = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
  assert.equal(matches(p, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myBus' }), true);
  assert.equal(matches(p, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/myBus' }), false);
  assert.equal(matches({ f: [{ wildcard: 'dir/*.png' }] }, { f: 'dir/a/b.png' }), true);
  assert.equal(matches({ f: [{ wildcard: 'a\\*b' }] }, { f: 'a*b' }), true);
  assert.equal(matches({ f: [{ wildcard: 'a\\*b' }] }, { f: 'axb' }), false);
  assert.equal(matches({ f: [{ wildcard: 'a.c' }] }, { f: 'abc' }), false, 'dot is literal');
  assert.equal(matches({ f: [{ wildcard: '*' }] }, { f: '' }), true);
});

test('cidr: IPv4 and IPv6', () => {
  assert.equal(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }), true);
  assert.equal(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }), false);
  assert.equal(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::1' }), true);
  assert.equal(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }), false);
  assert.equal(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'not-an-ip' }), false);
});

test('arrays in the event: any element matches', () => {
  assert.equal(
    matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }),
    true,
  );
  const ev = { resources: ['a', 'b', 'c'] };
  assert.equal(matches({ resources: ['c', 'z'] }, ev), true);
  assert.equal(matches({ resources: ['z'] }, ev), false);
  assert.equal(matches({ resources: [{ prefix: 'b' }] }, ev), true);
  assert.equal(matches({ n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 30] }), true);
});

test('arrays of objects: one pattern object matches within one element', () => {
  const ev = {
    detail: {
      items: [
        { type: 'a', size: 1 },
        { type: 'b', size: 2 },
      ],
    },
  };
  assert.equal(matches({ detail: { items: { type: ['b'], size: [2] } } }, ev), true);
  assert.equal(matches({ detail: { items: { type: ['a'], size: [2] } } }, ev), false);
  assert.equal(matches({ detail: { items: { type: ['c'] } } }, ev), false);
});

test('$or at the top level and nested, with other keys ANDed', () => {
  const p = {
    source: ['aws.ec2'],
    $or: [{ 'detail-type': ['nope'] }, { detail: { state: ['terminated'] } }],
  };
  assert.equal(matches(p), true);
  const nested = {
    detail: {
      $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
    },
  };
  assert.equal(matches(nested), true);
  const none = { detail: { $or: [{ 'c-count': [99] }, { 'd-count': [99] }] } };
  assert.equal(matches(none), false);
  const multi = {
    detail: { $or: [{ a: ['1'] }, { $or: [{ b: ['2'] }, { state: ['terminated'] }] }] },
  };
  assert.equal(matches(multi), true);
});

test('compiles a JSON string pattern; matches any JSON value event', () => {
  const m = compilePattern('{"body":{"temp":[{"numeric":[">",30]}]}}');
  assert.equal(m({ body: { temp: 31 } }), true);
  assert.equal(m({ body: { temp: 30 } }), false);
  assert.equal(m('a string'), false);
  assert.equal(m(null), false);
  assert.equal(compilePattern({ a: [{ exists: false }] })(42), true);
});

test('validatePattern names the invalid part', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['{not json', /not valid JSON/],
    [[], /must be a JSON object/],
    [{}, /empty objects/],
    [{ source: 'aws.ec2' }, /"source": match value must be an array/],
    [{ source: [] }, /"source": empty arrays/],
    [{ source: [['a']] }, /"source\[0\]": nested arrays/],
    [{ detail: { n: [{ numeric: ['>'] }] } }, /"detail.n\[0\]": numeric/],
    [{ n: [{ numeric: ['!=', 1] }] }, /unrecognised numeric operator/],
    [{ n: [{ numeric: ['<', 5, '>', 1] }] }, /range starts with/],
    [{ n: [{ numeric: ['>', 5, '<', 1] }] }, /bottom must be less/],
    [{ n: [{ numeric: ['>', '5'] }] }, /must be a number/],
    [{ n: [{ prefix: 5 }] }, /prefix match pattern must be a string/],
    [{ n: [{ prefix: { nope: 'x' } }] }, /equals-ignore-case/],
    [{ n: [{ exists: 'yes' }] }, /exists must be true or false/],
    [{ n: [{ 'anything-but': ['a', 1] }] }, /only strings or only numbers/],
    [{ n: [{ 'anything-but': { nope: 'a' } }] }, /unsupported anything-but/],
    [{ n: [{ wildcard: 'a**b' }] }, /consecutive wildcard/],
    [{ n: [{ cidr: '10.0.0.0/33' }] }, /nonstandard IP/],
    [{ n: [{ cidr: 'bogus' }] }, /nonstandard IP/],
    [{ n: [{ nope: 1 }] }, /unrecognised match type nope/],
    [{ n: [{ prefix: 'a', suffix: 'b' }] }, /exactly one key/],
    [{ $or: [{ a: ['1'] }] }, /\$or must be an array of at least two/],
    [{ $or: [{ a: ['1'] }, 'x'] }, /each \$or alternative must be an object/],
    [{ n: [Infinity] }, /finite/],
  ];
  for (const [pattern, re] of bad) assert.throws(() => validatePattern(pattern), re, JSON.stringify(pattern));
  validatePattern({ source: ['aws.ec2'], detail: { state: [{ 'anything-but': { prefix: 'x' } }] } });
});
