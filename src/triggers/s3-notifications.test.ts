import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixedEnv } from '../events/env.ts';
import { s3Event } from '../events/s3.ts';
import type { ServiceEvent } from '../services/types.ts';
import { createTraceLog } from '../trace/index.ts';
import type { S3NotificationConfiguration } from './ports.ts';
import {
  S3_NOTIFICATION_SUBJECT,
  createS3Notifications,
  eventNameMatches,
  keyFilterMatches,
} from './s3-notifications.ts';
import {
  ACCOUNT_ID,
  REGION,
  queueArn,
  recordingAsyncInvoker,
  recordingSinks,
  topicArn,
  testClock,
} from './testing.ts';

const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;

function objectEvent(type: string, key: string, extra: Record<string, unknown> = {}): ServiceEvent {
  return {
    source: 's3',
    type,
    resourceArn: 'arn:aws:s3:::uploads',
    detail: {
      bucket: 'uploads',
      key,
      size: 12,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      sequencer: '0062E99A88DC407460',
      sourceIPAddress: '127.0.0.1',
      requestId: 'C3D13FE58DE4C810',
      ...extra,
    },
    caller: { accessKeyId: 'AKIDHASHFN', functionLogicalId: 'HashFn', invocationRequestId: 'req-1' },
    time: Date.parse('2024-05-01T12:00:00.000Z'),
  };
}

function setup(config: S3NotificationConfiguration | undefined) {
  const sinks = recordingSinks();
  const asyncInvoker = recordingAsyncInvoker();
  const lines: string[] = [];
  const trace = createTraceLog();
  const n = createS3Notifications({
    s3: { getBucketNotificationConfiguration: (b) => (b === 'uploads' ? config : undefined) },
    sinks,
    asyncInvoker,
    clock: testClock,
    log: (l) => lines.push(l),
    trace,
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  return { n, sinks, asyncInvoker, lines, trace };
}

/** Key-for-key, type-for-type; `optional` keys may be missing on our side. */
function shapeProblems(ours: unknown, ref: unknown, path = '', optional: string[] = []): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(ours) !== kind(ref)) return [`${path}: ${kind(ours)} vs ${kind(ref)}`];
  if (Array.isArray(ours))
    return ours.flatMap((o) => shapeProblems(o, (ref as unknown[])[0], `${path}[]`, optional));
  if (kind(ours) !== 'object') return [];
  const [o, r] = [ours as Record<string, unknown>, ref as Record<string, unknown>];
  const problems: string[] = [];
  for (const k of new Set([...Object.keys(o), ...Object.keys(r)])) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in r)) problems.push(`${p}: only ours`);
    else if (!(k in o)) {
      if (!optional.includes(p)) problems.push(`${p}: missing`);
    } else problems.push(...shapeProblems(o[k], r[k], p, optional));
  }
  return problems;
}

/** Every object's keys, in order, as paths: equal lists mean the same keys in the same order. */
function keyOrder(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => keyOrder(x, `${path}[]`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [`${path}.${k}`, ...keyOrder(x, `${path}.${k}`)]);
}

const lambdaConfig: S3NotificationConfiguration = {
  LambdaFunctionConfigurations: [
    { Id: 'testConfigRule', LambdaFunctionArn: fnArn('hash'), Events: ['s3:ObjectCreated:*'] },
  ],
};

test('the record has the shape of AWS sample s3-event.json and of `slipway events s3 put`', async () => {
  const { n, asyncInvoker } = setup(lambdaConfig);
  await n.onEvent(objectEvent('ObjectCreated:Put', 'Happy Face.jpg', { versionId: 'v1' }));
  assert.equal(asyncInvoker.calls.length, 1);
  const event = asyncInvoker.calls[0]!.payload as { Records: Array<Record<string, unknown>> };
  const reference = JSON.parse(
    readFileSync(new URL('../../test/fixtures/aws-events/s3-event.json', import.meta.url), 'utf8'),
  ) as unknown;
  assert.deepEqual(shapeProblems(event, reference), []);
  const generated = s3Event(
    {
      bucket: { name: 'uploads', arn: 'arn:aws:s3:::uploads' },
      key: 'Happy Face.jpg',
      eventName: 'ObjectCreated:Put',
      versionId: 'v1',
    },
    fixedEnv(),
  );
  assert.deepEqual(keyOrder(event), keyOrder(generated));
  const r = event.Records[0]!;
  assert.equal(r.eventVersion, '2.1');
  assert.equal(r.eventSource, 'aws:s3');
  assert.equal(r.awsRegion, REGION);
  assert.equal(r.eventTime, '2024-05-01T12:00:00.000Z');
  assert.equal(r.eventName, 'ObjectCreated:Put');
  assert.deepEqual(r.requestParameters, { sourceIPAddress: '127.0.0.1' });
  assert.equal((r.responseElements as Record<string, string>)['x-amz-request-id'], 'C3D13FE58DE4C810');
  assert.deepEqual(r.s3, {
    s3SchemaVersion: '1.0',
    configurationId: 'testConfigRule',
    bucket: {
      name: 'uploads',
      ownerIdentity: (r.s3 as { bucket: { ownerIdentity: unknown } }).bucket.ownerIdentity,
      arn: 'arn:aws:s3:::uploads',
    },
    object: {
      key: 'Happy+Face.jpg',
      size: 12,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      versionId: 'v1',
      sequencer: '0062E99A88DC407460',
    },
  });
});

test('deletes carry no size or eTag; keys are form-encoded as S3 does', async () => {
  const { n, asyncInvoker } = setup({
    LambdaFunctionConfigurations: [{ LambdaFunctionArn: fnArn('hash'), Events: ['s3:ObjectRemoved:*'] }],
  });
  await n.onEvent(objectEvent('ObjectCreated:Put', 'a.txt'));
  await n.onEvent(objectEvent('ObjectRemoved:Delete', 'dir/a=b ü.txt'));
  assert.equal(asyncInvoker.calls.length, 1);
  const r = (
    asyncInvoker.calls[0]!.payload as {
      Records: Array<{ eventName: string; s3: { configurationId: string; object: unknown } }>;
    }
  ).Records[0]!;
  assert.equal(r.eventName, 'ObjectRemoved:Delete');
  assert.deepEqual(r.s3.object, { key: 'dir/a%3Db+%C3%BC.txt', sequencer: '0062E99A88DC407460' });
  assert.ok(r.s3.configurationId.length > 0, 'a configuration without Id gets a stable one');
});

test('event name matching', () => {
  const table: Array<[string[], string, boolean]> = [
    [['s3:ObjectCreated:*'], 'ObjectCreated:Put', true],
    [['s3:ObjectCreated:*'], 'ObjectCreated:CompleteMultipartUpload', true],
    [['s3:ObjectCreated:*'], 'ObjectRemoved:Delete', false],
    [['s3:ObjectCreated:Put'], 'ObjectCreated:Put', true],
    [['s3:ObjectCreated:Put'], 'ObjectCreated:Copy', false],
    [['s3:ObjectCreated:Post', 's3:ObjectRemoved:*'], 'ObjectRemoved:Delete', true],
    [['s3:ObjectRemoved:Delete'], 'ObjectRemoved:DeleteMarkerCreated', false],
    [['s3:*'], 'ObjectCreated:Put', true],
  ];
  for (const [patterns, type, expected] of table)
    assert.equal(eventNameMatches(patterns, type), expected, `${patterns.join(',')} ${type}`);
});

test('key filter matching: rule names in any case, values case-sensitive, all rules hold', () => {
  const f = (...rules: Array<[string, string]>) => ({
    Key: { FilterRules: rules.map(([Name, Value]) => ({ Name, Value })) },
  });
  const table: Array<[ReturnType<typeof f> | undefined, string, boolean]> = [
    [undefined, 'anything', true],
    [f(['prefix', 'uploads/']), 'uploads/a.jpg', true],
    [f(['Prefix', 'uploads/']), 'uploads/a.jpg', true],
    [f(['prefix', 'uploads/']), 'Uploads/a.jpg', false],
    [f(['suffix', '.jpg']), 'a.JPG', false],
    [f(['SUFFIX', '.jpg']), 'a.jpg', true],
    [f(['prefix', 'in/'], ['suffix', '.csv']), 'in/x.csv', true],
    [f(['prefix', 'in/'], ['suffix', '.csv']), 'out/x.csv', false],
    [f(['prefix', 'in/'], ['suffix', '.csv']), 'in/x.json', false],
    [f(['prefix', 'a b/']), 'a b/c', true],
  ];
  for (const [filter, key, expected] of table)
    assert.equal(keyFilterMatches(filter, key), expected, `${JSON.stringify(filter)} ${key}`);
});

test('queues get the Records JSON, topics the same with S3’s subject; filters choose targets', async () => {
  const { n, sinks, asyncInvoker } = setup({
    LambdaFunctionConfigurations: [
      {
        LambdaFunctionArn: fnArn('images'),
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } },
      },
    ],
    QueueConfigurations: [{ Id: 'q', QueueArn: queueArn('uploads'), Events: ['s3:ObjectCreated:Put'] }],
    TopicConfigurations: [{ Id: 't', TopicArn: topicArn('uploads'), Events: ['s3:ObjectCreated:*'] }],
  });
  await n.onEvent(objectEvent('ObjectCreated:Put', 'notes.txt'));
  assert.equal(asyncInvoker.calls.length, 0);
  assert.equal(sinks.sqsSent.length, 1);
  const body = JSON.parse(sinks.sqsSent[0]!.body) as { Records: Array<{ s3: { configurationId: string } }> };
  assert.equal(body.Records[0]?.s3.configurationId, 'q');
  assert.deepEqual(
    sinks.sqsSent[0]?.options?.caller,
    objectEvent('x', 'y').caller,
    'the chain continues through the queue',
  );
  assert.equal(sinks.snsPublished.length, 1);
  assert.equal(sinks.snsPublished[0]?.options?.subject, S3_NOTIFICATION_SUBJECT);
  assert.equal(
    (JSON.parse(sinks.snsPublished[0].message) as typeof body).Records[0]?.s3.configurationId,
    't',
  );
});

test('a Lambda target is invoked asynchronously with the cause of the caller’s chain', async () => {
  const { n, asyncInvoker, trace } = setup(lambdaConfig);
  trace.recordInvocation({
    requestId: 'req-1',
    functionLogicalId: 'HashFn',
    cause: { eventId: 'root', chain: [], depth: 0 },
    source: 'S3 uploads',
  });
  await n.onEvent(objectEvent('ObjectCreated:Put', 'a.txt'));
  const options = asyncInvoker.calls[0]?.options;
  assert.equal(asyncInvoker.calls[0]?.fn, fnArn('hash'));
  assert.equal(options?.source, 'S3 uploads');
  assert.deepEqual(options?.cause, {
    eventId: 'root',
    chain: [{ functionLogicalId: 'HashFn', requestId: 'req-1', source: 'S3 uploads' }],
    depth: 1,
  });
});

test('EventBridge gets Object Created / Object Deleted from source aws.s3', async () => {
  const { n, sinks } = setup({ EventBridgeConfiguration: {} });
  await n.onEvent(objectEvent('ObjectCreated:CompleteMultipartUpload', 'big.bin', { versionId: 'v2' }));
  await n.onEvent(objectEvent('ObjectRemoved:Delete', 'big.bin', { size: undefined, eTag: undefined }));
  const [created, deleted] = sinks.eventsPut.map((p) => p.entries[0]!);
  assert.equal(created?.Source, 'aws.s3');
  assert.equal(created?.DetailType, 'Object Created');
  assert.deepEqual(created?.Resources, ['arn:aws:s3:::uploads']);
  assert.deepEqual(JSON.parse(created.Detail), {
    version: '0',
    bucket: { name: 'uploads' },
    object: {
      key: 'big.bin',
      size: 12,
      etag: 'd41d8cd98f00b204e9800998ecf8427e',
      'version-id': 'v2',
      sequencer: '0062E99A88DC407460',
    },
    'request-id': 'C3D13FE58DE4C810',
    requester: ACCOUNT_ID,
    'source-ip-address': '127.0.0.1',
    reason: 'CompleteMultipartUpload',
  });
  assert.equal(deleted?.DetailType, 'Object Deleted');
  const d = JSON.parse(deleted.Detail) as Record<string, unknown>;
  assert.equal(d.reason, 'DeleteObject');
  assert.equal(d['deletion-type'], 'Permanently Deleted');
  assert.deepEqual(d.object, { key: 'big.bin', sequencer: '0062E99A88DC407460' });
});

test('s3:TestEvent goes to queues and topics; failures are logged, not thrown', async () => {
  const { n, sinks, lines } = setup({
    ...lambdaConfig,
    QueueConfigurations: [{ QueueArn: queueArn('uploads'), Events: ['s3:ObjectCreated:*'] }],
    TopicConfigurations: [{ TopicArn: topicArn('gone'), Events: ['s3:ObjectCreated:*'] }],
  });
  sinks.failing.add(topicArn('gone'));
  await n.sendTestEvents('uploads');
  const body = JSON.parse(sinks.sqsSent[0]!.body) as Record<string, string>;
  assert.equal(body.Service, 'Amazon S3');
  assert.equal(body.Event, 's3:TestEvent');
  assert.equal(body.Bucket, 'uploads');
  assert.match(body.Time!, /Z$/);
  assert.ok(body.RequestId && body.HostId);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /TestEvent .*uploads.*NonExistentQueue/);
});

test('buckets without configuration and non-object events are ignored', async () => {
  const { n, sinks, asyncInvoker } = setup(undefined);
  await n.onEvent(objectEvent('ObjectCreated:Put', 'a'));
  await n.onEvent({ ...objectEvent('ObjectCreated:Put', 'a'), type: 'BucketCreated' });
  assert.equal(asyncInvoker.calls.length + sinks.sqsSent.length, 0);
});
