/** Template awareness through a hand-built Project model (no template loading involved). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiModel, FunctionEvent, FunctionModel, Project, ResourceRecord } from '../project/model.ts';
import { generateEventForFunction } from './for-function.ts';
import { fixedEnv, generateEvent, type RawOptions } from './index.ts';

const REGION = 'eu-central-1';
const ACCOUNT = '111122223333';

function resource(
  logicalId: string,
  type: string,
  ref: string,
  attributes: Record<string, string> = {},
  properties = {},
): ResourceRecord {
  return { logicalId, type, ref, attributes, properties, dependsOn: [], generated: false };
}

function fn(logicalId: string, events: FunctionEvent[]): FunctionModel {
  return {
    logicalId,
    resourceType: 'AWS::Serverless::Function',
    functionName: `app-${logicalId}`,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-${logicalId}`,
    runtime: 'nodejs20.x',
    runtimeFamily: 'nodejs',
    handler: 'index.handler',
    packageType: 'Zip',
    timeout: 3,
    memorySize: 128,
    ephemeralStorageMB: 512,
    architectures: ['x86_64'],
    environment: {},
    layers: [],
    events,
    loggingConfig: { logFormat: 'Text' },
    location: { file: 'template.yaml', line: 1, column: 1 },
  };
}

const tableStream = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/app-Orders-ABC/stream/2024-01-01T00:00:00.000`;
const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:app-Jobs-XYZ`;
const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:app-Alerts-XYZ`;

const restApi: ApiModel = {
  logicalId: 'ServerlessRestApi',
  protocol: 'REST',
  implicit: true,
  name: 'app',
  stageName: 'Prod',
  stageVariables: { env: 'test' },
  apiKeyRequired: false,
  authorizers: {},
  binaryMediaTypes: [],
  routes: [
    {
      method: 'GET',
      path: '/users/{id}',
      functionLogicalId: 'GetUser',
      eventId: 'Get',
      payloadFormatVersion: '1.0',
    },
    {
      method: 'ANY',
      path: '/{proxy+}',
      functionLogicalId: 'GetUser',
      eventId: 'Any',
      payloadFormatVersion: '1.0',
    },
  ],
};
const httpApi: ApiModel = {
  ...restApi,
  logicalId: 'ServerlessHttpApi',
  protocol: 'HTTP',
  stageName: '$default',
  stageVariables: {},
  routes: [
    {
      method: 'POST',
      path: '/orders/{orderId}',
      functionLogicalId: 'PostOrder',
      eventId: 'Post',
      payloadFormatVersion: '2.0',
    },
  ],
};

const project: Project = {
  templatePath: '/app/template.yaml',
  projectDir: '/app',
  stackName: 'app',
  region: REGION,
  accountId: ACCOUNT,
  parameters: {},
  functions: new Map(
    [
      fn('GetUser', [
        { id: 'Get', type: 'Api', properties: { Path: '/users/{id}', Method: 'get' } },
        { id: 'Any', type: 'Api', properties: { Path: '/{proxy+}', Method: 'any' } },
      ]),
      fn('PostOrder', [
        { id: 'Post', type: 'HttpApi', properties: { Path: '/orders/{orderId}', Method: 'post' } },
      ]),
      fn('OnUpload', [
        {
          id: 'Upload',
          type: 'S3',
          properties: {
            Bucket: 'app-uploads-abc',
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              S3Key: {
                Rules: [
                  { Name: 'prefix', Value: 'incoming/' },
                  { Name: 'suffix', Value: '.csv' },
                ],
              },
            },
          },
        },
        {
          id: 'Removed',
          type: 'S3',
          properties: { Bucket: 'app-uploads-abc', Events: 's3:ObjectRemoved:*' },
        },
      ]),
      fn('Worker', [{ id: 'Jobs', type: 'SQS', properties: { Queue: queueArn } }]),
      fn('Alerter', [{ id: 'Alerts', type: 'SNS', properties: { Topic: topicArn } }]),
      fn('OrderStream', [
        { id: 'Stream', type: 'DynamoDB', properties: { Stream: tableStream, StartingPosition: 'LATEST' } },
      ]),
      fn('OnOrder', [
        {
          id: 'Rule',
          type: 'EventBridgeRule',
          properties: {
            Pattern: {
              source: ['shop.orders'],
              'detail-type': ['Order Placed'],
              detail: { status: ['NEW'], id: [{ prefix: 'ord-' }] },
            },
          },
        },
      ]),
      fn('Nightly', [
        { id: 'Cron', type: 'Schedule', properties: { Schedule: 'cron(0 3 * * ? *)' } },
        {
          id: 'WithInput',
          type: 'Schedule',
          properties: { Schedule: 'rate(1 day)', Input: '{"job": "cleanup"}' },
        },
      ]),
      fn('Lonely', []),
      fn('Iot', [{ id: 'Thing', type: 'IoTRule', properties: {} }]),
    ].map((f) => [f.logicalId, f]),
  ),
  apis: [restApi, httpApi],
  resources: new Map(
    [
      resource('Uploads', 'AWS::S3::Bucket', 'app-uploads-abc', { Arn: 'arn:aws:s3:::app-uploads-abc' }),
      resource('Jobs', 'AWS::SQS::Queue', `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/app-Jobs-XYZ`, {
        Arn: queueArn,
        QueueName: 'app-Jobs-XYZ',
      }),
      resource('Alerts', 'AWS::SNS::Topic', topicArn, { TopicName: 'app-Alerts-XYZ' }),
      resource('Clicks', 'AWS::Kinesis::Stream', 'app-Clicks-XYZ', {
        Arn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/app-Clicks-XYZ`,
      }),
      resource(
        'Orders',
        'AWS::DynamoDB::Table',
        'app-Orders-ABC',
        { Arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/app-Orders-ABC`, StreamArn: tableStream },
        {
          StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        },
      ),
      resource('ServerlessRestApi', 'AWS::ApiGateway::RestApi', 'abcde12345'),
      resource('NightlyCron', 'AWS::Events::Rule', 'app-NightlyCron-XYZ', {
        Arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/app-NightlyCron-XYZ`,
      }),
    ].map((r) => [r.logicalId, r]),
  ),
  outputs: {},
  warnings: [],
};

type Obj = Record<string, unknown>;
const record = (e: unknown): Obj => (e as { Records: Obj[] }).Records[0]!;
const gen = (source: string, type: string, o: RawOptions = {}): Obj =>
  generateEvent(source, type, o, project, { env: fixedEnv() }) as Obj;
const forFn = (id: string, o: { eventId?: string; options?: RawOptions } = {}) =>
  generateEventForFunction(project, id, o, { env: fixedEnv() });

test("logical ids resolve to the resources' real names and ARNs, and the region and account are the project's", () => {
  const s3 = record(gen('s3', 'put', { bucket: 'Uploads' }));
  assert.equal(s3.awsRegion, REGION);
  assert.deepEqual((s3.s3 as { bucket: Obj }).bucket.name, 'app-uploads-abc');
  assert.equal(
    record(gen('s3', 'put')).s3 && (record(gen('s3', 'put')).s3 as { bucket: Obj }).bucket.name,
    'app-uploads-abc',
    'the only bucket is the default',
  );
  assert.equal(record(gen('sqs', 'receive-message', { queue: 'Jobs' })).eventSourceARN, queueArn);
  assert.equal((record(gen('sns', 'notification', { topic: 'Alerts' })).Sns as Obj).TopicArn, topicArn);
  assert.equal(
    record(gen('kinesis', 'get-records', { stream: 'Clicks' })).eventSourceARN,
    `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/app-Clicks-XYZ`,
  );
  const ddb = record(gen('dynamodb', 'update', { table: 'Orders' }));
  assert.equal(ddb.eventSourceARN, tableStream);
  assert.equal((ddb.dynamodb as Obj).StreamViewType, 'NEW_IMAGE', "the table's StreamSpecification");
  assert.ok(!('OldImage' in (ddb.dynamodb as Obj)));
  assert.equal(
    record(gen('sqs', 'receive-message', { queue: 'literal-queue' })).eventSourceARN,
    `arn:aws:sqs:${REGION}:${ACCOUNT}:literal-queue`,
  );
});

test('the REST API of the template gives the api id, stage, stage variables and the matching route', () => {
  const e = gen('apigateway', 'aws-proxy', { method: 'GET', path: '/users/7' });
  assert.equal(e.resource, '/users/{id}');
  assert.deepEqual(e.pathParameters, { id: '7' });
  assert.deepEqual(e.stageVariables, { env: 'test' });
  const ctx = e.requestContext as Obj;
  assert.equal(ctx.apiId, 'abcde12345');
  assert.equal(ctx.stage, 'Prod');
  assert.throws(
    () => gen('apigateway', 'aws-proxy', { api: 'Nope' }),
    /no AWS::Serverless::Api named 'Nope'/,
  );
});

test('--for an Api function builds its route with sample path parameters, or the given --path', () => {
  const r = forFn('GetUser');
  assert.deepEqual([r.source, r.type, r.eventId], ['apigateway', 'aws-proxy', 'Get']);
  const e = r.event as Obj;
  assert.equal(e.httpMethod, 'GET');
  assert.equal(e.resource, '/users/{id}');
  assert.equal(e.path, '/users/id1');
  assert.deepEqual(e.pathParameters, { id: 'id1' });
  const given = forFn('GetUser', { options: { path: '/users/42' } }).event as Obj;
  assert.deepEqual(given.pathParameters, { id: '42' });
  const any = forFn('GetUser', { eventId: 'Any' }).event as Obj;
  assert.equal(any.resource, '/{proxy+}');
  assert.deepEqual(any.pathParameters, { proxy: 'path/to/resource' });
});

test('--for an HttpApi function builds a payload 2.0 event for its route', () => {
  const e = forFn('PostOrder').event as Obj;
  assert.equal(e.version, '2.0');
  assert.equal(e.routeKey, 'POST /orders/{orderId}');
  assert.deepEqual(e.pathParameters, { orderId: 'orderId1' });
  assert.equal((e.requestContext as { http: Obj }).http.method, 'POST');
});

test('--for an S3 function picks its bucket and a key that passes its filter; removals give s3 delete', () => {
  const put = forFn('OnUpload');
  assert.equal(put.type, 'put');
  const rec = record(put.event);
  const s3 = rec.s3 as { bucket: Obj; object: Obj };
  assert.equal(s3.bucket.name, 'app-uploads-abc');
  assert.equal(s3.bucket.arn, 'arn:aws:s3:::app-uploads-abc');
  assert.equal(s3.object.key, 'incoming/example.csv');
  assert.equal(rec.eventName, 'ObjectCreated:Put');
  assert.throws(
    () => forFn('OnUpload', { options: { key: 'other/x.txt' } }),
    /does not match the trigger's filter/,
  );
  const del = forFn('OnUpload', { eventId: 'Removed' });
  assert.equal(del.type, 'delete');
  assert.equal(record(del.event).eventName, 'ObjectRemoved:Delete');
});

test('--for queue, topic, stream and rule triggers', () => {
  assert.equal(record(forFn('Worker').event).eventSourceARN, queueArn);
  assert.equal((record(forFn('Alerter').event).Sns as Obj).TopicArn, topicArn);
  assert.equal(record(forFn('OrderStream').event).eventSourceARN, tableStream);
  const rule = forFn('OnOrder').event as Obj;
  assert.equal(rule.source, 'shop.orders');
  assert.equal(rule['detail-type'], 'Order Placed');
  assert.deepEqual(rule.detail, { status: 'NEW', id: 'ord-example' });
  const cron = forFn('Nightly').event as Obj;
  assert.deepEqual(cron.resources, [`arn:aws:events:${REGION}:${ACCOUNT}:rule/app-NightlyCron-XYZ`]);
  assert.deepEqual(
    forFn('Nightly', { eventId: 'WithInput' }).event,
    { job: 'cleanup' },
    'Input replaces the event',
  );
});

test('--for errors name the function, its events, or the supported trigger types', () => {
  assert.throws(() => forFn('Nope'), /no function 'Nope'.*GetUser/);
  assert.throws(() => forFn('GetUser', { eventId: 'X' }), /no event 'X'; its events: Get, Any/);
  assert.throws(() => forFn('Lonely'), /has no Events/);
  assert.throws(() => forFn('Iot'), /IoTRule.*supported: Api/);
  assert.throws(() => forFn('Worker', { options: { colour: 'x' } }), /unknown option '--colour'/);
});
