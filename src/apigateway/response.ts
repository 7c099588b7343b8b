/**
 * Maps a Lambda proxy response (the function's JSON payload) to an HTTP response.
 *
 * Payload format 1.0 (REST, and HTTP APIs with 1.0): an object with `statusCode` (integer or
 * numeric string), optional `headers`, `multiValueHeaders` (merged; a name in both takes only the
 * multi values), `body` (string) and `isBase64Encoded`. Anything else is a malformed proxy
 * response: REST answers 502 `{"message": "Internal server error"}`, HTTP 500 (see
 * gateway-responses.ts), and the reason goes to the log. Unknown extra keys are ignored.
 *
 * Payload format 2.0: the same keys plus `cookies` (each becomes a Set-Cookie) — `multiValueHeaders`
 * is ignored — and the shorthand: valid JSON without `statusCode` is returned as 200
 * `application/json` with the payload as body (a JSON string is returned as the bare string).
 */

export interface ProxyResponse {
  statusCode: number;
  /** Flat [name, value, ...] list as the function gave it (hop-by-hop headers dropped). */
  headers: string[];
  body: string;
  isBase64Encoded: boolean;
  /** The Content-Type the function set, if any. */
  contentType: string | undefined;
}

export type ParsedResponse = { ok: true; response: ProxyResponse } | { ok: false; reason: string };

const DROPPED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

function malformed(reason: string): ParsedResponse {
  return { ok: false, reason };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function headerValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function statusOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function parseJson(payload: Buffer): { ok: true; value: unknown; text: string } | { ok: false } {
  const text = payload.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown, text };
  } catch {
    return { ok: false };
  }
}

export function parseProxyResponse(payload: Buffer, format: '1.0' | '2.0'): ParsedResponse {
  const parsed = parseJson(payload);
  if (!parsed.ok) {
    return malformed(`the function's response is not valid JSON: ${truncate(payload.toString('utf8'))}`);
  }
  const value = parsed.value;
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (format === '2.0' && !(isObject && 'statusCode' in value)) {
    return {
      ok: true,
      response: {
        statusCode: 200,
        headers: ['content-type', 'application/json'],
        body: typeof value === 'string' ? value : parsed.text,
        isBase64Encoded: false,
        contentType: 'application/json',
      },
    };
  }
  if (!isObject) {
    return malformed(
      `a proxy response must be an object with a statusCode, but the function returned ${describe(value)}`,
    );
  }
  return structured(value as Record<string, unknown>, format);
}

function structured(r: Record<string, unknown>, format: '1.0' | '2.0'): ParsedResponse {
  const statusCode = statusOf(r.statusCode);
  if (statusCode === undefined) {
    return malformed(
      r.statusCode === undefined
        ? 'the proxy response has no statusCode'
        : `statusCode must be an HTTP status number, got ${describe(r.statusCode)}`,
    );
  }
  const body = r.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return malformed(`body must be a string, got ${describe(body)} (JSON.stringify it)`);
  }
  const b64 = r.isBase64Encoded;
  if (b64 !== undefined && b64 !== null && typeof b64 !== 'boolean' && b64 !== 'true' && b64 !== 'false') {
    return malformed(`isBase64Encoded must be a boolean, got ${describe(b64)}`);
  }
  const headers: string[] = [];
  let contentType: string | undefined;
  const push = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) return;
    if (lower === 'content-type') contentType = value;
    headers.push(name, value);
  };
  const multiNames = new Set<string>();
  if (format === '1.0' && r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    const mv = r.multiValueHeaders;
    if (typeof mv !== 'object' || Array.isArray(mv))
      return malformed(`multiValueHeaders must be an object, got ${describe(mv)}`);
    for (const [name, values] of Object.entries(mv as Record<string, unknown>)) {
      if (!Array.isArray(values))
        return malformed(`multiValueHeaders.${name} must be an array, got ${describe(values)}`);
      multiNames.add(name.toLowerCase());
      for (const v of values as unknown[]) {
        const s = headerValue(v);
        if (s === undefined)
          return malformed(`multiValueHeaders.${name} holds ${describe(v)}; header values are strings`);
        push(name, s);
      }
    }
  }
  if (r.headers !== undefined && r.headers !== null) {
    const h = r.headers;
    if (typeof h !== 'object' || Array.isArray(h))
      return malformed(`headers must be an object, got ${describe(h)}`);
    for (const [name, v] of Object.entries(h as Record<string, unknown>)) {
      if (multiNames.has(name.toLowerCase())) continue;
      if (v === null || v === undefined) continue;
      const s = headerValue(v);
      if (s === undefined) return malformed(`headers.${name} is ${describe(v)}; header values are strings`);
      push(name, s);
    }
  }
  if (format === '2.0' && r.cookies !== undefined && r.cookies !== null) {
    if (!Array.isArray(r.cookies))
      return malformed(`cookies must be an array of strings, got ${describe(r.cookies)}`);
    for (const c of r.cookies as unknown[]) {
      if (typeof c !== 'string') return malformed(`cookies holds ${describe(c)}; cookies are strings`);
      headers.push('set-cookie', c);
    }
  }
  return {
    ok: true,
    response: {
      statusCode,
      headers,
      body: typeof body === 'string' ? body : '',
      isBase64Encoded: b64 === true || b64 === 'true',
      contentType,
    },
  };
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
