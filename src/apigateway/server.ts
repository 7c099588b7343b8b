/**
 * The request pipeline: match → (preflight | API key | authorizer) → event → invoke → response.
 * One instance serves every API of the template on one port.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Invoker, InvokeResult } from '../runtime/types.ts';
import { AwsServiceError } from '../shared/errors.ts';
import { API_KEY_HEADER, ApiKeyValidator } from './api-keys.ts';
import { AuthorizerService, type AuthorizeRequest } from './authorizers.ts';
import { acceptMatches, encodeRequestBody, isTextContentType } from './binary.ts';
import type { CompiledApi, CompiledApis, LambdaTarget, Target } from './compile.ts';
import { isPreflight, withoutCorsHeaders } from './cors.ts';
import { buildEventV1 } from './event-v1.ts';
import { buildEventV2 } from './event-v2.ts';
import { gatewayError, type ApiProtocol, type GatewayErrorKind } from './gateway-responses.ts';
import { methodArn } from './policy.ts';
import {
  domainPrefixOf,
  extendedRequestId,
  parseQuery,
  readRequestLine,
  type GatewayRequest,
} from './request.ts';
import { parseProxyResponse } from './response.ts';
import type { RouteMatch } from './router.ts';
import { TIMED_OUT, withTimeout } from './timeouts.ts';

/** API Gateway's request payload quota (REST and HTTP APIs). */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

export interface PipelineOptions {
  invoker: Invoker;
  region: string;
  accountId: string;
  clock: () => number;
  log: (line: string) => void;
  accessLog: boolean;
  apiKeys: string[] | undefined;
}

/** Per-request ids beyond GatewayRequest's (the `x-amz-apigw-id` / `apigw-requestid`). */
interface Ids {
  extendedId: string;
}

export class Pipeline {
  compiled: CompiledApis;
  readonly authorizers: AuthorizerService;
  private readonly apiKeys: ApiKeyValidator;

  constructor(
    compiled: CompiledApis,
    private readonly o: PipelineOptions,
  ) {
    this.compiled = compiled;
    this.authorizers = new AuthorizerService(o.invoker, o.clock, o.log);
    this.apiKeys = new ApiKeyValidator(o.apiKeys);
  }

  /** The `http.Server` request listener. Never rejects. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.serve(req, res).catch((err: unknown) => {
      this.o.log(
        `apigateway: internal error on ${req.method ?? ''} ${req.url ?? ''}: ${(err as Error).stack ?? String(err)}`,
      );
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message":"Internal Server Error"}');
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.o.clock();
    const compiled = this.compiled;
    const r = readRequestLine(req, started);
    const ids: Ids = { extendedId: extendedRequestId() };

    const preflight = this.httpPreflight(compiled, r, req);
    if (preflight)
      return this.send(res, r, preflight.api.protocol, ids, 204, preflight.headers, '', started, 'CORS');

    const match = matchRoute(compiled, r.method, r.rawPath);
    if (!match) {
      const protocol = compiled.apis[0]?.protocol ?? 'REST';
      return this.fail(res, r, protocol, ids, 'NotFound', started, '-');
    }
    const target = match.value;
    const protocol = target.api.protocol;

    const body = await readBody(req);
    if (body === undefined) {
      res.shouldKeepAlive = false;
      return this.fail(res, r, protocol, ids, 'RequestTooLarge', started, '-');
    }
    const request: GatewayRequest = { ...r, body };

    if (target.kind === 'cors') {
      return this.send(
        res,
        r,
        protocol,
        ids,
        200,
        ['Content-Type', 'application/json', ...target.headers],
        '',
        started,
        'CORS',
      );
    }
    return this.integrate(res, request, target, match.params, ids, started, req);
  }

  private async integrate(
    res: ServerResponse,
    r: GatewayRequest,
    t: LambdaTarget,
    params: Record<string, string> | null,
    ids: Ids,
    started: number,
    req: IncomingMessage,
  ): Promise<void> {
    const api = t.api;
    const protocol = api.protocol;
    let apiKey: { apiKey: string; apiKeyId: string } | undefined;
    if (t.apiKeyRequired) {
      const check = this.apiKeys.check(req.headers[API_KEY_HEADER]);
      if (!check.ok) return this.fail(res, r, protocol, ids, 'InvalidApiKey', started, t.functionLogicalId);
      apiKey = check;
    }
    const binary =
      protocol === 'REST' ? api.binary.matches(r.contentType) : !isTextContentType(r.contentType);
    const { body, isBase64Encoded } = encodeRequestBody(r.body, binary);
    const domainName = r.host;
    const domainPrefix = domainPrefixOf(r.host);
    const build = (
      format: '1.0' | '2.0',
      withBody: boolean,
      authorizer?: Record<string, unknown>,
    ): Record<string, unknown> => {
      if (format === '2.0') {
        const input: Parameters<typeof buildEventV2>[0] = {
          req: r,
          accountId: this.o.accountId,
          apiId: api.apiId,
          stage: api.stage,
          stageVariables: api.stageVariables,
          routeKey: t.routeKey,
          pathParameters: params,
          body: withBody ? body : null,
          isBase64Encoded: withBody ? isBase64Encoded : false,
          domainName,
          domainPrefix,
          requestId: ids.extendedId,
        };
        if (authorizer) input.authorizer = authorizer;
        return buildEventV2(input);
      }
      const input: Parameters<typeof buildEventV1>[0] = {
        req: r,
        protocol,
        accountId: this.o.accountId,
        apiId: api.apiId,
        stage: api.stage,
        stageVariables: api.stageVariables,
        resource: t.resource,
        resourceId: t.resourceId,
        pathParameters: params,
        body: withBody ? body : null,
        isBase64Encoded: withBody ? isBase64Encoded : false,
        domainName,
        domainPrefix,
        extendedRequestId: ids.extendedId,
      };
      if (authorizer) input.authorizer = authorizer;
      if (apiKey) {
        input.apiKey = apiKey.apiKey;
        input.apiKeyId = apiKey.apiKeyId;
      }
      return buildEventV1(input);
    };

    let authorizerContext: Record<string, unknown> | undefined;
    if (t.authorizer) {
      const authReq: AuthorizeRequest = {
        headers: req.headers,
        query: t.authorizer.sources.some((s) => s.kind === 'query') ? parseQuery(r.rawQuery) : undefined,
        stageVariables: api.stageVariables,
        context: {
          requestId: r.requestId,
          stage: api.stage,
          apiId: api.apiId,
          httpMethod: r.method,
          path: r.rawPath,
        },
        methodArn: methodArn(this.o.region, this.o.accountId, api.apiId, api.stage, r.method, r.rawPath),
        integrationFormat: t.format,
        baseEvent: (format) => build(format, false),
      };
      const outcome = await this.authorizers.authorize(t.authorizer, authReq);
      if (!outcome.ok) return this.fail(res, r, protocol, ids, outcome.kind, started, t.functionLogicalId);
      authorizerContext = outcome.authorizer;
    }

    const event = build(t.format, true, authorizerContext);
    let result: InvokeResult | typeof TIMED_OUT;
    try {
      result = await withTimeout(
        this.o.invoker.invoke(t.functionName, {
          payload: Buffer.from(JSON.stringify(event)),
          traceId: r.traceId,
        }),
        t.timeoutMs,
      );
    } catch (err) {
      return this.invokeFailed(res, r, t, ids, started, err);
    }
    if (result === TIMED_OUT) {
      this.o.log(
        `${t.functionLogicalId}: no response within ${t.timeoutMs} ms (integration timeout) → ${protocol === 'REST' ? 504 : 503}`,
      );
      return this.fail(res, r, protocol, ids, 'IntegrationTimeout', started, t.functionLogicalId);
    }
    if (result.functionError) {
      const e = result.error;
      this.o.log(
        `${t.functionLogicalId}: function error ${e?.errorType ?? result.functionError}: ${e?.errorMessage ?? ''}`,
      );
      return this.fail(res, r, protocol, ids, 'IntegrationFailure', started, t.functionLogicalId);
    }
    const parsed = parseProxyResponse(result.payload, t.format);
    if (!parsed.ok) {
      this.o.log(`${t.functionLogicalId}: malformed Lambda proxy response: ${parsed.reason}`);
      return this.fail(res, r, protocol, ids, 'IntegrationFailure', started, t.functionLogicalId);
    }
    const p = parsed.response;
    let headers = p.headers;
    let out: Buffer | string = p.body;
    if (p.isBase64Encoded) {
      const accept = req.headers.accept;
      const decode =
        protocol === 'HTTP' ||
        (accept ? acceptMatches(accept, api.binary) : api.binary.matches(p.contentType));
      if (decode) out = Buffer.from(p.body, 'base64');
    }
    if (protocol === 'REST' && p.contentType === undefined)
      headers = ['Content-Type', 'application/json', ...headers];
    if (protocol === 'HTTP' && api.cors) {
      headers = [...withoutCorsHeaders(headers), ...api.cors.httpResponseHeaders(req.headers.origin)];
    }
    return this.send(res, r, protocol, ids, p.statusCode, headers, out, started, t.functionLogicalId);
  }

  private invokeFailed(
    res: ServerResponse,
    r: GatewayRequest,
    t: LambdaTarget,
    ids: Ids,
    started: number,
    err: unknown,
  ): void {
    const protocol = t.api.protocol;
    let kind: GatewayErrorKind = 'LambdaServiceError';
    if (err instanceof AwsServiceError) {
      if (err.statusCode === 413) kind = 'RequestTooLarge';
      const why = err.statusCode === 429 ? ' (API Gateway does not forward Lambda throttling as 429)' : '';
      this.o.log(
        `${t.functionLogicalId}: Lambda answered ${err.code} (${err.statusCode}): ${err.message}${why}`,
      );
    } else {
      this.o.log(`${t.functionLogicalId}: invoke failed: ${(err as Error).message ?? String(err)}`);
    }
    this.fail(res, r, protocol, ids, kind, started, t.functionLogicalId);
  }

  /** HTTP APIs answer CORS preflights themselves, whatever the routes. */
  private httpPreflight(
    compiled: CompiledApis,
    r: Omit<GatewayRequest, 'body'>,
    req: IncomingMessage,
  ): { api: CompiledApi; headers: string[] } | undefined {
    const origin = req.headers.origin;
    const requested = req.headers['access-control-request-method'];
    if (!isPreflight(r.method, origin, requested)) return undefined;
    const m = matchRoute(compiled, String(requested).toUpperCase(), r.rawPath);
    let api: CompiledApi | undefined;
    if (m) api = m.value.api.protocol === 'HTTP' && m.value.api.cors ? m.value.api : undefined;
    else api = compiled.apis.find((a) => a.protocol === 'HTTP' && a.cors);
    if (!api?.cors) return undefined;
    return { api, headers: api.cors.httpPreflightHeaders(origin) };
  }

  private fail(
    res: ServerResponse,
    r: Omit<GatewayRequest, 'body'>,
    protocol: ApiProtocol,
    ids: Ids,
    kind: GatewayErrorKind,
    started: number,
    target: string,
  ): void {
    const e = gatewayError(protocol, kind);
    this.send(res, r, protocol, ids, e.statusCode, e.headers, e.body, started, target);
  }

  private send(
    res: ServerResponse,
    r: Omit<GatewayRequest, 'body'>,
    protocol: ApiProtocol,
    ids: Ids,
    status: number,
    headers: string[],
    body: Buffer | string,
    started: number,
    target: string,
  ): void {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const all =
      protocol === 'REST'
        ? [
            ...headers,
            'x-amzn-RequestId',
            r.requestId,
            'x-amz-apigw-id',
            ids.extendedId,
            'X-Amzn-Trace-Id',
            r.traceId,
          ]
        : [...headers, 'apigw-requestid', ids.extendedId];
    all.push('Content-Length', String(length));
    try {
      res.writeHead(status, all);
    } catch (err) {
      // An invalid header name or value from the function: API Gateway would reject the response too.
      this.o.log(`${target}: invalid response header (${(err as Error).message})`);
      const e = gatewayError(protocol, 'IntegrationFailure');
      res.writeHead(e.statusCode, [...e.headers, 'Content-Length', String(Buffer.byteLength(e.body))]);
      res.end(r.method === 'HEAD' ? undefined : e.body);
      return;
    }
    res.end(r.method === 'HEAD' ? undefined : body);
    if (this.o.accessLog) {
      this.o.log(
        `${r.method} ${r.rawPath}${r.rawQuery ? '?' + r.rawQuery : ''} ${status} ${this.o.clock() - started}ms ${target}`,
      );
    }
  }
}

/** Matches at the root, then (for `/<stage>/...`) with a known stage name stripped. */
export function matchRoute(
  compiled: CompiledApis,
  method: string,
  rawPath: string,
): RouteMatch<Target> | undefined {
  const m = compiled.router.match(method, rawPath);
  if (m && !(m.value.kind === 'lambda' && m.value.route.path === '$default')) return m;
  if (compiled.stages.size > 0) {
    const slash = rawPath.indexOf('/', 1);
    const stage = slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash);
    if (compiled.stages.has(stage)) {
      const rest = slash === -1 ? '/' : rawPath.slice(slash);
      const s = compiled.router.match(method, rest);
      if (
        s &&
        s.value.api.stage === stage &&
        !(s.value.kind === 'lambda' && s.value.route.path === '$default')
      )
        return s;
    }
  }
  return m;
}

/** Reads the body, or undefined when it exceeds MAX_REQUEST_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_REQUEST_BODY_BYTES) return Promise.resolve(undefined);
  if (declared === '0' || (declared === undefined && req.headers['transfer-encoding'] === undefined)) {
    return Promise.resolve(EMPTY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('client aborted the request')));
  });
}

const EMPTY = Buffer.alloc(0);
