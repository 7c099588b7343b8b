/**
 * The Lambda proxy event of payload format 1.0: REST APIs, and HTTP APIs whose integration uses
 * `payloadFormatVersion: '1.0'` (those add `version: '1.0'`, lower-case header names and the
 * HTTP API's identity keys). Shape per the API Gateway developer guide ("Input format of a Lambda
 * function for proxy integration") and the reference event apigw-request.json.
 */
import { formatRequestTime, headersV1, parseQuery, type GatewayRequest } from './request.ts';

export interface V1EventInput {
  req: GatewayRequest;
  protocol: 'REST' | 'HTTP';
  accountId: string;
  apiId: string;
  stage: string;
  stageVariables: Record<string, string> | null;
  /** Resource path as declared (`/users/{id}`); `$default` for an HTTP API default route. */
  resource: string;
  resourceId: string;
  pathParameters: Record<string, string> | null;
  /** Request body as the event carries it (base64 when binary), null when empty. */
  body: string | null;
  isBase64Encoded: boolean;
  domainName: string;
  domainPrefix: string;
  extendedRequestId: string;
  /** `requestContext.authorizer`, when an authorizer ran. */
  authorizer?: Record<string, unknown>;
  /** The x-api-key of an apiKeyRequired route. */
  apiKey?: string;
  apiKeyId?: string;
}

function queryMaps(raw: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  const parsed = parseQuery(raw);
  if (!parsed) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, values] of parsed) {
    single[name] = values[values.length - 1] as string;
    multi[name] = values;
  }
  return { single, multi };
}

/** Path as API Gateway reports it in `requestContext.path`: with the stage, unless `$default`. */
export function stagePath(stage: string, path: string): string {
  return stage === '$default' ? path : `/${stage}${path}`;
}

export function buildEventV1(input: V1EventInput): Record<string, unknown> {
  const { req } = input;
  const http = input.protocol === 'HTTP';
  const { headers, multiValueHeaders } = headersV1(req.rawHeaders, http);
  const query = queryMaps(req.rawQuery);
  const requestContext = http ? httpContext(input) : restContext(input);
  if (input.authorizer) requestContext.authorizer = input.authorizer;
  const event: Record<string, unknown> = {};
  if (http) event.version = '1.0';
  event.resource = input.resource;
  event.path = req.rawPath;
  event.httpMethod = req.method;
  event.headers = headers;
  event.multiValueHeaders = multiValueHeaders;
  event.queryStringParameters = query.single;
  event.multiValueQueryStringParameters = query.multi;
  event.pathParameters = input.pathParameters;
  event.stageVariables = input.stageVariables;
  event.requestContext = requestContext;
  event.body = input.body;
  event.isBase64Encoded = input.isBase64Encoded;
  return event;
}

function restContext(input: V1EventInput): Record<string, unknown> {
  const { req } = input;
  return {
    resourceId: input.resourceId,
    resourcePath: input.resource,
    httpMethod: req.method,
    extendedRequestId: input.extendedRequestId,
    requestTime: formatRequestTime(req.timeEpoch),
    path: stagePath(input.stage, req.rawPath),
    accountId: input.accountId,
    protocol: req.protocol,
    stage: input.stage,
    domainPrefix: input.domainPrefix,
    requestTimeEpoch: req.timeEpoch,
    requestId: req.requestId,
    identity: {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      apiKey: input.apiKey ?? null,
      apiKeyId: input.apiKeyId ?? null,
      sourceIp: req.sourceIp,
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent: req.userAgent,
      user: null,
    },
    domainName: input.domainName,
    apiId: input.apiId,
  };
}

function httpContext(input: V1EventInput): Record<string, unknown> {
  const { req } = input;
  return {
    accountId: input.accountId,
    apiId: input.apiId,
    domainName: input.domainName,
    domainPrefix: input.domainPrefix,
    extendedRequestId: input.extendedRequestId,
    httpMethod: req.method,
    identity: {
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAmr: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: req.sourceIp,
      user: null,
      userAgent: req.userAgent,
      userArn: null,
    },
    path: stagePath(input.stage, req.rawPath),
    protocol: req.protocol,
    requestId: input.extendedRequestId,
    requestTime: formatRequestTime(req.timeEpoch),
    requestTimeEpoch: req.timeEpoch,
    resourceId: input.resource === '$default' ? '$default' : `${req.method} ${input.resource}`,
    resourcePath: input.resource,
    stage: input.stage,
  };
}
