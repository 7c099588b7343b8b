/**
 * CORS as API Gateway applies it.
 *
 * REST APIs (SAM `Cors`): SAM adds an `OPTIONS` method with a mock integration to every path of the
 * API that does not declare one; it answers 200 with the configured Access-Control-Allow-* headers
 * (Allow-Methods defaults to the path's methods plus OPTIONS). Actual responses are the function's
 * own: REST adds no CORS headers to them, so neither do we.
 *
 * HTTP APIs (`CorsConfiguration`): API Gateway answers every preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) itself with 204, whatever the routes, and adds the configured
 * headers to actual responses whose Origin is allowed; CORS headers from the integration are then
 * ignored (dropped).
 */
import type { CorsModel } from '../project/model.ts';

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

export interface CompiledCors {
  readonly model: CorsModel;
  /** REST: headers of the SAM-generated OPTIONS method response for a path with these methods. */
  restPreflightHeaders(pathMethods: string[]): string[];
  /** HTTP: headers of a preflight answer for this Origin (empty when the origin is not allowed). */
  httpPreflightHeaders(origin: string | undefined): string[];
  /** HTTP: CORS headers to add to an actual response (empty when the origin is not allowed). */
  httpResponseHeaders(origin: string | undefined): string[];
}

function originMatcher(allowOrigins: string[]): { any: boolean; test(origin: string): boolean } {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  let any = false;
  for (const o of allowOrigins) {
    const origin = o.trim();
    if (origin === '*') any = true;
    else if (origin.includes('*')) {
      const escaped = origin
        .toLowerCase()
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*');
      patterns.push(new RegExp(`^${escaped}$`));
    } else exact.add(origin.toLowerCase());
  }
  return {
    any,
    test(origin) {
      if (any) return true;
      const o = origin.toLowerCase();
      return exact.has(o) || patterns.some((p) => p.test(o));
    },
  };
}

/** SAM writes REST CORS values as quoted literals (`"'*'"`); API Gateway sends them unquoted. */
function unquote(v: string): string {
  return v.length >= 2 && v.startsWith("'") && v.endsWith("'") ? v.slice(1, -1) : v;
}

export function compileCors(model: CorsModel): CompiledCors {
  const origins = originMatcher(model.allowOrigins.map(unquote));
  const methods = model.allowMethods.map((m) => unquote(m).toUpperCase()).join(',');
  const allowHeaders = model.allowHeaders.map(unquote).join(',');
  const exposeHeaders = model.exposeHeaders.map(unquote).join(',');
  const allowOrigin = (origin: string | undefined): string | undefined => {
    if (origins.any && !model.allowCredentials) return '*';
    if (origin !== undefined && origins.test(origin)) return origin;
    return undefined;
  };
  return {
    model,
    restPreflightHeaders(pathMethods) {
      const headers = ['Access-Control-Allow-Origin', model.allowOrigins.map(unquote).join(',')];
      let allow = methods;
      if (allow === '') {
        const set = new Set<string>(['OPTIONS']);
        for (const m of pathMethods) for (const x of m === 'ANY' ? ALL_METHODS : [m]) set.add(x);
        allow = [...set].sort().join(',');
      }
      headers.push('Access-Control-Allow-Methods', allow);
      if (allowHeaders !== '') headers.push('Access-Control-Allow-Headers', allowHeaders);
      if (model.maxAge !== undefined) headers.push('Access-Control-Max-Age', String(model.maxAge));
      if (model.allowCredentials) headers.push('Access-Control-Allow-Credentials', 'true');
      return headers;
    },
    httpPreflightHeaders(origin) {
      const o = allowOrigin(origin);
      if (o === undefined) return [];
      const headers = ['access-control-allow-origin', o];
      if (methods !== '') headers.push('access-control-allow-methods', methods);
      if (allowHeaders !== '') headers.push('access-control-allow-headers', allowHeaders);
      if (exposeHeaders !== '') headers.push('access-control-expose-headers', exposeHeaders);
      if (model.maxAge !== undefined) headers.push('access-control-max-age', String(model.maxAge));
      if (model.allowCredentials) headers.push('access-control-allow-credentials', 'true');
      return headers;
    },
    httpResponseHeaders(origin) {
      const o = allowOrigin(origin);
      if (o === undefined || origin === undefined) return [];
      const headers = ['access-control-allow-origin', o];
      if (exposeHeaders !== '') headers.push('access-control-expose-headers', exposeHeaders);
      if (model.allowCredentials) headers.push('access-control-allow-credentials', 'true');
      return headers;
    },
  };
}

/** Drops the integration's own Access-Control-* headers (HTTP APIs with CORS configured). */
export function withoutCorsHeaders(headers: string[]): string[] {
  let found = false;
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).toLowerCase().startsWith('access-control-')) found = true;
  }
  if (!found) return headers;
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!(headers[i] as string).toLowerCase().startsWith('access-control-'))
      out.push(headers[i] as string, headers[i + 1] as string);
  }
  return out;
}

/** Is this an HTTP API preflight (OPTIONS with Origin and Access-Control-Request-Method)? */
export function isPreflight(
  method: string,
  origin: string | undefined,
  requestMethod: string | undefined,
): boolean {
  return method === 'OPTIONS' && origin !== undefined && requestMethod !== undefined;
}
