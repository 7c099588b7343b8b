/** SAM API `Auth.Authorizers` → `AuthorizerModel`s (REST Lambda/Cognito, HTTP Lambda/JWT). */
import { describe, invalid, isRecord, text, type Scope } from './diagnostics.ts';
import type { AuthorizerModel, FunctionModel } from './model.ts';

const REST_DEFAULT_TTL = 300;

/** The function an authorizer's `FunctionArn` (resolved to an ARN or name) designates. */
export function functionByArn(arn: unknown, functions: Map<string, FunctionModel>): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const parts = arn.split(':');
  const name = parts.length >= 7 && parts[5] === 'function' ? parts[6] : arn;
  for (const fn of functions.values()) {
    if (fn.arn === arn || fn.functionName === name) return fn.logicalId;
  }
  return undefined;
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return [value];
  return [];
}

function ttl(identity: Record<string, unknown>, fallback: number): number {
  const v = identity['ReauthorizeEvery'];
  return v === undefined ? fallback : Number(v);
}

function lambdaFunction(
  name: string,
  def: Record<string, unknown>,
  functions: Map<string, FunctionModel>,
  scope: Scope,
  warnings: string[],
): string | undefined {
  const logicalId = functionByArn(def['FunctionArn'], functions);
  if (!logicalId) {
    warnings.push(
      `${scope.resource ?? 'Api'}: authorizer ${name} calls ${String(def['FunctionArn'])}, which is not a function of this template; ` +
        'requests it guards will be refused locally',
    );
  }
  return logicalId;
}

/** `Auth.Authorizers` as [name, definition] pairs, each a mapping (both API kinds check the same). */
function authorizerEntries(authorizers: unknown, scope: Scope): Array<[string, Record<string, unknown>]> {
  if (authorizers === undefined || authorizers === null) return [];
  if (!isRecord(authorizers))
    throw invalid(`Auth.Authorizers must be a mapping, found ${describe(authorizers)}`, scope);
  return Object.entries(authorizers).map(([name, raw]) => {
    if (!isRecord(raw)) throw invalid(`authorizer ${name} must be a mapping`, scope);
    return [name, raw];
  });
}

/** A REST authorizer's `Identity.Header` (default Authorization) as an identity source. */
function restHeaderSource(identity: Record<string, unknown>): string {
  return `method.request.header.${typeof identity['Header'] === 'string' ? identity['Header'] : 'Authorization'}`;
}

export function restAuthorizers(
  authorizers: unknown,
  functions: Map<string, FunctionModel>,
  scope: Scope,
  warnings: string[],
): Record<string, AuthorizerModel> {
  const out: Record<string, AuthorizerModel> = {};
  for (const [name, raw] of authorizerEntries(authorizers, scope)) {
    const identity = isRecord(raw['Identity']) ? raw['Identity'] : {};
    if (raw['UserPoolArn'] !== undefined) {
      out[name] = {
        name,
        type: 'COGNITO_USER_POOLS',
        identitySource: [restHeaderSource(identity)],
        ttlSeconds: ttl(identity, REST_DEFAULT_TTL),
      };
      continue;
    }
    if (raw['FunctionArn'] === undefined) {
      throw invalid(`authorizer ${name} needs FunctionArn (Lambda) or UserPoolArn (Cognito)`, scope);
    }
    const type = raw['FunctionPayloadType'] === 'REQUEST' ? 'REQUEST' : 'TOKEN';
    const auth: AuthorizerModel = {
      name,
      type,
      identitySource: [],
      ttlSeconds: ttl(identity, REST_DEFAULT_TTL),
    };
    const fn = lambdaFunction(name, raw, functions, scope, warnings);
    if (fn) auth.functionLogicalId = fn;
    if (type === 'TOKEN') {
      auth.identitySource = [restHeaderSource(identity)];
      if (typeof identity['ValidationExpression'] === 'string')
        auth.validationExpression = identity['ValidationExpression'];
    } else {
      auth.identitySource = [
        ...strings(identity['Headers']).map((h) => `method.request.header.${h}`),
        ...strings(identity['QueryStrings']).map((q) => `method.request.querystring.${q}`),
        ...strings(identity['StageVariables']).map((s) => `stageVariables.${s}`),
        ...strings(identity['Context']).map((c) => `context.${c}`),
      ];
    }
    out[name] = auth;
  }
  return out;
}

export function httpAuthorizers(
  authorizers: unknown,
  functions: Map<string, FunctionModel>,
  scope: Scope,
  warnings: string[],
): Record<string, AuthorizerModel> {
  const out: Record<string, AuthorizerModel> = {};
  for (const [name, raw] of authorizerEntries(authorizers, scope)) {
    if (raw['JwtConfiguration'] !== undefined) {
      const jwt = isRecord(raw['JwtConfiguration']) ? raw['JwtConfiguration'] : {};
      const auth: AuthorizerModel = {
        name,
        type: 'JWT',
        identitySource: strings(raw['IdentitySource'] ?? '$request.header.Authorization'),
        ttlSeconds: 0,
        jwtConfiguration: {},
      };
      if (typeof jwt['issuer'] === 'string') auth.jwtConfiguration!.issuer = jwt['issuer'];
      if (jwt['audience'] !== undefined) auth.jwtConfiguration!.audience = strings(jwt['audience']);
      out[name] = auth;
      continue;
    }
    if (raw['FunctionArn'] === undefined) {
      throw invalid(`authorizer ${name} needs FunctionArn (Lambda) or JwtConfiguration (JWT)`, scope);
    }
    const identity = isRecord(raw['Identity']) ? raw['Identity'] : {};
    const version = text(raw['AuthorizerPayloadFormatVersion'] ?? '2.0');
    if (version !== '1.0' && version !== '2.0') {
      throw invalid(
        `authorizer ${name}: AuthorizerPayloadFormatVersion must be 1.0 or 2.0, found ${version}`,
        scope,
      );
    }
    const auth: AuthorizerModel = {
      name,
      type: 'REQUEST',
      identitySource: [
        ...strings(identity['Headers']).map((h) => `$request.header.${h}`),
        ...strings(identity['QueryStrings']).map((q) => `$request.querystring.${q}`),
        ...strings(identity['StageVariables']).map((s) => `$stageVariables.${s}`),
        ...strings(identity['Context']).map((c) => `$context.${c}`),
      ],
      ttlSeconds: ttl(identity, 0),
      payloadFormatVersion: version,
      enableSimpleResponses: raw['EnableSimpleResponses'] === true || raw['EnableSimpleResponses'] === 'true',
    };
    const fn = lambdaFunction(name, raw, functions, scope, warnings);
    if (fn) auth.functionLogicalId = fn;
    out[name] = auth;
  }
  return out;
}
