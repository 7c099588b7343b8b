/**
 * Compiles the template's APIs into what the server consults per request: one router over every
 * API (they share one port, as with `sam local start-api`), per-API ids, binary and CORS matchers,
 * authorizers, and the printable route table. Everything that can be computed once is computed here.
 */
import { createHash } from 'node:crypto';
import type { ApiModel, FunctionModel, RouteModel } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';
import { compileAuthorizer, type CompiledAuthorizer } from './authorizers.ts';
import { mediaTypeMatcher, type MediaTypeMatcher } from './binary.ts';
import { compileCors, type CompiledCors } from './cors.ts';
import { Router } from './router.ts';
import { integrationTimeoutMs } from './timeouts.ts';
import type { RouteTableEntry } from './types.ts';

export interface CompiledApi {
  model: ApiModel;
  logicalId: string;
  protocol: 'REST' | 'HTTP';
  apiId: string;
  stage: string;
  stageVariables: Record<string, string> | null;
  binary: MediaTypeMatcher;
  cors: CompiledCors | undefined;
}

export interface LambdaTarget {
  kind: 'lambda';
  api: CompiledApi;
  route: RouteModel;
  functionLogicalId: string;
  functionName: string;
  /** Resource path as declared, or `$default`. */
  resource: string;
  resourceId: string;
  /** `GET /users/{id}` or `$default`. */
  routeKey: string;
  format: '1.0' | '2.0';
  authorizer: CompiledAuthorizer | undefined;
  apiKeyRequired: boolean;
  timeoutMs: number;
}

/** The OPTIONS method SAM adds to each path of a REST API with Cors (a mock integration). */
export interface CorsTarget {
  kind: 'cors';
  api: CompiledApi;
  headers: string[];
}

export type Target = LambdaTarget | CorsTarget;

export interface CompiledApis {
  router: Router<Target>;
  apis: CompiledApi[];
  routes: RouteTableEntry[];
  /** Stage names a path may be prefixed with (`/Prod/hello`), excluding `$default`. */
  stages: Set<string>;
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A stable, AWS-looking id (`[a-z0-9]{n}`) derived from a seed. */
export function stableId(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < length; i++) id += ID_CHARS[(digest[i] as number) % 36];
  return id;
}

function compileApi(model: ApiModel): CompiledApi {
  const vars = model.stageVariables;
  return {
    model,
    logicalId: model.logicalId,
    protocol: model.protocol,
    apiId: stableId(`api:${model.logicalId}`, 10),
    stage: model.stageName,
    stageVariables: vars && Object.keys(vars).length > 0 ? vars : null,
    binary: mediaTypeMatcher(model.binaryMediaTypes),
    cors: model.cors ? compileCors(model.cors) : undefined,
  };
}

export function compileApis(
  apis: ApiModel[],
  functions: Map<string, FunctionModel>,
  baseUrl: string,
): CompiledApis {
  const router = new Router<Target>();
  const compiled: CompiledApi[] = [];
  const routes: RouteTableEntry[] = [];
  const stages = new Set<string>();
  for (const model of apis) {
    const api = compileApi(model);
    compiled.push(api);
    if (api.stage !== '$default' && api.stage !== '') stages.add(api.stage);
    const authorizers = new Map<string, CompiledAuthorizer>();
    for (const [name, az] of Object.entries(model.authorizers)) {
      const fn = az.functionLogicalId === undefined ? undefined : functions.get(az.functionLogicalId);
      authorizers.set(name, compileAuthorizer(model.logicalId, model.protocol, az, fn?.functionName));
    }
    const methodsByPath = new Map<string, string[]>();
    for (const route of model.routes) {
      const fn = functions.get(route.functionLogicalId);
      if (!fn) {
        throw new SlipwayError(
          'FunctionNotFound',
          `Route ${route.method} ${route.path} of ${model.logicalId} targets ${route.functionLogicalId}, which is not a function of the template`,
          model.location ? { where: { ...model.location, resource: model.logicalId } } : {},
        );
      }
      const target = lambdaTarget(api, route, fn, authorizers);
      router.add(route.method, route.path, target, `${model.logicalId} (function ${fn.logicalId})`);
      const list = methodsByPath.get(route.path);
      if (list) list.push(route.method.toUpperCase());
      else methodsByPath.set(route.path, [route.method.toUpperCase()]);
      const entry: RouteTableEntry = {
        apiLogicalId: model.logicalId,
        protocol: model.protocol,
        stage: api.stage,
        method: route.path === '$default' ? 'ANY' : route.method.toUpperCase(),
        path: route.path,
        url: route.path === '$default' ? `${baseUrl}/` : `${baseUrl}${route.path}`,
        functionLogicalId: fn.logicalId,
        payloadFormatVersion: target.format,
        apiKeyRequired: target.apiKeyRequired,
      };
      if (target.authorizer) entry.authorizer = target.authorizer.model.name;
      routes.push(entry);
    }
    if (api.protocol === 'REST' && api.cors) {
      for (const [path, methods] of methodsByPath) {
        if (methods.includes('OPTIONS')) continue;
        const target: CorsTarget = { kind: 'cors', api, headers: api.cors.restPreflightHeaders(methods) };
        router.add('OPTIONS', path, target, `${model.logicalId} (CORS preflight added by SAM)`);
      }
    }
  }
  return { router, apis: compiled, routes, stages };
}

function lambdaTarget(
  api: CompiledApi,
  route: RouteModel,
  fn: FunctionModel,
  authorizers: Map<string, CompiledAuthorizer>,
): LambdaTarget {
  const model = api.model;
  const isDefault = route.path === '$default';
  const name = route.authorizer ?? model.defaultAuthorizer;
  let authorizer: CompiledAuthorizer | undefined;
  // `NONE` opts out; `AWS_IAM` (SigV4 callers) cannot be evaluated locally and is not enforced.
  if (name !== undefined && name !== 'NONE' && name !== 'AWS_IAM') {
    authorizer = authorizers.get(name);
    if (!authorizer) {
      throw new SlipwayError(
        'AuthorizerNotFound',
        `Route ${route.method} ${route.path} of ${model.logicalId} uses authorizer ${name}, which ${model.logicalId} does not declare`,
        model.location ? { where: { ...model.location, resource: model.logicalId } } : {},
      );
    }
  }
  const method = route.method.toUpperCase();
  return {
    kind: 'lambda',
    api,
    route,
    functionLogicalId: fn.logicalId,
    functionName: fn.functionName,
    resource: route.path,
    resourceId: stableId(`resource:${model.logicalId}:${route.path}`, 6),
    routeKey: isDefault ? '$default' : `${method} ${route.path}`,
    format: api.protocol === 'REST' ? '1.0' : route.payloadFormatVersion,
    authorizer,
    apiKeyRequired: api.protocol === 'REST' && (route.apiKeyRequired ?? model.apiKeyRequired),
    timeoutMs: integrationTimeoutMs(api.protocol, route.timeoutInMillis),
  };
}

/** `  GET     http://127.0.0.1:3000/hello  → HelloFunction (ServerlessRestApi, REST)` lines. */
export function formatRouteTable(routes: RouteTableEntry[]): string {
  if (routes.length === 0) return '  (no API routes)';
  const urlWidth = Math.max(...routes.map((r) => r.url.length));
  return routes
    .map((r) => {
      const extras: string[] = [r.apiLogicalId, r.protocol];
      if (r.protocol === 'HTTP' && r.payloadFormatVersion === '1.0') extras.push('payload 1.0');
      if (r.authorizer) extras.push(`authorizer ${r.authorizer}`);
      if (r.apiKeyRequired) extras.push('API key');
      const path = r.path === '$default' ? ' ($default)' : '';
      return `  ${r.method.padEnd(7)}${r.url.padEnd(urlWidth)}${path} → ${r.functionLogicalId} (${extras.join(', ')})`;
    })
    .join('\n');
}
