/**
 * API Gateway events: the REST API (v1) Lambda proxy event, the HTTP API (v2) payload format 2.0
 * event, and the TOKEN / REQUEST Lambda authorizer events of REST APIs.
 */
import { type EventEnv, alnumId, hexId } from './env.ts';
import {
  type Pair,
  clfTime,
  formatQuery,
  matchTemplate,
  multiValueMap,
  setHeader,
  singleValueMap,
} from './http.ts';
import { SlipwayError } from '../shared/errors.ts';

/** The client address used in samples (TEST-NET-3, reserved for documentation). */
export const SAMPLE_SOURCE_IP = '203.0.113.10';
export const SAMPLE_USER_AGENT = 'curl/8.5.0';

export interface ApiTarget {
  /** The API's id, the first label of `<apiId>.execute-api.<region>.amazonaws.com`. */
  apiId: string;
  stage: string;
  stageVariables?: Record<string, string>;
}

export interface RestProxyOptions {
  api: ApiTarget;
  method: string;
  /** The request path, without the stage, e.g. `/users/42`. */
  path: string;
  /** The resource template that matched, e.g. `/users/{id}` or `/{proxy+}`. */
  resource: string;
  body?: string;
  query?: Pair[];
  headers?: Pair[];
  /** `requestContext.authorizer` as a Lambda authorizer's context would fill it. */
  authorizer?: Record<string, unknown>;
}

export interface HttpApiProxyOptions {
  api: ApiTarget;
  method: string;
  path: string;
  /** `$default` or `METHOD /path/{param}` (also `ANY /path`). */
  routeKey: string;
  body?: string;
  query?: Pair[];
  headers?: Pair[];
  cookies?: string[];
  authorizer?: Record<string, unknown>;
}

export function executeApiHost(api: ApiTarget, env: EventEnv): string {
  return `${api.apiId}.execute-api.${env.region}.amazonaws.com`;
}

export function methodArn(api: ApiTarget, method: string, path: string, env: EventEnv): string {
  return `arn:aws:execute-api:${env.region}:${env.accountId}:${api.apiId}/${api.stage}/${method}/${path.replace(/^\//, '')}`;
}

function contentType(body: string): string {
  const t = body.trim();
  return t.startsWith('{') || t.startsWith('[') ? 'application/json' : 'text/plain';
}

function pathParametersFor(resource: string, path: string): Record<string, string> | null {
  const params = matchTemplate(resource, path);
  if (params === undefined)
    throw new SlipwayError('InvalidOption', `--path '${path}' does not match the resource '${resource}'`, {
      hint: 'give a path that fits the resource template, or leave --path out to get a sample one',
      exitCode: 2,
    });
  return Object.keys(params).length === 0 ? null : params;
}

/** Headers CloudFront and API Gateway put on a REST API request made with curl. */
function restHeaders(opts: RestProxyOptions, env: EventEnv): Pair[] {
  const traceTime = Math.floor(env.now().getTime() / 1000).toString(16);
  let headers: Pair[] = [
    { name: 'Accept', value: '*/*' },
    { name: 'CloudFront-Forwarded-Proto', value: 'https' },
    { name: 'CloudFront-Is-Desktop-Viewer', value: 'true' },
    { name: 'CloudFront-Is-Mobile-Viewer', value: 'false' },
    { name: 'CloudFront-Is-SmartTV-Viewer', value: 'false' },
    { name: 'CloudFront-Is-Tablet-Viewer', value: 'false' },
    { name: 'CloudFront-Viewer-ASN', value: '64496' },
    { name: 'CloudFront-Viewer-Country', value: 'US' },
    { name: 'Host', value: executeApiHost(opts.api, env) },
    { name: 'User-Agent', value: SAMPLE_USER_AGENT },
    { name: 'Via', value: `2.0 ${hexId(env, 32)}.cloudfront.net (CloudFront)` },
    { name: 'X-Amz-Cf-Id', value: `${alnumId(env, 54)}==` },
    { name: 'X-Amzn-Trace-Id', value: `Root=1-${traceTime}-${hexId(env, 24)}` },
    { name: 'X-Forwarded-For', value: `${SAMPLE_SOURCE_IP}, 130.176.0.1` },
    { name: 'X-Forwarded-Port', value: '443' },
    { name: 'X-Forwarded-Proto', value: 'https' },
  ];
  if (opts.body !== undefined) headers = setHeader(headers, 'Content-Type', contentType(opts.body));
  for (const h of opts.headers ?? []) headers = setHeader(headers, h.name, h.value);
  return headers;
}

function restIdentity(userAgent: string): Record<string, unknown> {
  return {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp: SAMPLE_SOURCE_IP,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent,
    user: null,
  };
}

function restRequestContext(opts: RestProxyOptions, headers: Pair[], env: EventEnv): Record<string, unknown> {
  const now = env.now();
  const userAgent = headers.find((h) => h.name.toLowerCase() === 'user-agent')?.value ?? SAMPLE_USER_AGENT;
  return {
    resourceId: alnumId(env, 6),
    resourcePath: opts.resource,
    httpMethod: opts.method,
    extendedRequestId: `${alnumId(env, 15)}=`,
    requestTime: clfTime(now),
    path: `/${opts.api.stage}${opts.path}`,
    accountId: env.accountId,
    protocol: 'HTTP/1.1',
    stage: opts.api.stage,
    domainPrefix: opts.api.apiId,
    requestTimeEpoch: now.getTime(),
    requestId: env.uuid(),
    identity: restIdentity(userAgent),
    domainName: executeApiHost(opts.api, env),
    ...(opts.authorizer ? { authorizer: opts.authorizer } : {}),
    apiId: opts.api.apiId,
  };
}

function stageVariablesOf(api: ApiTarget): Record<string, string> | null {
  return api.stageVariables && Object.keys(api.stageVariables).length > 0 ? { ...api.stageVariables } : null;
}

/** The REST API (v1) Lambda proxy integration event. Absent maps and body are `null`, as AWS sends them. */
export function restProxyEvent(opts: RestProxyOptions, env: EventEnv): Record<string, unknown> {
  const headers = restHeaders(opts, env);
  const query = opts.query ?? [];
  return {
    resource: opts.resource,
    path: opts.path,
    httpMethod: opts.method,
    headers: singleValueMap(headers),
    multiValueHeaders: multiValueMap(headers),
    queryStringParameters: singleValueMap(query),
    multiValueQueryStringParameters: multiValueMap(query),
    pathParameters: pathParametersFor(opts.resource, opts.path),
    stageVariables: stageVariablesOf(opts.api),
    requestContext: restRequestContext(opts, headers, env),
    body: opts.body ?? null,
    isBase64Encoded: false,
  };
}

/** REST API TOKEN authorizer input. */
export function tokenAuthorizerEvent(
  opts: { api: ApiTarget; method: string; path: string; token: string },
  env: EventEnv,
): Record<string, unknown> {
  return {
    type: 'TOKEN',
    authorizationToken: opts.token,
    methodArn: methodArn(opts.api, opts.method, opts.path, env),
  };
}

/** REST API REQUEST authorizer input: the proxy event's request fields, without the body. */
export function requestAuthorizerEvent(opts: RestProxyOptions, env: EventEnv): Record<string, unknown> {
  const proxy = restProxyEvent({ ...opts, body: undefined, authorizer: undefined }, env);
  const { body: _body, isBase64Encoded: _b64, ...request } = proxy;
  return { type: 'REQUEST', methodArn: methodArn(opts.api, opts.method, opts.path, env), ...request };
}

/**
 * HTTP API payload format 2.0. Header names are lower-case and repeated headers and query
 * parameters are joined with commas; cookies move to `cookies`; keys without values
 * (`queryStringParameters`, `pathParameters`, `body`, `cookies`, `stageVariables`) are left out, as
 * AWS leaves them out. On a named stage (not `$default`) `rawPath` and `http.path` start with the
 * stage, as AWS sends them.
 */
export function httpApiProxyEvent(opts: HttpApiProxyOptions, env: EventEnv): Record<string, unknown> {
  const now = env.now();
  const stagePrefix = opts.api.stage === '$default' ? '' : `/${opts.api.stage}`;
  const rawPath = `${stagePrefix}${opts.path}`;
  const headers = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  };
  const traceTime = Math.floor(now.getTime() / 1000).toString(16);
  const defaults: Array<[string, string]> = [
    ['accept', '*/*'],
    ['content-length', String(Buffer.byteLength(opts.body ?? '', 'utf8'))],
    ['host', executeApiHost(opts.api, env)],
    ['user-agent', SAMPLE_USER_AGENT],
    ['x-amzn-trace-id', `Root=1-${traceTime}-${hexId(env, 24)}`],
    ['x-forwarded-for', SAMPLE_SOURCE_IP],
    ['x-forwarded-port', '443'],
    ['x-forwarded-proto', 'https'],
  ];
  if (opts.body !== undefined) defaults.push(['content-type', contentType(opts.body)]);
  const given = new Set((opts.headers ?? []).map((h) => h.name.toLowerCase()));
  for (const [name, value] of defaults) if (!given.has(name)) add(name, value);
  const cookies = [...(opts.cookies ?? [])];
  for (const h of opts.headers ?? []) {
    if (h.name.toLowerCase() === 'cookie') cookies.push(...h.value.split(/;\s*/).filter(Boolean));
    else add(h.name, h.value);
  }
  const query = opts.query ?? [];
  const queryMap: Record<string, string> = {};
  for (const p of query) queryMap[p.name] = p.name in queryMap ? `${queryMap[p.name]},${p.value}` : p.value;
  const routeTemplate = opts.routeKey === '$default' ? undefined : opts.routeKey.replace(/^\S+\s+/, '');
  const pathParameters = routeTemplate === undefined ? null : pathParametersFor(routeTemplate, opts.path);
  const userAgent = headers.get('user-agent')?.join(',') ?? SAMPLE_USER_AGENT;
  const stageVariables = stageVariablesOf(opts.api);
  return {
    version: '2.0',
    routeKey: opts.routeKey,
    rawPath,
    rawQueryString: formatQuery(query),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: Object.fromEntries([...headers].map(([k, v]) => [k, v.join(',')])),
    ...(query.length > 0 ? { queryStringParameters: queryMap } : {}),
    requestContext: {
      accountId: env.accountId,
      apiId: opts.api.apiId,
      ...(opts.authorizer ? { authorizer: opts.authorizer } : {}),
      domainName: executeApiHost(opts.api, env),
      domainPrefix: opts.api.apiId,
      http: {
        method: opts.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: SAMPLE_SOURCE_IP,
        userAgent,
      },
      requestId: `${alnumId(env, 15, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}=`,
      routeKey: opts.routeKey,
      stage: opts.api.stage,
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(pathParameters ? { pathParameters } : {}),
    ...(stageVariables ? { stageVariables } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    isBase64Encoded: false,
  };
}
