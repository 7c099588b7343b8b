/**
 * Sample events as AWS sends them, `sam local generate-event`-style but template-aware: the
 * registry of every source → type → { description, options, generate }, and `generateEvent`.
 */
import type { Project } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';
import { apigateway } from './apigateway-entries.ts';
import { cloudWatchLogsEvent } from './cloudwatch-logs.ts';
import { type DynamoEventName, type StreamViewType, dynamodbEvent, marshallItem } from './dynamodb.ts';
import { type EventEnv, defaultEnv } from './env.ts';
import { eventBridgeEvent } from './eventbridge.ts';
import { kinesisEvent } from './kinesis.ts';
import {
  type EventOption,
  type EventSource,
  type EventType,
  OptionReader,
  type RawOptions,
} from './registry.ts';
import { resolveResource, tableStreamArn } from './resolve.ts';
import { s3Event } from './s3.ts';
import { scheduledEvent } from './schedule.ts';
import { snsEvent } from './sns.ts';
import { sqsEvent } from './sqs.ts';

export type { EventOption, EventSource, EventType, RawOptions } from './registry.ts';
export type { EventEnv } from './env.ts';
export { defaultEnv, fixedEnv } from './env.ts';

/** Options every event type accepts. */
export const COMMON_OPTIONS: EventOption[] = [
  { name: 'region', description: "AWS region in the event (default: the project's, else us-east-1)" },
  {
    name: 'account-id',
    description: "12-digit account id in the event's ARNs (default: the project's, else 123456789012)",
  },
];

const s3Options = (eventName: string): EventOption[] => [
  {
    name: 'bucket',
    description:
      "bucket name, or an AWS::S3::Bucket logical id of the template; the template's only bucket when absent",
    default: 'example-bucket',
  },
  {
    name: 'key',
    description: 'object key, as stored (the event carries it URL-encoded)',
    default: 'uploads/example.txt',
  },
  {
    name: 'event-name',
    description: "S3 event type, e.g. 'ObjectCreated:Post', 'ObjectCreated:CompleteMultipartUpload'",
    default: eventName,
  },
  { name: 'version-id', description: 'object version id (versioned buckets only; absent by default)' },
  ...(eventName.startsWith('ObjectCreated')
    ? [
        { name: 'size', description: 'object size in bytes', default: '1024' },
        { name: 'etag', description: 'object ETag, hex MD5 (default: random)' },
      ]
    : []),
];

const s3Type = (description: string, eventName: string): EventType => ({
  description,
  options: s3Options(eventName),
  generate: (o, { env, project }) =>
    s3Event(
      {
        bucket: resolveResource('bucket', o.given('bucket'), project, env),
        key: o.string('key'),
        eventName: o.string('event-name'),
        size: eventName.startsWith('ObjectCreated') ? o.integer('size') : undefined,
        eTag: eventName.startsWith('ObjectCreated') ? o.given('etag') : undefined,
        versionId: o.given('version-id'),
      },
      env,
    ),
});

const VIEW_TYPES: StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

const dynamodbType = (eventName: DynamoEventName, description: string): EventType => ({
  description,
  options: [
    {
      name: 'table',
      description: "table name, or an AWS::DynamoDB::Table logical id; the template's only table when absent",
      default: 'example-table',
    },
    { name: 'keys', description: 'key attributes, plain JSON or DynamoDB JSON', default: '{"Id": 101}' },
    ...(eventName === 'REMOVE'
      ? []
      : [
          {
            name: 'new-image',
            description: 'attributes after the change (plain JSON or DynamoDB JSON; keys are added)',
            default: '{"Message": "New item!"}',
          },
        ]),
    ...(eventName === 'INSERT'
      ? []
      : [
          {
            name: 'old-image',
            description: 'attributes before the change (plain JSON or DynamoDB JSON; keys are added)',
            default: '{"Message": "This item has changed"}',
          },
        ]),
    {
      name: 'stream-view-type',
      description: `${VIEW_TYPES.join(' | ')} (default: the table's StreamSpecification, else NEW_AND_OLD_IMAGES)`,
    },
  ],
  generate: (o, { env, project }) => {
    const table = resolveResource('table', o.given('table'), project, env);
    const fromTemplate = (
      table.record?.properties.StreamSpecification as { StreamViewType?: string } | undefined
    )?.StreamViewType;
    const view = o.given('stream-view-type') ?? fromTemplate ?? 'NEW_AND_OLD_IMAGES';
    if (!VIEW_TYPES.includes(view as StreamViewType))
      throw new SlipwayError(
        'InvalidOption',
        `--stream-view-type must be one of ${VIEW_TYPES.join(', ')}, got '${view}'`,
        { exitCode: 2 },
      );
    return dynamodbEvent(
      {
        table: { name: table.name, streamArn: tableStreamArn(table, env) },
        eventName,
        keys: marshallItem(o.jsonObject('keys')),
        newImage: eventName === 'REMOVE' ? undefined : marshallItem(o.jsonObject('new-image')),
        oldImage: eventName === 'INSERT' ? undefined : marshallItem(o.jsonObject('old-image')),
        streamViewType: view as StreamViewType,
      },
      env,
    );
  },
});

/** Every source → type → { description, options, generate }. */
export const EVENT_SOURCES: Readonly<Record<string, EventSource>> = {
  apigateway,
  s3: {
    description: 'Amazon S3 event notifications',
    types: {
      put: s3Type('object created (ObjectCreated:Put)', 'ObjectCreated:Put'),
      delete: s3Type('object removed (ObjectRemoved:Delete)', 'ObjectRemoved:Delete'),
    },
  },
  sqs: {
    description: 'Amazon SQS (event source mapping)',
    types: {
      'receive-message': {
        description: 'a batch of messages received from a queue',
        options: [
          {
            name: 'queue',
            description:
              "queue name, URL or ARN, or an AWS::SQS::Queue logical id; the template's only queue when absent",
            default: 'example-queue',
          },
          {
            name: 'body',
            description: 'message body (repeatable: one record each)',
            default: 'Hello from SQS!',
            multiple: true,
          },
          {
            name: 'attribute',
            description: "String message attribute 'Name=Value' (repeatable)",
            multiple: true,
          },
          {
            name: 'group-id',
            description: 'MessageGroupId (FIFO queues, names ending in .fifo)',
            default: 'group1',
          },
        ],
        generate: (o, { env, project }) =>
          sqsEvent(
            {
              queue: resolveResource('queue', o.given('queue'), project, env),
              bodies: o.list('body'),
              messageAttributes: o.pairs('attribute'),
              messageGroupId: o.string('group-id'),
            },
            env,
          ),
      },
    },
  },
  sns: {
    description: 'Amazon SNS',
    types: {
      notification: {
        description: 'a notification delivered to a Lambda subscription',
        options: [
          {
            name: 'topic',
            description:
              "topic name or ARN, or an AWS::SNS::Topic logical id; the template's only topic when absent",
            default: 'example-topic',
          },
          { name: 'message', description: 'message', default: 'Hello from SNS!' },
          { name: 'subject', description: 'subject (absent by default: the event then has "Subject": null)' },
          {
            name: 'attribute',
            description: "String message attribute 'Name=Value' (repeatable)",
            multiple: true,
          },
        ],
        generate: (o, { env, project }) =>
          snsEvent(
            {
              topicArn: resolveResource('topic', o.given('topic'), project, env).arn,
              message: o.string('message'),
              subject: o.given('subject') ?? null,
              messageAttributes: o.pairs('attribute'),
            },
            env,
          ),
      },
    },
  },
  kinesis: {
    description: 'Amazon Kinesis Data Streams (event source mapping)',
    types: {
      'get-records': {
        description: 'a batch of stream records',
        options: [
          {
            name: 'stream',
            description:
              "stream name or ARN, or an AWS::Kinesis::Stream logical id; the template's only stream when absent",
            default: 'example-stream',
          },
          {
            name: 'data',
            description: 'record data, as text (repeatable: one record each; base64-encoded in the event)',
            default: 'Hello, this is a test.',
            multiple: true,
          },
          { name: 'partition-key', description: 'partition key', default: 'partitionKey-03' },
        ],
        generate: (o, { env, project }) =>
          kinesisEvent(
            {
              stream: resolveResource('stream', o.given('stream'), project, env),
              data: o.list('data'),
              partitionKey: o.string('partition-key'),
            },
            env,
          ),
      },
    },
  },
  dynamodb: {
    description: 'Amazon DynamoDB Streams (event source mapping)',
    types: {
      insert: dynamodbType('INSERT', 'an item was added (INSERT)'),
      update: dynamodbType('MODIFY', 'an item was changed (MODIFY)'),
      remove: dynamodbType('REMOVE', 'an item was deleted (REMOVE)'),
    },
  },
  eventbridge: {
    description: 'Amazon EventBridge',
    types: {
      event: {
        description: 'an event matched by a rule',
        options: [
          { name: 'source', description: 'event source', default: 'com.example.app' },
          { name: 'detail-type', description: 'detail type', default: 'Example Event' },
          { name: 'detail', description: 'detail, JSON', default: '{"key": "value"}' },
          {
            name: 'bus',
            description: 'event bus name, ARN or logical id (checked; AWS does not put it in the event)',
            default: 'default',
          },
          { name: 'resource', description: 'ARN in resources (repeatable)', multiple: true },
        ],
        generate: (o, { env, project }) => {
          resolveResource('bus', o.given('bus'), project, env);
          return eventBridgeEvent(
            {
              source: o.string('source'),
              detailType: o.string('detail-type'),
              detail: o.json('detail'),
              resources: o.list('resource'),
            },
            env,
          );
        },
      },
    },
  },
  schedule: {
    description: 'Amazon EventBridge scheduled rules',
    types: {
      event: {
        description: "the 'Scheduled Event' a schedule rule sends",
        options: [
          {
            name: 'rule',
            description: 'rule name or ARN, or an AWS::Events::Rule logical id',
            default: 'example-rule',
          },
        ],
        generate: (o, { env, project }) =>
          scheduledEvent({ ruleArn: resolveResource('rule', o.given('rule'), project, env).arn }, env),
      },
    },
  },
  cloudwatch: {
    description: 'Amazon CloudWatch Logs',
    types: {
      logs: {
        description: 'log events delivered by a subscription filter (awslogs.data is base64 of gzip of JSON)',
        options: [
          {
            name: 'log-group',
            description: 'log group name, or an AWS::Logs::LogGroup logical id',
            default: '/aws/lambda/example-function',
          },
          {
            name: 'log-stream',
            description: 'log stream name',
            default: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
          },
          { name: 'filter-name', description: 'subscription filter name', default: 'example-filter' },
          {
            name: 'message',
            description: 'log message (repeatable: one log event each)',
            default: 'Hello from CloudWatch Logs',
            multiple: true,
          },
        ],
        generate: (o, { env, project }) =>
          cloudWatchLogsEvent(
            {
              logGroup: resolveResource('logGroup', o.given('log-group'), project, env).name,
              logStream: o.string('log-stream'),
              filterName: o.string('filter-name'),
              messages: o.list('message'),
            },
            env,
          ),
      },
    },
  },
};

export function sourceNames(): string[] {
  return Object.keys(EVENT_SOURCES);
}

/** The source's entry, or a SlipwayError (exit code 2) naming it and the valid sources. */
export function eventSource(source: string): EventSource {
  const entry = Object.hasOwn(EVENT_SOURCES, source) ? EVENT_SOURCES[source] : undefined;
  if (!entry)
    throw new SlipwayError(
      'UnknownEventSource',
      `unknown event source '${source}'; valid sources: ${sourceNames().join(', ')}`,
      { exitCode: 2 },
    );
  return entry;
}

/** The type's entry, or a SlipwayError (exit code 2) naming it and the source's valid types. */
export function eventType(source: string, type: string): EventType {
  const entry = eventSource(source);
  const found = Object.hasOwn(entry.types, type) ? entry.types[type] : undefined;
  if (!found)
    throw new SlipwayError(
      'UnknownEventType',
      `unknown event type '${type}' for source '${source}'; valid types: ${Object.keys(entry.types).join(', ')}`,
      { exitCode: 2 },
    );
  return found;
}

/** The options an event type accepts, its own and the common ones. */
export function optionsOf(source: string, type: string): EventOption[] {
  return [...eventType(source, type).options, ...COMMON_OPTIONS];
}

export interface GenerateEventDeps {
  /** Clock and ids; its region and account apply when neither the options nor the project give one. */
  env?: Partial<EventEnv>;
}

/**
 * The event `source type` would deliver, with names and ARNs taken from the project when one is
 * given. Unknown sources, types and option names are SlipwayErrors naming the valid ones.
 */
export function generateEvent(
  source: string,
  type: string,
  options: RawOptions = {},
  project?: Project,
  deps: GenerateEventDeps = {},
): unknown {
  const entry = eventType(source, type);
  const specs = optionsOf(source, type);
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const spec = specs.find((s) => s.name === name);
    if (!spec)
      throw new SlipwayError(
        'UnknownOption',
        `unknown option '--${name}' for '${source} ${type}'; valid options: ${specs.map((s) => `--${s.name}`).join(', ')}`,
        { exitCode: 2 },
      );
    if (Array.isArray(value) && !spec.multiple && value.length > 1)
      throw new SlipwayError('InvalidOption', `--${name} may be given once`, { exitCode: 2 });
  }
  const reader = new OptionReader(options, specs);
  // Precedence: the options, then the project, then the injected env, then AWS's placeholders.
  const accountId = reader.given('account-id') ?? project?.accountId ?? deps.env?.accountId;
  if (accountId !== undefined && !/^\d{12}$/.test(accountId))
    throw new SlipwayError('InvalidOption', `--account-id must be 12 digits, got '${accountId}'`, {
      exitCode: 2,
    });
  const region = reader.given('region') ?? project?.region ?? deps.env?.region;
  const env = defaultEnv({
    ...deps.env,
    ...(region ? { region } : {}),
    ...(accountId ? { accountId } : {}),
  });
  return entry.generate(reader, { env, project });
}
