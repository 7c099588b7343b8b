import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import { createEventBridgeService, type EventBridgeService, type RuleMatchedDetail } from './index.ts';

const run = promisify(execFile);
let served: ServedService<EventBridgeService>;
let eb: EventBridgeClient;
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:fn';

before(async () => {
  served = await serveService(createEventBridgeService);
  eb = new EventBridgeClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
after(async () => {
  eb.destroy();
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

test('event buses: default always exists; create, describe, list, delete', async () => {
  const def = await eb.send(new DescribeEventBusCommand({}));
  assert.equal(def.Name, 'default');
  assert.equal(def.Arn, 'arn:aws:events:us-east-1:123456789012:event-bus/default');
  const created = await eb.send(new CreateEventBusCommand({ Name: 'orders', Description: 'shop' }));
  assert.equal(created.EventBusArn, 'arn:aws:events:us-east-1:123456789012:event-bus/orders');
  assert.equal(
    await code(eb.send(new CreateEventBusCommand({ Name: 'orders' }))),
    'ResourceAlreadyExistsException',
  );
  const d = await eb.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
  assert.equal(d.Description, 'shop');
  assert.ok(d.CreationTime instanceof Date);
  const list = await eb.send(new ListEventBusesCommand({}));
  assert.deepEqual(
    list.EventBuses?.map((b) => b.Name),
    ['default', 'orders'],
  );
  assert.equal(await code(eb.send(new DeleteEventBusCommand({ Name: 'default' }))), 'ValidationException');
  await eb.send(new CreateEventBusCommand({ Name: 'temp' }));
  await eb.send(new DeleteEventBusCommand({ Name: 'temp' }));
  assert.equal(
    await code(eb.send(new DescribeEventBusCommand({ Name: 'temp' }))),
    'ResourceNotFoundException',
  );
});

test('rules: put, describe, list, enable/disable, delete needs targets removed first', async () => {
  const pattern = JSON.stringify({ source: ['my.app'] });
  const put = await eb.send(new PutRuleCommand({ Name: 'r1', EventPattern: pattern, Description: 'd' }));
  assert.equal(put.RuleArn, 'arn:aws:events:us-east-1:123456789012:rule/r1');
  const described = await eb.send(new DescribeRuleCommand({ Name: 'r1' }));
  assert.equal(described.State, 'ENABLED');
  assert.equal(described.EventPattern, pattern);
  assert.equal(described.EventBusName, 'default');
  await eb.send(new DisableRuleCommand({ Name: 'r1' }));
  assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'r1' }))).State, 'DISABLED');
  await eb.send(new EnableRuleCommand({ Name: 'r1' }));
  await eb.send(new PutRuleCommand({ Name: 'r2', ScheduleExpression: 'rate(1 day)', State: 'DISABLED' }));
  const rules = await eb.send(new ListRulesCommand({ NamePrefix: 'r' }));
  assert.deepEqual(
    rules.Rules?.map((r) => [r.Name, r.State]),
    [
      ['r1', 'ENABLED'],
      ['r2', 'DISABLED'],
    ],
  );
  const paged = await eb.send(new ListRulesCommand({ NamePrefix: 'r', Limit: 1 }));
  assert.equal(paged.Rules?.length, 1);
  const rest = await eb.send(new ListRulesCommand({ NamePrefix: 'r', NextToken: paged.NextToken }));
  assert.deepEqual(
    rest.Rules?.map((r) => r.Name),
    ['r2'],
  );

  await eb.send(new PutTargetsCommand({ Rule: 'r1', Targets: [{ Id: 't1', Arn: LAMBDA }] }));
  assert.equal(await code(eb.send(new DeleteRuleCommand({ Name: 'r1' }))), 'ValidationException');
  const removed = await eb.send(new RemoveTargetsCommand({ Rule: 'r1', Ids: ['t1'] }));
  assert.equal(removed.FailedEntryCount, 0);
  await eb.send(new DeleteRuleCommand({ Name: 'r1' }));
  await eb.send(new DeleteRuleCommand({ Name: 'r2' }));
  assert.equal(await code(eb.send(new DescribeRuleCommand({ Name: 'r1' }))), 'ResourceNotFoundException');
});

test('PutRule validation errors carry AWS codes', async () => {
  assert.equal(
    await code(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"x"}' }))),
    'InvalidEventPatternException',
  );
  assert.equal(
    await code(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: 'nope' }))),
    'InvalidEventPatternException',
  );
  assert.equal(
    await code(eb.send(new PutRuleCommand({ Name: 'bad', ScheduleExpression: 'rate(5 minute)' }))),
    'ValidationException',
  );
  assert.equal(await code(eb.send(new PutRuleCommand({ Name: 'bad' }))), 'ValidationException');
  assert.equal(
    await code(
      eb.send(new PutRuleCommand({ Name: 'bad', EventBusName: 'orders', ScheduleExpression: 'rate(1 day)' })),
    ),
    'ValidationException',
  );
  assert.equal(
    await code(
      eb.send(new PutRuleCommand({ Name: 'bad', EventBusName: 'nobus', EventPattern: '{"a":[1]}' })),
    ),
    'ResourceNotFoundException',
  );
  assert.equal(
    await code(eb.send(new PutTargetsCommand({ Rule: 'missing', Targets: [{ Id: 'x', Arn: LAMBDA }] }))),
    'ResourceNotFoundException',
  );
  try {
    await eb.send(
      new PutRuleCommand({ Name: 'bad', EventPattern: '{"detail":{"n":[{"numeric":["!",1]}]}}' }),
    );
    assert.fail('expected an error');
  } catch (err) {
    assert.match((err as Error).message, /Event pattern is not valid\. Reason: "detail\.n\[0\]"/);
  }
});

test('PutEvents: event envelope, per-target input (Input, InputPath, InputTransformer), failed entries', async () => {
  await eb.send(
    new PutRuleCommand({
      Name: 'orders-big',
      EventBusName: 'orders',
      EventPattern: JSON.stringify({ source: ['shop'], detail: { total: [{ numeric: ['>=', 100] }] } }),
    }),
  );
  const targets = await eb.send(
    new PutTargetsCommand({
      Rule: 'orders-big',
      EventBusName: 'orders',
      Targets: [
        {
          Id: 'whole',
          Arn: LAMBDA,
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
        },
        { Id: 'const', Arn: LAMBDA, Input: '{"fixed":true}' },
        { Id: 'path', Arn: LAMBDA, InputPath: '$.detail.total' },
        {
          Id: 'tx',
          Arn: LAMBDA,
          InputTransformer: {
            InputPathsMap: { t: '$.detail.total', s: '$.source' },
            InputTemplate: '{"total": <t>, "msg": "from <s>"}',
          },
        },
      ],
    }),
  );
  assert.equal(targets.FailedEntryCount, 0);
  const listed = await eb.send(new ListTargetsByRuleCommand({ Rule: 'orders-big', EventBusName: 'orders' }));
  assert.deepEqual(
    listed.Targets?.map((t) => t.Id),
    ['whole', 'const', 'path', 'tx'],
  );
  assert.equal(listed.Targets?.[3]?.InputTransformer?.InputTemplate, '{"total": <t>, "msg": "from <s>"}');

  served.events.length = 0;
  const time = new Date('2024-05-01T12:34:56Z');
  const out = await eb.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'shop',
          DetailType: 'OrderPlaced',
          Detail: '{"total":120}',
          EventBusName: 'orders',
          Resources: ['arn:r'],
          Time: time,
        },
        { Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"total":10}', EventBusName: 'orders' },
        { Source: 'shop', DetailType: 'OrderPlaced', Detail: '[1,2]', EventBusName: 'orders' },
        { Source: 'shop', DetailType: 'OrderPlaced', EventBusName: 'orders' },
        { Source: 'shop', DetailType: 'OrderPlaced', Detail: '{}', EventBusName: 'nobus' },
      ],
    }),
  );
  assert.equal(out.FailedEntryCount, 3);
  assert.match(out.Entries?.[0]?.EventId ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(out.Entries?.[1]?.EventId);
  assert.equal(out.Entries?.[2]?.ErrorCode, 'MalformedDetail');
  assert.equal(out.Entries?.[3]?.ErrorCode, 'InvalidArgument');
  assert.equal(out.Entries?.[4]?.ErrorCode, 'ResourceNotFoundException');

  assert.equal(served.events.length, 4);
  const details = served.events.map((e) => e.detail as unknown as RuleMatchedDetail);
  const ev = details[0]?.event;
  assert.deepEqual(ev, {
    version: '0',
    id: out.Entries?.[0]?.EventId,
    'detail-type': 'OrderPlaced',
    source: 'shop',
    account: '123456789012',
    time: '2024-05-01T12:34:56Z',
    region: 'us-east-1',
    resources: ['arn:r'],
    detail: { total: 120 },
  });
  assert.equal(served.events[0]?.source, 'events');
  assert.equal(served.events[0]?.type, 'RuleMatched');
  assert.equal(served.events[0]?.resourceArn, 'arn:aws:events:us-east-1:123456789012:rule/orders/orders-big');
  assert.equal(served.events[0]?.caller?.accessKeyId, 'test');
  assert.deepEqual(
    details.map((d) => d.input),
    [JSON.stringify(ev), '{"fixed":true}', '120', '{"total": 120, "msg": "from shop"}'],
  );
  assert.deepEqual(details[0]?.retryPolicy, { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 });
  assert.equal(details[0]?.deadLetterArn, 'arn:aws:sqs:us-east-1:123456789012:dlq');
  assert.equal(details[1]?.deadLetterArn, undefined);
  assert.equal(details[0]?.targetArn, LAMBDA);
  assert.equal(details[0]?.busArn, 'arn:aws:events:us-east-1:123456789012:event-bus/orders');

  assert.equal(
    await code(
      eb.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' })),
        }),
      ),
    ),
    'ValidationException',
  );
  const big = await eb.send(
    new PutEventsCommand({
      Entries: [{ Source: 's', DetailType: 'd', Detail: JSON.stringify({ x: 'a'.repeat(1024 * 1024) }) }],
    }),
  );
  assert.equal(big.FailedEntryCount, 1);
  const ok = await eb.send(
    new PutEventsCommand({
      Entries: [{ Source: 's', DetailType: 'd', Detail: JSON.stringify({ x: 'a'.repeat(512 * 1024) }) }],
    }),
  );
  assert.equal(ok.FailedEntryCount, 0, '512 KB fits in the 1 MB limit');
});

test('PutTargets validation: bad Input, bad InputPath, more than 5 targets', async () => {
  await eb.send(new PutRuleCommand({ Name: 'tv', EventPattern: '{"source":["x"]}' }));
  assert.equal(
    await code(
      eb.send(new PutTargetsCommand({ Rule: 'tv', Targets: [{ Id: 'a', Arn: LAMBDA, Input: 'not json' }] })),
    ),
    'ValidationException',
  );
  assert.equal(
    await code(
      eb.send(
        new PutTargetsCommand({ Rule: 'tv', Targets: [{ Id: 'a', Arn: LAMBDA, InputPath: 'detail' }] }),
      ),
    ),
    'ValidationException',
  );
  const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: LAMBDA }));
  assert.equal(
    await code(eb.send(new PutTargetsCommand({ Rule: 'tv', Targets: six }))),
    'LimitExceededException',
  );
});

test('TestEventPattern', async () => {
  const event = JSON.stringify({
    id: '1',
    account: '123456789012',
    source: 'aws.ec2',
    time: '2024-01-01T00:00:00Z',
    region: 'us-east-1',
    'detail-type': 'x',
    resources: [],
    detail: { state: 'running' },
  });
  const yes = await eb.send(
    new TestEventPatternCommand({ EventPattern: '{"detail":{"state":[{"prefix":"run"}]}}', Event: event }),
  );
  assert.equal(yes.Result, true);
  const no = await eb.send(
    new TestEventPatternCommand({ EventPattern: '{"source":["aws.s3"]}', Event: event }),
  );
  assert.equal(no.Result, false);
  assert.equal(
    await code(eb.send(new TestEventPatternCommand({ EventPattern: '{"source":"x"}', Event: event }))),
    'InvalidEventPatternException',
  );
  assert.equal(
    await code(eb.send(new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: '{}' }))),
    'ValidationException',
  );
});

test('aws CLI v1: put-rule, put-targets, put-events', async () => {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', served.endpoint, '--output', 'json', 'events', ...args],
      { env, timeout: 60_000 },
    );
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };
  const rule = await aws('put-rule', '--name', 'cli-rule', '--event-pattern', '{"source":["cli.app"]}');
  assert.equal(rule.RuleArn, 'arn:aws:events:us-east-1:123456789012:rule/cli-rule');
  const targets = await aws(
    'put-targets',
    '--rule',
    'cli-rule',
    '--targets',
    JSON.stringify([{ Id: '1', Arn: LAMBDA }]),
  );
  assert.equal(targets.FailedEntryCount, 0);
  served.events.length = 0;
  const put = await aws(
    'put-events',
    '--entries',
    JSON.stringify([{ Source: 'cli.app', DetailType: 'Hello', Detail: '{"a":1}' }]),
  );
  assert.equal(put.FailedEntryCount, 0);
  assert.equal(served.events.length, 1);
  assert.equal((served.events[0]?.detail as unknown as RuleMatchedDetail).event.source, 'cli.app');
});
