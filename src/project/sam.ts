/**
 * The resources the SAM transform generates around serverless resources, with the logical ids the
 * SAM translator gives them: `<Function>Role`, `<Function><Event>Permission`, event source
 * mappings, rules and subscriptions, `ServerlessRestApi` (+ `Deployment…`, `ProdStage`),
 * `ServerlessHttpApi` (+ `ApiGatewayDefaultStage`), explicit APIs' stages and deployments.
 */
import { createHash } from 'node:crypto';
import { invalid, isRecord, type Scope } from './diagnostics.ts';
import type { StackEntry } from './stack.ts';
import type { RawResource } from './template.ts';
import type { SourceMap } from './yaml.ts';

export const IMPLICIT_REST_API = 'ServerlessRestApi';
export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';

export interface RawEvent {
  id: string;
  type: string;
  properties: Record<string, unknown>;
  scope: Scope;
}

/** The `Events` of a serverless function, unresolved. */
export function rawEvents(fn: RawResource, map: SourceMap, file: string): RawEvent[] {
  const events = fn.properties['Events'];
  if (events === undefined || events === null) return [];
  const scope: Scope = { file, resource: fn.logicalId, loc: map.child(fn.properties, 'Events') };
  if (!isRecord(events)) throw invalid('Events must be a mapping of event id to event', scope);
  return Object.entries(events).map(([id, ev]) => {
    const at: Scope = { ...scope, loc: map.child(events, id) };
    if (!isRecord(ev) || typeof ev['Type'] !== 'string') {
      throw invalid(`event ${id} needs a Type (Api, HttpApi, S3, SQS, SNS, Schedule, ...)`, at);
    }
    const props = ev['Properties'] ?? {};
    if (!isRecord(props)) throw invalid(`Properties of event ${id} must be a mapping`, at);
    return { id, type: ev['Type'], properties: props, scope: at };
  });
}

/** The logical id named by `RestApiId` / `ApiId` (`!Ref MyApi` or the plain id), if any. */
export function referencedId(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (isRecord(raw) && typeof raw['Ref'] === 'string') return raw['Ref'];
  return undefined;
}

function hash10(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 10);
}

/** SAM's stage logical-id rule: `<Api><Stage>Stage` when the stage name is alphanumeric. */
export function stageLogicalId(apiId: string, stageName: unknown, http: boolean): string {
  const stage = typeof stageName === 'string' ? stageName : '';
  if (/^[A-Za-z0-9]+$/.test(stage)) return `${apiId}${stage}Stage`;
  if (http && stage === '$default') return `${apiId}ApiGatewayDefaultStage`;
  return `${apiId}Stage${stage ? hash10(stage) : ''}`;
}

const PULL_TYPES = new Set(['SQS', 'Kinesis', 'DynamoDB', 'MSK', 'MQ', 'SelfManagedKafka', 'DocumentDB']);
const RULE_TYPES = new Set(['Schedule', 'EventBridgeRule', 'CloudWatchEvent']);
const PERMISSION_ONLY = new Set(['S3', 'HttpApi', 'AlexaSkill', 'CloudWatchLogs', 'IoTRule', 'SNS']);

interface Generator {
  out: StackEntry[];
  add(logicalId: string, type: string, properties: Record<string, unknown>, from: RawResource): void;
}

/** Every resource SAM would generate for the (already condition-filtered) resources. */
export function generateSamResources(resources: RawResource[], map: SourceMap, file: string): StackEntry[] {
  const byId = new Map(resources.map((r) => [r.logicalId, r]));
  const gen: Generator = {
    out: [],
    add(logicalId, type, properties, from) {
      if (byId.has(logicalId) || this.out.some((e) => e.logicalId === logicalId)) return;
      this.out.push({
        logicalId,
        type,
        properties,
        condition: from.condition,
        dependsOn: [],
        metadata: {},
        location: from.location,
        generated: true,
      });
    },
  };
  let implicitRest: RawResource | undefined;
  let implicitHttp: RawResource | undefined;
  for (const r of resources) {
    if (r.type === 'AWS::Serverless::Function') {
      const ids = functionResources(r, byId, gen, map, file);
      implicitRest ??= ids.rest ? r : undefined;
      implicitHttp ??= ids.http ? r : undefined;
    } else if (r.type === 'AWS::Serverless::Api') {
      const stage = r.properties['StageName'];
      gen.add(
        `${r.logicalId}Deployment${hash10(r.logicalId)}`,
        'AWS::ApiGateway::Deployment',
        { RestApiId: { Ref: r.logicalId } },
        r,
      );
      gen.add(
        stageLogicalId(r.logicalId, stage, false),
        'AWS::ApiGateway::Stage',
        { StageName: stage, RestApiId: { Ref: r.logicalId } },
        r,
      );
      authorizerPermissions(r, gen);
    } else if (r.type === 'AWS::Serverless::HttpApi') {
      const stage = r.properties['StageName'] ?? '$default';
      gen.add(
        stageLogicalId(r.logicalId, stage, true),
        'AWS::ApiGatewayV2::Stage',
        { StageName: stage, ApiId: { Ref: r.logicalId } },
        r,
      );
      authorizerPermissions(r, gen);
    } else if (r.type === 'AWS::Serverless::StateMachine' && r.properties['Role'] === undefined) {
      gen.add(`${r.logicalId}Role`, 'AWS::IAM::Role', {}, r);
    }
  }
  if (implicitRest) {
    const api = IMPLICIT_REST_API;
    gen.add(api, 'AWS::ApiGateway::RestApi', {}, { ...implicitRest, condition: undefined });
    gen.add(
      `${api}Deployment${hash10(api)}`,
      'AWS::ApiGateway::Deployment',
      { RestApiId: { Ref: api } },
      implicitRest,
    );
    gen.add(
      `${api}ProdStage`,
      'AWS::ApiGateway::Stage',
      { StageName: 'Prod', RestApiId: { Ref: api } },
      implicitRest,
    );
  }
  if (implicitHttp) {
    const api = IMPLICIT_HTTP_API;
    gen.add(api, 'AWS::ApiGatewayV2::Api', {}, { ...implicitHttp, condition: undefined });
    gen.add(
      `${api}ApiGatewayDefaultStage`,
      'AWS::ApiGatewayV2::Stage',
      { StageName: '$default', ApiId: { Ref: api } },
      implicitHttp,
    );
  }
  for (const e of gen.out)
    if (e.logicalId === IMPLICIT_REST_API || e.logicalId === IMPLICIT_HTTP_API) e.condition = undefined;
  return gen.out;
}

function functionResources(
  fn: RawResource,
  byId: Map<string, RawResource>,
  gen: Generator,
  map: SourceMap,
  file: string,
): { rest: boolean; http: boolean } {
  const id = fn.logicalId;
  const p = fn.properties;
  const self = { Ref: id };
  if (p['Role'] === undefined) {
    gen.add(
      `${id}Role`,
      'AWS::IAM::Role',
      { ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
      fn,
    );
  }
  if (p['EventInvokeConfig'] !== undefined) {
    gen.add(
      `${id}EventInvokeConfig`,
      'AWS::Lambda::EventInvokeConfig',
      { FunctionName: self, Qualifier: '$LATEST' },
      fn,
    );
  }
  if (p['FunctionUrlConfig'] !== undefined) {
    gen.add(`${id}Url`, 'AWS::Lambda::Url', { TargetFunctionArn: self }, fn);
    gen.add(
      `${id}UrlPublicPermissions`,
      'AWS::Lambda::Permission',
      { FunctionName: self, Action: 'lambda:InvokeFunctionUrl' },
      fn,
    );
  }
  if (typeof p['AutoPublishAlias'] === 'string') {
    gen.add(
      `${id}Alias${p['AutoPublishAlias']}`,
      'AWS::Lambda::Alias',
      { Name: p['AutoPublishAlias'], FunctionName: self },
      fn,
    );
    gen.add(`${id}Version${hash10(id)}`, 'AWS::Lambda::Version', { FunctionName: self }, fn);
  }
  let rest = false;
  let http = false;
  const permission = { FunctionName: self, Action: 'lambda:InvokeFunction' };
  for (const ev of rawEvents(fn, map, file)) {
    const base = `${id}${ev.id}`;
    if (ev.type === 'Api') {
      const apiId = referencedId(ev.properties['RestApiId']);
      let suffix = 'Prod';
      if (apiId === undefined) rest = true;
      else {
        const stage = byId.get(apiId)?.properties['StageName'];
        suffix = typeof stage === 'string' ? stage : 'Stage';
      }
      const suffixId = /^[A-Za-z0-9]*$/.test(suffix) ? suffix : hash10(suffix);
      gen.add(
        `${base}Permission${suffixId}`,
        'AWS::Lambda::Permission',
        { ...permission, Principal: 'apigateway.amazonaws.com' },
        fn,
      );
    } else if (ev.type === 'HttpApi') {
      if (referencedId(ev.properties['ApiId']) === undefined) http = true;
    }
    if (PULL_TYPES.has(ev.type)) {
      gen.add(base, 'AWS::Lambda::EventSourceMapping', { FunctionName: self }, fn);
    } else if (RULE_TYPES.has(ev.type)) {
      gen.add(base, 'AWS::Events::Rule', {}, fn);
      gen.add(
        `${base}Permission`,
        'AWS::Lambda::Permission',
        { ...permission, Principal: 'events.amazonaws.com' },
        fn,
      );
    } else if (ev.type === 'ScheduleV2') {
      gen.add(base, 'AWS::Scheduler::Schedule', {}, fn);
      if (ev.properties['RoleArn'] === undefined) gen.add(`${base}Role`, 'AWS::IAM::Role', {}, fn);
    } else if (ev.type === 'Cognito') {
      gen.add(`${id}CognitoPermission`, 'AWS::Lambda::Permission', permission, fn);
    } else if (PERMISSION_ONLY.has(ev.type)) {
      if (ev.type === 'SNS')
        gen.add(base, 'AWS::SNS::Subscription', { TopicArn: ev.properties['Topic'] }, fn);
      if (ev.type === 'CloudWatchLogs') gen.add(base, 'AWS::Logs::SubscriptionFilter', {}, fn);
      if (ev.type === 'IoTRule') gen.add(base, 'AWS::IoT::TopicRule', {}, fn);
      gen.add(`${base}Permission`, 'AWS::Lambda::Permission', permission, fn);
    }
  }
  return { rest, http };
}

function authorizerPermissions(api: RawResource, gen: Generator): void {
  const auth = api.properties['Auth'];
  const authorizers = isRecord(auth) ? auth['Authorizers'] : undefined;
  if (!isRecord(authorizers)) return;
  for (const [name, def] of Object.entries(authorizers)) {
    if (isRecord(def) && def['FunctionArn'] !== undefined) {
      gen.add(
        `${api.logicalId}${name}AuthorizerPermission`,
        'AWS::Lambda::Permission',
        { Action: 'lambda:InvokeFunction' },
        api,
      );
    }
  }
}
