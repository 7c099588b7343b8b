/**
 * `--for <LogicalId>`: the event a function's own trigger (an entry of its `Events:`) would send,
 * built through the registry with the trigger's names, routes and filters filled in.
 */
import type { FunctionEvent, FunctionModel, Project, RouteModel } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';
import { type GenerateEventDeps, generateEvent } from './index.ts';
import type { RawOptions } from './registry.ts';
import { samplePath } from './http.ts';

export interface FunctionEventResult {
  source: string;
  type: string;
  /** The `Events:` key used. */
  eventId: string;
  event: unknown;
}

interface Plan {
  source: string;
  type: string;
  options: RawOptions;
}

const SUPPORTED = [
  'Api',
  'HttpApi',
  'S3',
  'SQS',
  'SNS',
  'Kinesis',
  'DynamoDB',
  'EventBridgeRule',
  'CloudWatchEvent',
  'Schedule',
  'ScheduleV2',
  'CloudWatchLogs',
];

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function firstString(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.map(str).find((s) => s !== undefined);
  return str(v);
}

function findRoute(project: Project, fn: FunctionModel, ev: FunctionEvent): RouteModel | undefined {
  for (const api of project.apis)
    for (const r of api.routes) if (r.functionLogicalId === fn.logicalId && r.eventId === ev.id) return r;
  return undefined;
}

function apiOf(project: Project, route: RouteModel): string | undefined {
  return project.apis.find((a) => a.routes.includes(route))?.logicalId;
}

function apiPlan(project: Project, fn: FunctionModel, ev: FunctionEvent, user: RawOptions): Plan {
  const route = findRoute(project, fn, ev);
  const path = route?.path ?? str(ev.properties.Path) ?? '/';
  const method = (route?.method ?? str(ev.properties.Method) ?? 'GET').toUpperCase();
  const concreteMethod = method === 'ANY' ? 'GET' : method;
  const api = route ? apiOf(project, route) : undefined;
  if (ev.type === 'Api')
    return {
      source: 'apigateway',
      type: 'aws-proxy',
      options: {
        ...(api ? { api } : {}),
        method: concreteMethod,
        resource: path,
        path: samplePath(path),
        ...user,
      },
    };
  const routeKey = path === '$default' ? '$default' : `${method} ${path}`;
  return {
    source: 'apigateway',
    type: 'http-api-proxy',
    options: {
      ...(api ? { api } : {}),
      method: concreteMethod,
      route: routeKey,
      path: path === '$default' ? '/' : samplePath(path),
      ...user,
    },
  };
}

interface KeyRule {
  Name?: unknown;
  Value?: unknown;
}

function s3Plan(ev: FunctionEvent, user: RawOptions): Plan {
  const eventSpec = firstString(ev.properties.Events) ?? 's3:ObjectCreated:*';
  const removed = eventSpec.startsWith('s3:ObjectRemoved');
  const specific = /^s3:(Object\w+:\w+)$/.exec(eventSpec)?.[1];
  const eventName = specific ?? (removed ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put');
  const filter = ev.properties.Filter as { S3Key?: { Rules?: KeyRule[] } } | undefined;
  const rules = filter?.S3Key?.Rules ?? [];
  const rule = (name: string): string =>
    str(rules.find((r) => str(r.Name)?.toLowerCase() === name)?.Value) ?? '';
  const prefix = rule('prefix');
  const suffix = rule('suffix');
  const given = typeof user.key === 'string' ? user.key : undefined;
  if (given !== undefined && !(given.startsWith(prefix) && given.endsWith(suffix)))
    throw new SlipwayError(
      'InvalidOption',
      `--key '${given}' does not match the trigger's filter (prefix '${prefix}', suffix '${suffix}'): S3 would not invoke the function`,
      { exitCode: 2 },
    );
  const key = given ?? `${prefix}example${suffix || '.txt'}`;
  const bucket = str(ev.properties.Bucket);
  return {
    source: 's3',
    type: removed ? 'delete' : 'put',
    options: { ...(bucket ? { bucket } : {}), 'event-name': eventName, ...user, key },
  };
}

interface Pattern {
  source?: unknown;
  'detail-type'?: unknown;
  detail?: unknown;
}

/** A sample value that a pattern's matcher list accepts: the first literal, or a prefix's text. */
function sampleFromMatchers(matchers: unknown): unknown {
  if (!Array.isArray(matchers))
    return typeof matchers === 'object' && matchers ? sampleDetail(matchers) : matchers;
  for (const m of matchers) {
    if (typeof m === 'string' || typeof m === 'number' || typeof m === 'boolean' || m === null) return m;
    if (m && typeof m === 'object') {
      const prefix = str((m as Record<string, unknown>).prefix);
      if (prefix !== undefined) return `${prefix}example`;
    }
  }
  return 'example';
}

function sampleDetail(pattern: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (pattern && typeof pattern === 'object')
    for (const [k, v] of Object.entries(pattern)) out[k] = sampleFromMatchers(v);
  return out;
}

function eventBridgePlan(ev: FunctionEvent, user: RawOptions): Plan {
  const pattern = (ev.properties.Pattern ?? {}) as Pattern;
  const source = sampleFromMatchers(pattern.source);
  const detailType = sampleFromMatchers(pattern['detail-type']);
  const bus = str(ev.properties.EventBusName);
  return {
    source: 'eventbridge',
    type: 'event',
    options: {
      ...(typeof source === 'string' && pattern.source !== undefined ? { source } : {}),
      ...(typeof detailType === 'string' && pattern['detail-type'] !== undefined
        ? { 'detail-type': detailType }
        : {}),
      ...(pattern.detail !== undefined ? { detail: JSON.stringify(sampleDetail(pattern.detail)) } : {}),
      ...(bus ? { bus } : {}),
      ...user,
    },
  };
}

function plan(project: Project, fn: FunctionModel, ev: FunctionEvent, user: RawOptions): Plan {
  const p = ev.properties;
  switch (ev.type) {
    case 'Api':
    case 'HttpApi':
      return apiPlan(project, fn, ev, user);
    case 'S3':
      return s3Plan(ev, user);
    case 'SQS':
      return { source: 'sqs', type: 'receive-message', options: { queue: str(p.Queue), ...user } };
    case 'SNS':
      return { source: 'sns', type: 'notification', options: { topic: str(p.Topic), ...user } };
    case 'Kinesis':
      return { source: 'kinesis', type: 'get-records', options: { stream: str(p.Stream), ...user } };
    case 'DynamoDB':
      return { source: 'dynamodb', type: 'update', options: { table: str(p.Stream), ...user } };
    case 'EventBridgeRule':
    case 'CloudWatchEvent':
      return eventBridgePlan(ev, user);
    case 'Schedule':
    case 'ScheduleV2':
      return {
        source: 'schedule',
        type: 'event',
        options: { rule: str(p.Name) ?? `${fn.logicalId}${ev.id}`, ...user },
      };
    case 'CloudWatchLogs':
      return { source: 'cloudwatch', type: 'logs', options: { 'log-group': str(p.LogGroupName), ...user } };
    default:
      throw new SlipwayError(
        'UnsupportedEventType',
        `function '${fn.logicalId}' event '${ev.id}' is of type ${ev.type}, for which Slipway has no sample event; supported: ${SUPPORTED.join(', ')}`,
        { exitCode: 2 },
      );
  }
}

/** A schedule target's `Input` replaces the event, as on AWS. */
function scheduleInput(ev: FunctionEvent): unknown {
  const input = str(ev.properties.Input);
  if (input === undefined) return undefined;
  try {
    return JSON.parse(input) as unknown;
  } catch (err) {
    throw new SlipwayError(
      'InvalidTemplate',
      `event '${ev.id}': Input is not JSON: ${(err as Error).message}`,
      {
        exitCode: 2,
        cause: err,
      },
    );
  }
}

/**
 * The event the function's trigger `eventId` (default: its first event) would send. `options` are
 * the chosen event type's options and win over what the trigger implies.
 */
export function generateEventForFunction(
  project: Project,
  functionId: string,
  opts: { eventId?: string; options?: RawOptions } = {},
  deps: GenerateEventDeps = {},
): FunctionEventResult {
  const fn = project.functions.get(functionId);
  if (!fn)
    throw new SlipwayError(
      'UnknownFunction',
      `no function '${functionId}' in the template; functions: ${[...project.functions.keys()].join(', ') || '(none)'}`,
      { exitCode: 2 },
    );
  if (fn.events.length === 0)
    throw new SlipwayError(
      'NoFunctionEvents',
      `function '${functionId}' has no Events: nothing triggers it`,
      {
        hint: 'give a source and type instead, e.g. `slipway events s3 put`',
        exitCode: 2,
      },
    );
  const ev = opts.eventId === undefined ? fn.events[0]! : fn.events.find((e) => e.id === opts.eventId);
  if (!ev)
    throw new SlipwayError(
      'UnknownFunctionEvent',
      `function '${functionId}' has no event '${opts.eventId}'; its events: ${fn.events.map((e) => e.id).join(', ')}`,
      { exitCode: 2 },
    );
  const p = plan(project, fn, ev, opts.options ?? {});
  const options = Object.fromEntries(Object.entries(p.options).filter(([, v]) => v !== undefined));
  const input = ev.type === 'Schedule' || ev.type === 'ScheduleV2' ? scheduleInput(ev) : undefined;
  const event = input ?? generateEvent(p.source, p.type, options, project, deps);
  return { source: p.source, type: p.type, eventId: ev.id, event };
}
