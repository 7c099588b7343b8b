/** mappingsFromTemplate (AWS's defaults) and partial batch response parsing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionModel } from '../../project/model.ts';
import { parseBatchResponse } from './common.ts';
import { mappingsFromTemplate, stableUuid } from './template.ts';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:jobs';
const STREAM = 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks';

function fn(events: FunctionModel['events']): FunctionModel {
  return {
    logicalId: 'Worker',
    resourceType: 'AWS::Serverless::Function',
    functionName: 'app-Worker-ABC',
    arn: 'arn:aws:lambda:us-east-1:123456789012:function:app-Worker-ABC',
    runtime: 'nodejs20.x',
    runtimeFamily: 'nodejs',
    handler: 'app.handler',
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

test('SAM SQS and Kinesis events become mappings with AWS defaults and stable UUIDs', () => {
  const mappings = mappingsFromTemplate(
    [
      fn([
        { id: 'Jobs', type: 'SQS', properties: { Queue: QUEUE } },
        { id: 'Clicks', type: 'Kinesis', properties: { Stream: STREAM, StartingPosition: 'TRIM_HORIZON' } },
        { id: 'Api', type: 'Api', properties: { Path: '/', Method: 'get' } },
      ]),
    ],
    () => undefined,
  );
  assert.deepEqual(mappings, [
    {
      UUID: stableUuid('Worker/Jobs'),
      FunctionName: 'app-Worker-ABC',
      Enabled: true,
      MaximumBatchingWindowInSeconds: 0,
      EventSourceArn: QUEUE,
      BatchSize: 10,
    },
    {
      UUID: stableUuid('Worker/Clicks'),
      FunctionName: 'app-Worker-ABC',
      Enabled: true,
      MaximumBatchingWindowInSeconds: 0,
      EventSourceArn: STREAM,
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
      ParallelizationFactor: 1,
    },
  ]);
  assert.match(
    mappings[0]?.UUID ?? '',
    /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

test('every SAM property is carried over; references resolve through resolveArn', () => {
  const refs: Record<string, string> = { Dlq: 'arn:aws:sqs:us-east-1:123456789012:dlq', Q: QUEUE };
  const [sqs, kinesis] = mappingsFromTemplate(
    [
      fn([
        {
          id: 'Jobs',
          type: 'SQS',
          properties: {
            Queue: { Ref: 'Q' },
            BatchSize: '50',
            MaximumBatchingWindowInSeconds: 5,
            Enabled: false,
            FilterCriteria: { Filters: [{ Pattern: '{"body":{"a":[1]}}' }, { Pattern: { body: ['x'] } }] },
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            ScalingConfig: { MaximumConcurrency: 3 },
          },
        },
        {
          id: 'Clicks',
          type: 'Kinesis',
          properties: {
            Stream: STREAM,
            StartingPosition: 'AT_TIMESTAMP',
            StartingPositionTimestamp: 1700000000,
            MaximumRetryAttempts: 3,
            MaximumRecordAgeInSeconds: 600,
            BisectBatchOnFunctionError: true,
            ParallelizationFactor: 4,
            TumblingWindowInSeconds: 60,
            DestinationConfig: { OnFailure: { Type: 'SQS', Destination: { Ref: 'Dlq' } } },
          },
        },
        { id: 'Unresolved', type: 'SQS', properties: { Queue: { Ref: 'Missing' } } },
      ]),
    ],
    (ref) => refs[(ref as { Ref: string }).Ref],
  );
  assert.equal(sqs?.EventSourceArn, QUEUE);
  assert.equal(sqs?.BatchSize, 50);
  assert.equal(sqs?.Enabled, false);
  assert.equal(sqs?.MaximumBatchingWindowInSeconds, 5);
  assert.deepEqual(sqs?.FilterCriteria, {
    Filters: [{ Pattern: '{"body":{"a":[1]}}' }, { Pattern: '{"body":["x"]}' }],
  });
  assert.deepEqual(sqs?.FunctionResponseTypes, ['ReportBatchItemFailures']);
  assert.deepEqual(sqs?.ScalingConfig, { MaximumConcurrency: 3 });
  assert.equal(kinesis?.StartingPosition, 'AT_TIMESTAMP');
  assert.equal(kinesis?.StartingPositionTimestamp, 1700000000);
  assert.equal(kinesis?.MaximumRetryAttempts, 3);
  assert.equal(kinesis?.MaximumRecordAgeInSeconds, 600);
  assert.equal(kinesis?.BisectBatchOnFunctionError, true);
  assert.equal(kinesis?.ParallelizationFactor, 4);
  assert.equal(kinesis?.TumblingWindowInSeconds, 60);
  assert.deepEqual(kinesis?.DestinationConfig, { OnFailure: { Destination: refs.Dlq } });
});

test('partial batch responses: success, partial and the malformed cases that fail the whole batch', () => {
  const ids = new Set(['a', 'b']);
  const parse = (text: string) => parseBatchResponse(Buffer.from(text), ids);
  for (const ok of ['', 'null', '{}', '{"batchItemFailures":[]}', '{"batchItemFailures":null}'])
    assert.deepEqual(parse(ok), { kind: 'success' }, ok);
  assert.deepEqual(parse('{"batchItemFailures":[{"itemIdentifier":"b"}]}'), {
    kind: 'partial',
    failed: new Set(['b']),
  });
  for (const bad of [
    'not json',
    '"a string"',
    '[1]',
    '{"batchItemFailures":"b"}',
    '{"batchItemFailures":[{"itemIdentifier":""}]}',
    '{"batchItemFailures":[{"itemIdentifier":null}]}',
    '{"batchItemFailures":[{"messageId":"a"}]}',
    '{"batchItemFailures":[{"itemIdentifier":"zzz"}]}',
  ])
    assert.equal(parse(bad).kind, 'invalid', bad);
});
