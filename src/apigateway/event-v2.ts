/**
 * The Lambda proxy event of payload format 2.0 (HTTP APIs). Shape per the API Gateway developer
 * guide ("Working with AWS Lambda proxy integrations for HTTP APIs") and the reference events
 * apigw-v2-request-*.json. Optional keys are omitted, not null, exactly when AWS omits them:
 * `cookies` (no Cookie header), `queryStringParameters` (no query), `pathParameters` (no path
 * variables), `body` (empty body), `stageVariables` (none), `requestContext.authorizer` (no
 * authorizer), `requestContext.authentication` (mutual TLS only — never here).
 */
import { formatRequestTime, headersV2, parseQuery, type GatewayRequest } from './request.ts';

export interface V2EventInput {
  req: GatewayRequest;
  accountId: string;
  apiId: string;
  stage: string;
  stageVariables: Record<string, string> | null;
  /** `GET /users/{id}`, `ANY /{proxy+}` or `$default`. */
  routeKey: string;
  pathParameters: Record<string, string> | null;
  body: string | null;
  isBase64Encoded: boolean;
  domainName: string;
  domainPrefix: string;
  /** HTTP APIs use a short id (`apigw-requestid`) as `requestContext.requestId`. */
  requestId: string;
  authorizer?: Record<string, unknown>;
}

function queryV2(raw: string): Record<string, string> | undefined {
  const parsed = parseQuery(raw);
  if (!parsed) return undefined;
  const out: Record<string, string> = {};
  for (const [name, values] of parsed) out[name] = values.join(',');
  return out;
}

export function buildEventV2(input: V2EventInput): Record<string, unknown> {
  const { req } = input;
  const { headers, cookies } = headersV2(req.rawHeaders);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: req.rawPath,
    rawQueryString: req.rawQuery,
  };
  if (cookies) event.cookies = cookies;
  event.headers = headers;
  const query = queryV2(req.rawQuery);
  if (query) event.queryStringParameters = query;
  if (input.pathParameters) event.pathParameters = input.pathParameters;
  const requestContext: Record<string, unknown> = {
    accountId: input.accountId,
    apiId: input.apiId,
  };
  if (input.authorizer) requestContext.authorizer = input.authorizer;
  requestContext.domainName = input.domainName;
  requestContext.domainPrefix = input.domainPrefix;
  requestContext.http = {
    method: req.method,
    path: req.rawPath,
    protocol: req.protocol,
    sourceIp: req.sourceIp,
    userAgent: req.userAgent,
  };
  requestContext.requestId = input.requestId;
  requestContext.routeKey = input.routeKey;
  requestContext.stage = input.stage;
  requestContext.time = formatRequestTime(req.timeEpoch);
  requestContext.timeEpoch = req.timeEpoch;
  event.requestContext = requestContext;
  if (input.body !== null) event.body = input.body;
  event.isBase64Encoded = input.isBase64Encoded;
  if (input.stageVariables) event.stageVariables = input.stageVariables;
  return event;
}
