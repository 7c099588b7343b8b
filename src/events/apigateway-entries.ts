/** Registry entries of the `apigateway` source: option declarations and template lookups. */
import type { ApiModel, RouteModel } from '../project/model.ts';
import {
  type ApiTarget,
  type RestProxyOptions,
  httpApiProxyEvent,
  requestAuthorizerEvent,
  restProxyEvent,
  tokenAuthorizerEvent,
} from './apigateway.ts';
import { matchTemplate, parseHeaders, parseQuery, samplePath } from './http.ts';
import type { EventOption, EventSource, GenerateContext, OptionReader } from './registry.ts';
import { apiIdFor, apiTarget, findApi } from './resolve.ts';

/** The id SAM-style samples use for an API that is not in a template. */
export const PLACEHOLDER_API_ID = apiIdFor('slipway-example-api');

const REST_OPTIONS: EventOption[] = [
  {
    name: 'api',
    description:
      'REST API (AWS::Serverless::Api logical id) of the template to take the id, stage and routes from',
  },
  { name: 'method', description: 'HTTP method', default: 'POST' },
  { name: 'path', description: 'request path without the stage (default: a sample path for --resource)' },
  {
    name: 'resource',
    description:
      "resource template that matched, e.g. '/users/{id}' (default: the template's route matching --path, else '/{proxy+}')",
  },
  {
    name: 'body',
    description: 'request body (default for methods other than GET/HEAD/OPTIONS/DELETE)',
    default: '{"message": "hello world"}',
  },
  { name: 'stage', description: "stage name (default: the API's stage, else 'Prod')" },
  {
    name: 'query',
    description: "query string parameter 'name=value' (repeatable; 'a=1&b=2' also works)",
    multiple: true,
  },
  { name: 'header', description: "request header 'Name: value' (repeatable)", multiple: true },
];

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function routeFor(api: ApiModel | undefined, method: string, path: string): RouteModel | undefined {
  if (!api) return undefined;
  const fits = (r: RouteModel): boolean =>
    r.path !== '$default' &&
    matchTemplate(r.path, path) !== undefined &&
    (r.method === method || r.method === 'ANY');
  // Prefer literal segments over parameters, as API Gateway does.
  return api.routes
    .filter(fits)
    .sort((a, b) => b.path.replace(/\{[^}]+\}/g, '').length - a.path.replace(/\{[^}]+\}/g, '').length)[0];
}

function restOptions(o: OptionReader, ctx: GenerateContext): RestProxyOptions {
  const api = findApi(ctx.project, o.given('api'), 'REST');
  const target: ApiTarget = apiTarget(api, ctx.project, o.given('stage'), 'Prod', PLACEHOLDER_API_ID);
  const method = o.string('method').toUpperCase();
  const givenPath = o.given('path');
  const resource =
    o.given('resource') ?? (givenPath ? routeFor(api, method, givenPath)?.path : undefined) ?? '/{proxy+}';
  const path = givenPath ?? samplePath(resource);
  const body = o.has('body') ? o.given('body') : BODYLESS.has(method) ? undefined : o.optional('body');
  return {
    api: target,
    method,
    path,
    resource,
    body,
    query: parseQuery(o.list('query')),
    headers: parseHeaders(o.list('header')),
  };
}

function httpRouteKey(o: OptionReader, api: ApiModel | undefined, method: string, path: string): string {
  const given = o.given('route');
  if (given !== undefined) return given;
  const route = routeFor(api, method, path);
  return route ? `${route.method} ${route.path}` : '$default';
}

export const apigateway: EventSource = {
  description: 'Amazon API Gateway (REST and HTTP APIs)',
  types: {
    'aws-proxy': {
      description: 'REST API (v1) Lambda proxy integration request',
      options: REST_OPTIONS,
      generate: (o, ctx) => restProxyEvent(restOptions(o, ctx), ctx.env),
    },
    'http-api-proxy': {
      description: 'HTTP API (v2) Lambda proxy request, payload format 2.0',
      options: [
        { name: 'api', description: 'HTTP API (AWS::Serverless::HttpApi logical id) of the template' },
        { name: 'method', description: 'HTTP method', default: 'GET' },
        { name: 'path', description: 'request path without the stage', default: '/' },
        {
          name: 'route',
          description:
            "route key, '$default' or 'GET /items/{id}' (default: the template's route matching --path)",
        },
        { name: 'body', description: 'request body (absent by default)' },
        { name: 'stage', description: "stage name (default: the API's stage, else '$default')" },
        { name: 'query', description: "query string parameter 'name=value' (repeatable)", multiple: true },
        { name: 'header', description: "request header 'Name: value' (repeatable)", multiple: true },
        { name: 'cookie', description: "cookie 'name=value' (repeatable)", multiple: true },
      ],
      generate: (o, ctx) => {
        const api = findApi(ctx.project, o.given('api'), 'HTTP');
        const method = o.string('method').toUpperCase();
        const path = o.given('path') ?? o.string('path');
        return httpApiProxyEvent(
          {
            api: apiTarget(api, ctx.project, o.given('stage'), '$default', PLACEHOLDER_API_ID),
            method,
            path,
            routeKey: httpRouteKey(o, api, method, path),
            body: o.given('body'),
            query: parseQuery(o.list('query')),
            headers: parseHeaders(o.list('header')),
            cookies: o.list('cookie'),
          },
          ctx.env,
        );
      },
    },
    authorizer: {
      description: 'REST API TOKEN Lambda authorizer request',
      options: [
        { name: 'api', description: 'REST API (logical id) of the template' },
        {
          name: 'token',
          description: 'the authorization token (the identity source header value)',
          default: 'incoming-client-token',
        },
        { name: 'method', description: 'HTTP method of the request being authorized', default: 'GET' },
        { name: 'path', description: 'path of the request being authorized', default: '/' },
        { name: 'stage', description: "stage name (default: the API's stage, else 'Prod')" },
      ],
      generate: (o, ctx) => {
        const api = findApi(ctx.project, o.given('api'), 'REST');
        return tokenAuthorizerEvent(
          {
            api: apiTarget(api, ctx.project, o.given('stage'), 'Prod', PLACEHOLDER_API_ID),
            method: o.string('method').toUpperCase(),
            path: o.string('path'),
            token: o.string('token'),
          },
          ctx.env,
        );
      },
    },
    'request-authorizer': {
      description: 'REST API REQUEST Lambda authorizer request',
      options: REST_OPTIONS.filter((opt) => opt.name !== 'body').map((opt) =>
        opt.name === 'method' ? { ...opt, default: 'GET' } : opt,
      ),
      generate: (o, ctx) => requestAuthorizerEvent(restOptions(o, ctx), ctx.env),
    },
  },
};
