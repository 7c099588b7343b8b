/**
 * API Gateway APIs of a SAM template: the implicit `ServerlessRestApi` (stage `Prod`) and
 * `ServerlessHttpApi` (stage `$default`) SAM builds from `Api` / `HttpApi` events, explicit
 * `AWS::Serverless::Api` / `AWS::Serverless::HttpApi`, and their routes.
 */
import { httpAuthorizers, restAuthorizers } from './api-auth.ts';
import { httpCors, restCors } from './cors.ts';
import { describe, invalid, isRecord, text, type Scope } from './diagnostics.ts';
import type { Globals } from './globals.ts';
import type { ApiModel, FunctionModel, RouteModel } from './model.ts';
import { IMPLICIT_HTTP_API, IMPLICIT_REST_API, rawEvents, referencedId } from './sam.ts';
import type { Stack, StackEntry } from './stack.ts';

export interface ApiContext {
  stack: Stack;
  globals: Globals;
  functions: Map<string, FunctionModel>;
  /** Resolved properties of every declared resource. */
  properties: Map<string, Record<string, unknown>>;
  warnings: string[];
}

interface PendingRoute {
  apiId: string;
  route: RouteModel;
  scope: Scope;
}

const REST_MAX_TIMEOUT_MS = 29000;
const HTTP_MAX_TIMEOUT_MS = 30000;

export function buildApis(ctx: ApiContext): ApiModel[] {
  const { stack } = ctx;
  const routes = collectRoutes(ctx);
  const apis: ApiModel[] = [];
  const byId = new Map<string, ApiModel>();
  const add = (api: ApiModel): void => {
    apis.push(api);
    byId.set(api.logicalId, api);
  };
  const implicitProps = (type: string): Record<string, unknown> => {
    const merged = ctx.globals.apply(type, {});
    return stack.resolver.resolveObject(merged, { file: stack.file, resource: 'Globals' });
  };
  if (routes.some((r) => r.apiId === IMPLICIT_REST_API)) {
    add(restApi(IMPLICIT_REST_API, implicitProps('AWS::Serverless::Api'), routes, ctx, undefined, true));
  }
  if (routes.some((r) => r.apiId === IMPLICIT_HTTP_API)) {
    add(httpApi(IMPLICIT_HTTP_API, implicitProps('AWS::Serverless::HttpApi'), routes, ctx, undefined, true));
  }
  for (const entry of stack.entries.values()) {
    if (entry.generated) continue;
    const props = ctx.properties.get(entry.logicalId) ?? {};
    if (entry.type === 'AWS::Serverless::Api')
      add(restApi(entry.logicalId, props, routes, ctx, entry, false));
    if (entry.type === 'AWS::Serverless::HttpApi')
      add(httpApi(entry.logicalId, props, routes, ctx, entry, false));
  }
  for (const pending of routes) {
    const api = byId.get(pending.apiId);
    if (!api) continue;
    const { authorizer } = pending.route;
    if (authorizer !== undefined && authorizer !== 'NONE' && !(authorizer in api.authorizers)) {
      throw invalid(
        `event ${pending.route.eventId} uses authorizer ${authorizer}, which API ${api.logicalId} does not define`,
        pending.scope,
        `define it under Auth.Authorizers of ${api.logicalId}, or use one of: ${Object.keys(api.authorizers).join(', ') || 'NONE'}`,
      );
    }
  }
  return apis;
}

function collectRoutes(ctx: ApiContext): PendingRoute[] {
  const { stack } = ctx;
  const out: PendingRoute[] = [];
  for (const fn of ctx.functions.values()) {
    const entry = stack.entries.get(fn.logicalId);
    if (!entry || fn.resourceType !== 'AWS::Serverless::Function') continue;
    for (const raw of rawEvents(entry, stack.map, stack.file)) {
      if (raw.type !== 'Api' && raw.type !== 'HttpApi') continue;
      const http = raw.type === 'HttpApi';
      const event = fn.events.find((e) => e.id === raw.id);
      const p = event?.properties ?? {};
      const apiId =
        referencedId(raw.properties[http ? 'ApiId' : 'RestApiId']) ??
        (http ? IMPLICIT_HTTP_API : IMPLICIT_REST_API);
      const wanted = http ? 'AWS::Serverless::HttpApi' : 'AWS::Serverless::Api';
      const implicit = apiId === IMPLICIT_HTTP_API || apiId === IMPLICIT_REST_API;
      if (!implicit && stack.entries.get(apiId)?.type !== wanted) {
        throw invalid(
          `event ${raw.id}: ${http ? 'ApiId' : 'RestApiId'} must reference an ${wanted} of this template, found ${apiId}`,
          {
            ...raw.scope,
            loc: stack.map.child(raw.properties, http ? 'ApiId' : 'RestApiId') ?? raw.scope.loc,
          },
          `use ${http ? 'ApiId' : 'RestApiId'}: !Ref <an ${wanted}>, or leave it out for the implicit API`,
        );
      }
      out.push({ apiId, route: route(fn, raw.id, p, http, raw.scope), scope: raw.scope });
    }
  }
  return out;
}

function route(
  fn: FunctionModel,
  eventId: string,
  p: Record<string, unknown>,
  http: boolean,
  scope: Scope,
): RouteModel {
  let path = p['Path'];
  let method = p['Method'];
  if (http && path === undefined && method === undefined) {
    path = '$default';
    method = 'ANY';
  }
  if (typeof path !== 'string' || path === '')
    throw invalid(`event ${eventId} needs a Path`, scope, 'e.g. Path: /hello');
  if (http && method === undefined) method = 'ANY';
  if (typeof method !== 'string' || method === '') {
    throw invalid(`event ${eventId} needs a Method`, scope, 'e.g. Method: get (or any)');
  }
  const r: RouteModel = {
    method: method.toUpperCase(),
    path,
    functionLogicalId: fn.logicalId,
    eventId,
    payloadFormatVersion: '1.0',
  };
  if (http) {
    const v = text(p['PayloadFormatVersion'] ?? '2.0');
    if (v !== '1.0' && v !== '2.0')
      throw invalid(`event ${eventId}: PayloadFormatVersion must be 1.0 or 2.0`, scope);
    r.payloadFormatVersion = v;
  }
  const auth = isRecord(p['Auth']) ? p['Auth'] : {};
  if (typeof auth['Authorizer'] === 'string') r.authorizer = auth['Authorizer'];
  if (auth['ApiKeyRequired'] !== undefined)
    r.apiKeyRequired = auth['ApiKeyRequired'] === true || auth['ApiKeyRequired'] === 'true';
  if (p['TimeoutInMillis'] !== undefined) {
    const max = http ? HTTP_MAX_TIMEOUT_MS : REST_MAX_TIMEOUT_MS;
    r.timeoutInMillis = Math.min(Number(p['TimeoutInMillis']), max);
  }
  return r;
}

function stringMap(value: unknown, scope: Scope, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw invalid(`${what} must be a mapping, found ${describe(value)}`, scope);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v as string)]));
}

function scopeOf(ctx: ApiContext, entry: StackEntry | undefined, logicalId: string, key?: string): Scope {
  if (entry && key) return ctx.stack.propertyScope(entry, key);
  return { file: ctx.stack.file, resource: logicalId, loc: entry?.location };
}

function restApi(
  logicalId: string,
  p: Record<string, unknown>,
  routes: PendingRoute[],
  ctx: ApiContext,
  entry: StackEntry | undefined,
  implicit: boolean,
): ApiModel {
  const own = routes.filter((r) => r.apiId === logicalId).map((r) => r.route);
  const stageName = implicit ? 'Prod' : p['StageName'];
  if (typeof stageName !== 'string' || stageName === '') {
    throw invalid(
      `${logicalId} needs a StageName`,
      scopeOf(ctx, entry, logicalId, 'StageName'),
      'e.g. StageName: Prod',
    );
  }
  const auth = isRecord(p['Auth']) ? p['Auth'] : {};
  const api: ApiModel = {
    logicalId,
    protocol: 'REST',
    implicit,
    name: typeof p['Name'] === 'string' ? p['Name'] : implicit ? ctx.stack.input.stackName : logicalId,
    stageName,
    stageVariables: stringMap(p['Variables'], scopeOf(ctx, entry, logicalId, 'Variables'), 'Variables'),
    apiKeyRequired: auth['ApiKeyRequired'] === true || auth['ApiKeyRequired'] === 'true',
    authorizers: restAuthorizers(
      auth['Authorizers'],
      ctx.functions,
      scopeOf(ctx, entry, logicalId, 'Auth'),
      ctx.warnings,
    ),
    binaryMediaTypes: Array.isArray(p['BinaryMediaTypes'])
      ? p['BinaryMediaTypes'].map((t) => String(t).replace(/~1/g, '/'))
      : [],
    routes: own,
  };
  const cors = restCors(
    p['Cors'],
    own.map((r) => r.method),
    scopeOf(ctx, entry, logicalId, 'Cors'),
    ctx.warnings,
  );
  if (cors) api.cors = cors;
  if (typeof auth['DefaultAuthorizer'] === 'string') api.defaultAuthorizer = auth['DefaultAuthorizer'];
  if (isRecord(auth['UsagePlan'])) api.usagePlan = auth['UsagePlan'];
  if (entry?.location) api.location = entry.location;
  checkDefault(api, scopeOf(ctx, entry, logicalId, 'Auth'));
  return api;
}

function httpApi(
  logicalId: string,
  p: Record<string, unknown>,
  routes: PendingRoute[],
  ctx: ApiContext,
  entry: StackEntry | undefined,
  implicit: boolean,
): ApiModel {
  const auth = isRecord(p['Auth']) ? p['Auth'] : {};
  const stageName = implicit || p['StageName'] === undefined ? '$default' : text(p['StageName']);
  const api: ApiModel = {
    logicalId,
    protocol: 'HTTP',
    implicit,
    name: typeof p['Name'] === 'string' ? p['Name'] : implicit ? ctx.stack.input.stackName : logicalId,
    stageName,
    stageVariables: stringMap(
      p['StageVariables'],
      scopeOf(ctx, entry, logicalId, 'StageVariables'),
      'StageVariables',
    ),
    apiKeyRequired: false,
    authorizers: httpAuthorizers(
      auth['Authorizers'],
      ctx.functions,
      scopeOf(ctx, entry, logicalId, 'Auth'),
      ctx.warnings,
    ),
    binaryMediaTypes: [],
    routes: routes.filter((r) => r.apiId === logicalId).map((r) => r.route),
  };
  const cors = httpCors(p['CorsConfiguration'], scopeOf(ctx, entry, logicalId, 'CorsConfiguration'));
  if (cors) api.cors = cors;
  if (typeof auth['DefaultAuthorizer'] === 'string') api.defaultAuthorizer = auth['DefaultAuthorizer'];
  if (entry?.location) api.location = entry.location;
  checkDefault(api, scopeOf(ctx, entry, logicalId, 'Auth'));
  return api;
}

function checkDefault(api: ApiModel, scope: Scope): void {
  const d = api.defaultAuthorizer;
  if (d !== undefined && d !== 'AWS_IAM' && !(d in api.authorizers)) {
    throw invalid(
      `${api.logicalId}: DefaultAuthorizer ${d} is not one of its Authorizers`,
      scope,
      `define it under Auth.Authorizers, or use one of: ${Object.keys(api.authorizers).join(', ') || '(none defined)'}`,
    );
  }
}
