/**
 * Authorizers: Lambda authorizers (REST TOKEN and REQUEST; HTTP API REQUEST with payload 1.0 or
 * 2.0, IAM-policy or simple `{isAuthorized, context}` responses), HTTP API JWT authorizers and REST
 * Cognito user pool authorizers (decoded, not verified: see jwt.ts).
 *
 * As API Gateway: an identity source that is missing or empty answers 401 without calling the
 * function (so does a TOKEN failing its ValidationExpression); results are cached per authorizer
 * and identity-source values for `ttlSeconds` (0, or no identity source, disables the cache); the
 * cached response's policy is evaluated against each request's method ARN (so a policy naming one
 * method ARN, cached, denies the others — the classic AWS pitfall, reproduced); a REST authorizer
 * failing with the message `Unauthorized` answers 401, any other failure or malformed response
 * 500. REST passes context values to the integration as strings; HTTP APIs keep their JSON types.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthorizerModel } from '../project/model.ts';
import type { Invoker } from '../runtime/types.ts';
import type { GatewayErrorKind } from './gateway-responses.ts';
import { bearerToken, decodeJwt, scopesOf, stringifyClaims } from './jwt.ts';
import { evaluatePolicy, policyStatements, type PolicyStatement } from './policy.ts';
import { AUTHORIZER_TIMEOUT_MS, TIMED_OUT, withTimeout } from './timeouts.ts';

type SourceKind = 'header' | 'query' | 'stage' | 'context';
interface IdentitySource {
  kind: SourceKind;
  name: string;
}

export interface CompiledAuthorizer {
  /** `<ApiLogicalId>.<AuthorizerName>`: the cache namespace and the name in log lines. */
  id: string;
  protocol: 'REST' | 'HTTP';
  model: AuthorizerModel;
  /** Function name to invoke (Lambda authorizers). */
  functionName?: string;
  sources: IdentitySource[];
  validation?: RegExp;
}

/** Parses `method.request.header.X` / `$request.querystring.X` / `stageVariables.X` / `$context.X`. */
export function parseIdentitySource(expr: string): IdentitySource | undefined {
  const e = expr.trim().replace(/^\$/, '');
  const m = /^(?:method\.request|request)\.(header|querystring)\.(.+)$/.exec(e);
  if (m)
    return {
      kind: m[1] === 'header' ? 'header' : 'query',
      name: m[1] === 'header' ? (m[2] as string).toLowerCase() : (m[2] as string),
    };
  const s = /^stageVariables\.(.+)$/.exec(e);
  if (s) return { kind: 'stage', name: s[1] as string };
  const c = /^context\.(.+)$/.exec(e);
  if (c) return { kind: 'context', name: c[1] as string };
  return undefined;
}

export function compileAuthorizer(
  apiLogicalId: string,
  protocol: 'REST' | 'HTTP',
  model: AuthorizerModel,
  functionName: string | undefined,
): CompiledAuthorizer {
  let exprs = model.identitySource;
  if (
    exprs.length === 0 &&
    (model.type === 'TOKEN' || model.type === 'JWT' || model.type === 'COGNITO_USER_POOLS')
  ) {
    exprs = [protocol === 'REST' ? 'method.request.header.Authorization' : '$request.header.Authorization'];
  }
  const sources: IdentitySource[] = [];
  for (const expr of exprs) {
    for (const part of expr.split(',')) {
      const src = parseIdentitySource(part);
      if (src) sources.push(src);
    }
  }
  const out: CompiledAuthorizer = { id: `${apiLogicalId}.${model.name}`, protocol, model, sources };
  if (functionName !== undefined) out.functionName = functionName;
  if (model.validationExpression) {
    try {
      out.validation = new RegExp(`^(?:${model.validationExpression})$`);
    } catch {
      // An invalid expression is the template's problem; API Gateway would refuse to deploy it.
    }
  }
  return out;
}

/** What the authorizer needs to know of the request. */
export interface AuthorizeRequest {
  headers: IncomingHttpHeaders;
  query: Map<string, string[]> | undefined;
  stageVariables: Record<string, string> | null;
  context: Record<string, string>;
  /** Method ARN (REST, HTTP 1.0) / route ARN (HTTP 2.0). */
  methodArn: string;
  /** The integration payload format of the route (HTTP APIs shape `requestContext.authorizer` by it). */
  integrationFormat: '1.0' | '2.0';
  /** Builds the REQUEST authorizer's base event (the proxy event of this format, without body). */
  baseEvent(format: '1.0' | '2.0'): Record<string, unknown>;
}

export type AuthorizeOutcome =
  { ok: true; authorizer: Record<string, unknown> } | { ok: false; kind: GatewayErrorKind };

type CachedResult =
  | { simple: true; isAuthorized: boolean; context: Record<string, unknown> | undefined }
  | {
      simple: false;
      principalId: unknown;
      statements: PolicyStatement[];
      context: Record<string, unknown> | undefined;
    };

export class AuthorizerService {
  private readonly cache = new Map<string, { expires: number; result: CachedResult }>();

  constructor(
    private readonly invoker: Invoker,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
  ) {}

  clearCache(): void {
    this.cache.clear();
  }

  async authorize(az: CompiledAuthorizer, req: AuthorizeRequest): Promise<AuthorizeOutcome> {
    const values: string[] = [];
    for (const src of az.sources) {
      const v = sourceValue(src, req);
      if (v === undefined || v === '') {
        this.log(`authorizer ${az.id}: identity source ${src.kind} ${src.name} is missing → 401`);
        return { ok: false, kind: 'Unauthorized' };
      }
      values.push(v);
    }
    const type = az.model.type;
    if (type === 'JWT' || type === 'COGNITO_USER_POOLS') return this.jwt(az, values[0] ?? '', req);
    if (type === 'TOKEN' && az.validation && !az.validation.test(values[0] ?? '')) {
      this.log(`authorizer ${az.id}: token does not match ValidationExpression → 401`);
      return { ok: false, kind: 'Unauthorized' };
    }
    const ttl = az.model.ttlSeconds;
    const cacheKey = ttl > 0 && values.length > 0 ? `${az.id}\u0000${values.join('\u0000')}` : undefined;
    let result: CachedResult | undefined;
    let latency = 0;
    if (cacheKey !== undefined) {
      const hit = this.cache.get(cacheKey);
      if (hit && hit.expires > this.clock()) result = hit.result;
      else if (hit) this.cache.delete(cacheKey);
    }
    if (!result) {
      const started = this.clock();
      const invoked = await this.invoke(az, values, req);
      if (!invoked.ok) return invoked;
      result = invoked.result;
      latency = Math.max(0, this.clock() - started);
      if (cacheKey !== undefined) this.cache.set(cacheKey, { expires: this.clock() + ttl * 1000, result });
    }
    return this.decide(az, result, req, latency);
  }

  private jwt(az: CompiledAuthorizer, raw: string, req: AuthorizeRequest): AuthorizeOutcome {
    const decoded = decodeJwt(bearerToken(raw), this.clock(), az.model.jwtConfiguration);
    if (!decoded.ok) {
      this.log(`authorizer ${az.id}: ${decoded.reason} → 401`);
      return { ok: false, kind: 'Unauthorized' };
    }
    const claims = stringifyClaims(decoded.claims);
    if (az.model.type === 'COGNITO_USER_POOLS') return { ok: true, authorizer: { claims } };
    const scopes = scopesOf(decoded.claims);
    if (req.integrationFormat === '1.0') return { ok: true, authorizer: { claims, scopes } };
    return { ok: true, authorizer: { jwt: { claims, scopes } } };
  }

  private async invoke(
    az: CompiledAuthorizer,
    values: string[],
    req: AuthorizeRequest,
  ): Promise<{ ok: true; result: CachedResult } | { ok: false; kind: GatewayErrorKind }> {
    const fail = (why: string): { ok: false; kind: GatewayErrorKind } => {
      this.log(`authorizer ${az.id}: ${why} → 500`);
      return { ok: false, kind: 'AuthorizerFailure' };
    };
    if (az.functionName === undefined) return fail('no function to invoke');
    const event = authorizerEvent(az, values, req);
    let res;
    try {
      const r = await withTimeout(
        this.invoker.invoke(az.functionName, { payload: Buffer.from(JSON.stringify(event)) }),
        AUTHORIZER_TIMEOUT_MS,
      );
      if (r === TIMED_OUT) return fail(`function timed out after ${AUTHORIZER_TIMEOUT_MS} ms`);
      res = r;
    } catch (err) {
      return fail(`invoking ${az.functionName} failed: ${(err as Error).message}`);
    }
    if (res.functionError) {
      const message = res.error?.errorMessage;
      if (az.protocol === 'REST' && message === 'Unauthorized') {
        this.log(`authorizer ${az.id}: function answered "Unauthorized" → 401`);
        return { ok: false, kind: 'Unauthorized' };
      }
      return fail(`function error ${res.error?.errorType ?? 'Unhandled'}: ${message ?? ''}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(res.payload.toString('utf8'));
    } catch {
      return fail('the response is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return fail('the response is not an object');
    const r = body as Record<string, unknown>;
    const context = r.context;
    if (
      context !== undefined &&
      context !== null &&
      (typeof context !== 'object' || Array.isArray(context))
    ) {
      return fail('context must be an object');
    }
    const ctx = (context ?? undefined) as Record<string, unknown> | undefined;
    if (az.protocol === 'REST' && ctx) {
      for (const [k, v] of Object.entries(ctx)) {
        if (v !== null && typeof v === 'object')
          return fail(`context.${k} must be a string, number or boolean`);
      }
    }
    const simple =
      az.protocol === 'HTTP' &&
      az.model.payloadFormatVersion === '2.0' &&
      az.model.enableSimpleResponses === true;
    if (simple) {
      if (typeof r.isAuthorized !== 'boolean') return fail('a simple response needs a boolean isAuthorized');
      return { ok: true, result: { simple: true, isAuthorized: r.isAuthorized, context: ctx } };
    }
    const statements = policyStatements(r.policyDocument);
    if (!statements.ok) return fail(statements.reason);
    if (statements.statements.some((s) => s.Condition !== undefined)) {
      this.log(`authorizer ${az.id}: policy Conditions are not evaluated locally`);
    }
    return {
      ok: true,
      result: { simple: false, principalId: r.principalId, statements: statements.statements, context: ctx },
    };
  }

  private decide(
    az: CompiledAuthorizer,
    result: CachedResult,
    req: AuthorizeRequest,
    latency: number,
  ): AuthorizeOutcome {
    if (result.simple) {
      if (!result.isAuthorized) return { ok: false, kind: 'AccessDenied' };
      return { ok: true, authorizer: { lambda: result.context ?? null } };
    }
    const decision = evaluatePolicy(result.statements, req.methodArn);
    if (decision !== 'Allow') {
      this.log(
        `authorizer ${az.id}: policy ${decision === 'ExplicitDeny' ? 'denies' : 'does not allow'} ${req.methodArn} → 403`,
      );
      return { ok: false, kind: decision === 'ExplicitDeny' ? 'ExplicitDeny' : 'AccessDenied' };
    }
    if (az.protocol === 'REST') {
      const authorizer: Record<string, unknown> = {};
      if (result.context)
        for (const [k, v] of Object.entries(result.context)) authorizer[k] = v === null ? null : primitive(v);
      if (result.principalId !== undefined) authorizer.principalId = result.principalId;
      authorizer.integrationLatency = latency;
      return { ok: true, authorizer };
    }
    const authorizer: Record<string, unknown> = { lambda: result.context ?? null };
    if (result.principalId !== undefined) authorizer.principalId = result.principalId;
    authorizer.integrationLatency = latency;
    return { ok: true, authorizer };
  }
}

function sourceValue(src: IdentitySource, req: AuthorizeRequest): string | undefined {
  switch (src.kind) {
    case 'header': {
      const v = req.headers[src.name];
      return Array.isArray(v) ? v.join(',') : v;
    }
    case 'query':
      return req.query?.get(src.name)?.join(',');
    case 'stage':
      return req.stageVariables?.[src.name];
    case 'context':
      // Context variables API Gateway always has; unknown names count as present.
      return req.context[src.name] ?? '-';
  }
}

/** Authorizer events carry no body, and `pathParameters: {}` rather than null (AWS's samples). */
function withoutBody(event: Record<string, unknown>): Record<string, unknown> {
  delete event.body;
  delete event.isBase64Encoded;
  if (event.pathParameters === null || event.pathParameters === undefined) event.pathParameters = {};
  return event;
}

/** The event a Lambda authorizer receives. */
export function authorizerEvent(
  az: CompiledAuthorizer,
  values: string[],
  req: AuthorizeRequest,
): Record<string, unknown> {
  if (az.model.type === 'TOKEN') {
    return { type: 'TOKEN', authorizationToken: values[0] ?? '', methodArn: req.methodArn };
  }
  if (az.protocol === 'REST') {
    return { type: 'REQUEST', methodArn: req.methodArn, ...withoutBody(req.baseEvent('1.0')) };
  }
  if (az.model.payloadFormatVersion === '1.0') {
    const base = withoutBody(req.baseEvent('1.0'));
    delete base.version;
    delete base.multiValueHeaders;
    delete base.multiValueQueryStringParameters;
    const identity = values.join(',');
    return {
      version: '1.0',
      type: 'REQUEST',
      methodArn: req.methodArn,
      identitySource: identity,
      authorizationToken: identity,
      ...base,
    };
  }
  const base = withoutBody(req.baseEvent('2.0'));
  delete base.version;
  return { version: '2.0', type: 'REQUEST', routeArn: req.methodArn, identitySource: values, ...base };
}

/** REST authorizer context values are primitives (checked on receipt); API Gateway passes them as strings. */
function primitive(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${v}`;
  return JSON.stringify(v) ?? '';
}
