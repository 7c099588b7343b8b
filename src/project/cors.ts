/** CORS of SAM APIs: REST `Cors` (SAM's quoted-string values) and HTTP `CorsConfiguration`. */
import { describe, invalid, isRecord, type Scope } from './diagnostics.ts';
import type { CorsModel } from './model.ts';

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/**
 * SAM's REST `Cors` values are API Gateway header mapping values, so strings are quoted twice:
 * `"'*'"`, `"'GET,POST'"`. An unquoted value is accepted here with a warning (AWS would reject it).
 */
function unquote(value: unknown, field: string, scope: Scope, warnings: string[]): string {
  if (typeof value !== 'string')
    throw invalid(`Cors.${field} must be a string, found ${describe(value)}`, scope);
  const m = /^'(.*)'$/s.exec(value);
  if (m) return m[1]!;
  warnings.push(
    `${scope.resource ?? 'Api'}: Cors.${field} "${value}" should be a quoted string, e.g. "'${value}'" ` +
      '(SAM passes it to API Gateway as a header mapping value)',
  );
  return value;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** REST API `Cors`: a string (the allowed origin) or AllowOrigin/AllowMethods/AllowHeaders/MaxAge/AllowCredentials. */
export function restCors(
  value: unknown,
  routeMethods: string[],
  scope: Scope,
  warnings: string[],
): CorsModel | undefined {
  if (value === undefined || value === null) return undefined;
  const defaultMethods = routeMethods.includes('ANY')
    ? ALL_METHODS
    : [...new Set([...routeMethods, 'OPTIONS'])].sort();
  if (typeof value === 'string') {
    return {
      allowOrigins: [unquote(value, 'AllowOrigin', scope, warnings)],
      allowMethods: defaultMethods,
      allowHeaders: [],
      exposeHeaders: [],
      allowCredentials: false,
    };
  }
  if (!isRecord(value)) throw invalid(`Cors must be a string or a mapping, found ${describe(value)}`, scope);
  if (value['AllowOrigin'] === undefined)
    throw invalid('Cors needs AllowOrigin', scope, `e.g. AllowOrigin: "'*'"`);
  const cors: CorsModel = {
    allowOrigins: [unquote(value['AllowOrigin'], 'AllowOrigin', scope, warnings)],
    allowMethods:
      value['AllowMethods'] === undefined
        ? defaultMethods
        : list(unquote(value['AllowMethods'], 'AllowMethods', scope, warnings)).map((m) => m.toUpperCase()),
    allowHeaders:
      value['AllowHeaders'] === undefined
        ? []
        : list(unquote(value['AllowHeaders'], 'AllowHeaders', scope, warnings)),
    exposeHeaders: [],
    allowCredentials: value['AllowCredentials'] === true || value['AllowCredentials'] === 'true',
  };
  if (value['MaxAge'] !== undefined) {
    const raw = typeof value['MaxAge'] === 'number' ? String(value['MaxAge']) : value['MaxAge'];
    cors.maxAge = Number(unquote(raw, 'MaxAge', scope, warnings));
  }
  return cors;
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return [value];
  return [];
}

/** HTTP API `CorsConfiguration`: `true` (everything allowed) or the API Gateway v2 Cors object. */
export function httpCors(value: unknown, scope: Scope): CorsModel | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) {
    return {
      allowOrigins: ['*'],
      allowMethods: ['*'],
      allowHeaders: ['*'],
      exposeHeaders: [],
      allowCredentials: false,
    };
  }
  if (!isRecord(value))
    throw invalid(`CorsConfiguration must be true or a mapping, found ${describe(value)}`, scope);
  const cors: CorsModel = {
    allowOrigins: strings(value['AllowOrigins']),
    allowMethods: strings(value['AllowMethods']).map((m) => m.toUpperCase()),
    allowHeaders: strings(value['AllowHeaders']),
    exposeHeaders: strings(value['ExposeHeaders']),
    allowCredentials: value['AllowCredentials'] === true || value['AllowCredentials'] === 'true',
  };
  if (value['MaxAge'] !== undefined) cors.maxAge = Number(value['MaxAge']);
  return cors;
}
