/**
 * Names and ARNs for events, from the project's resources when there is a project: a value may be
 * a logical id (`Uploads`), the physical name/ref, or an ARN; without a match it is taken as a
 * literal name. Without a value, the template's only resource of the kind is used, else a
 * placeholder like the ones `sam local generate-event` prints.
 */
import { createHash } from 'node:crypto';
import type { ApiModel, Project, ResourceRecord } from '../project/model.ts';
import type { EventEnv } from './env.ts';
import type { ApiTarget } from './apigateway.ts';
import { SlipwayError } from '../shared/errors.ts';

export interface Named {
  name: string;
  arn: string;
  logicalId?: string;
  record?: ResourceRecord;
}

function ofType(project: Project | undefined, type: string): ResourceRecord[] {
  return project ? [...project.resources.values()].filter((r) => r.type === type) : [];
}

function find(project: Project | undefined, type: string, value: string): ResourceRecord | undefined {
  const all = ofType(project, type);
  return (
    all.find((r) => r.logicalId === value) ??
    all.find((r) => r.ref === value || r.attributes.Arn === value) ??
    all.find((r) => Object.values(r.attributes).includes(value))
  );
}

/** The last `:`- or `/`-separated part of an ARN or URL. */
function lastPart(s: string): string {
  return s.split(/[:/]/).pop() ?? s;
}

interface Kind {
  type: string;
  placeholder: string;
  fromRecord(r: ResourceRecord, env: EventEnv): { name: string; arn: string };
  literal(name: string, env: EventEnv): string;
}

function arnOf(r: ResourceRecord): string | undefined {
  return r.attributes.Arn;
}

const KINDS = {
  bucket: {
    type: 'AWS::S3::Bucket',
    placeholder: 'example-bucket',
    fromRecord: (r) => ({ name: r.ref, arn: arnOf(r) ?? `arn:aws:s3:::${r.ref}` }),
    literal: (name) => `arn:aws:s3:::${name}`,
  },
  queue: {
    type: 'AWS::SQS::Queue',
    placeholder: 'example-queue',
    fromRecord: (r, env) => {
      const name = r.attributes.QueueName ?? lastPart(arnOf(r) ?? r.ref);
      return { name, arn: arnOf(r) ?? `arn:aws:sqs:${env.region}:${env.accountId}:${name}` };
    },
    literal: (name, env) => `arn:aws:sqs:${env.region}:${env.accountId}:${name}`,
  },
  topic: {
    type: 'AWS::SNS::Topic',
    placeholder: 'example-topic',
    fromRecord: (r) => ({ name: r.attributes.TopicName ?? lastPart(r.ref), arn: r.ref }),
    literal: (name, env) => `arn:aws:sns:${env.region}:${env.accountId}:${name}`,
  },
  stream: {
    type: 'AWS::Kinesis::Stream',
    placeholder: 'example-stream',
    fromRecord: (r, env) => ({
      name: r.ref,
      arn: arnOf(r) ?? `arn:aws:kinesis:${env.region}:${env.accountId}:stream/${r.ref}`,
    }),
    literal: (name, env) => `arn:aws:kinesis:${env.region}:${env.accountId}:stream/${name}`,
  },
  table: {
    type: 'AWS::DynamoDB::Table',
    placeholder: 'example-table',
    fromRecord: (r, env) => ({
      name: r.ref,
      arn: arnOf(r) ?? `arn:aws:dynamodb:${env.region}:${env.accountId}:table/${r.ref}`,
    }),
    literal: (name, env) => `arn:aws:dynamodb:${env.region}:${env.accountId}:table/${name}`,
  },
  bus: {
    type: 'AWS::Events::EventBus',
    placeholder: 'default',
    fromRecord: (r, env) => ({
      name: r.ref,
      arn: arnOf(r) ?? `arn:aws:events:${env.region}:${env.accountId}:event-bus/${r.ref}`,
    }),
    literal: (name, env) => `arn:aws:events:${env.region}:${env.accountId}:event-bus/${name}`,
  },
  rule: {
    type: 'AWS::Events::Rule',
    placeholder: 'example-rule',
    fromRecord: (r, env) => ({
      name: lastPart(r.ref),
      arn: arnOf(r) ?? `arn:aws:events:${env.region}:${env.accountId}:rule/${r.ref}`,
    }),
    literal: (name, env) => `arn:aws:events:${env.region}:${env.accountId}:rule/${name}`,
  },
  logGroup: {
    type: 'AWS::Logs::LogGroup',
    placeholder: '/aws/lambda/example-function',
    fromRecord: (r, env) => ({
      name: r.ref,
      arn: arnOf(r) ?? `arn:aws:logs:${env.region}:${env.accountId}:log-group:${r.ref}:*`,
    }),
    literal: (name, env) => `arn:aws:logs:${env.region}:${env.accountId}:log-group:${name}:*`,
  },
} satisfies Record<string, Kind>;

export type ResourceKind = keyof typeof KINDS;

export function resolveResource(
  kind: ResourceKind,
  value: string | undefined,
  project: Project | undefined,
  env: EventEnv,
): Named {
  const k: Kind = KINDS[kind];
  const record =
    value === undefined
      ? ofType(project, k.type).length === 1
        ? ofType(project, k.type)[0]
        : undefined
      : find(project, k.type, value);
  if (record) return { ...k.fromRecord(record, env), logicalId: record.logicalId, record };
  const literal = value ?? k.placeholder;
  if (literal.startsWith('arn:'))
    return { name: kind === 'table' ? tableFromArn(literal) : lastPart(literal), arn: literal };
  return { name: literal, arn: k.literal(literal, env) };
}

function tableFromArn(arn: string): string {
  return /:table\/([^/]+)/.exec(arn)?.[1] ?? lastPart(arn);
}

/** A table's stream ARN: its `StreamArn` attribute, or one with a label made from `now`. */
export function tableStreamArn(table: Named, env: EventEnv): string {
  const fromTemplate = table.record?.attributes.StreamArn;
  if (fromTemplate) return fromTemplate;
  if (table.arn.includes('/stream/')) return table.arn;
  return `${table.arn}/stream/${env.now().toISOString().replace(/Z$/, '')}`;
}

/** A stable, API-Gateway-looking 10-character id for an API that has no physical id locally. */
export function apiIdFor(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[digest[i]! % alphabet.length];
  return out;
}

export function findApi(
  project: Project | undefined,
  value: string | undefined,
  protocol: 'REST' | 'HTTP',
): ApiModel | undefined {
  if (!project) return undefined;
  const apis = project.apis.filter((a) => a.protocol === protocol);
  if (value === undefined) return apis.length === 1 ? apis[0] : undefined;
  const api = apis.find((a) => a.logicalId === value || a.name === value);
  if (!api)
    throw new SlipwayError(
      'UnknownResource',
      `no ${protocol === 'REST' ? 'AWS::Serverless::Api' : 'AWS::Serverless::HttpApi'} named '${value}' in the template; ` +
        `known: ${apis.map((a) => a.logicalId).join(', ') || '(none)'}`,
      { exitCode: 2 },
    );
  return api;
}

export function apiTarget(
  api: ApiModel | undefined,
  project: Project | undefined,
  stage: string | undefined,
  fallbackStage: string,
  placeholderId: string,
): ApiTarget {
  if (!api) return { apiId: placeholderId, stage: stage ?? fallbackStage };
  const ref = project?.resources.get(api.logicalId)?.ref;
  const apiId =
    ref && /^[a-z0-9]{10}$/.test(ref) ? ref : apiIdFor(`${project?.stackName ?? ''}/${api.logicalId}`);
  return { apiId, stage: stage ?? api.stageName, stageVariables: api.stageVariables };
}
