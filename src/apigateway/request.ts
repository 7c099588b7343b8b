/**
 * The parts of an HTTP request every event builder needs, read once from Node's IncomingMessage,
 * and the small parsers (headers, query string, cookies, times) the v1 and v2 events share.
 */
import type { IncomingMessage } from 'node:http';
import { randomFillSync, randomUUID } from 'node:crypto';

export interface GatewayRequest {
  method: string;
  /** Path as sent, still percent-encoded, without the query string. */
  rawPath: string;
  /** Query string as sent, without `?` ('' when none). */
  rawQuery: string;
  /**
   * Node's rawHeaders (flat name/value list, original case), followed by the headers API Gateway
   * adds itself (X-Forwarded-For, X-Forwarded-Port, X-Forwarded-Proto, X-Amzn-Trace-Id).
   */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** `HTTP/1.1`. */
  protocol: string;
  /** Host header (what the client used to reach us), e.g. `127.0.0.1:3000`. */
  host: string;
  userAgent: string;
  contentType: string | undefined;
  timeEpoch: number;
  requestId: string;
  /** `Root=1-...` X-Ray trace id, also sent to the runtime. */
  traceId: string;
}

export function readRequestLine(req: IncomingMessage, now: number): Omit<GatewayRequest, 'body'> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const socket = req.socket;
  let sourceIp = socket.remoteAddress ?? '127.0.0.1';
  if (sourceIp.startsWith('::ffff:')) sourceIp = sourceIp.slice(7);
  const h = req.headers;
  const traceId = traceIdFor(now);
  const raw = req.rawHeaders.slice();
  const xff = h['x-forwarded-for'];
  raw.push(
    'X-Forwarded-For',
    typeof xff === 'string' && xff !== '' ? `${xff}, ${sourceIp}` : sourceIp,
    'X-Forwarded-Port',
    String(socket.localPort ?? 80),
    'X-Forwarded-Proto',
    'http',
    'X-Amzn-Trace-Id',
    traceId,
  );
  // The client's own X-Forwarded-* / X-Amzn-Trace-Id are replaced by the gateway's (XFF appended to).
  return {
    method: req.method ?? 'GET',
    rawPath: rawPath === '' ? '/' : rawPath,
    rawQuery,
    rawHeaders: dropClientForwarded(raw),
    sourceIp,
    protocol: `HTTP/${req.httpVersion}`,
    host: h.host ?? 'localhost',
    userAgent: h['user-agent'] ?? '',
    contentType: h['content-type'],
    timeEpoch: now,
    requestId: randomUUID(),
    traceId,
  };
}

function dropClientForwarded(raw: string[]): string[] {
  const added = raw.length - 8;
  let clean = true;
  for (let i = 0; i < added; i += 2) {
    const c = (raw[i] as string).charCodeAt(0) | 32;
    if (c === 120 /* x */ && isGatewayHeader(raw[i] as string)) clean = false;
  }
  if (clean) return raw;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (i < added && isGatewayHeader(raw[i] as string)) continue;
    out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

function isGatewayHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (
    n === 'x-forwarded-for' ||
    n === 'x-forwarded-port' ||
    n === 'x-forwarded-proto' ||
    n === 'x-amzn-trace-id'
  );
}

/** Random bytes drawn from a pooled buffer: one `randomFillSync` per 256 requests, not two per request. */
const POOL_SIZE = 256 * 32;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomSlice(n: number): Buffer {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return slice;
}

function traceIdFor(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomSlice(12).toString('hex')}`;
}

/** REST / payload 1.0 headers: original case; `headers` keeps the last value of a repeated header. */
export function headersV1(
  raw: string[],
  lowerCase: boolean,
): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = lowerCase ? (raw[i] as string).toLowerCase() : (raw[i] as string);
    const value = raw[i + 1] as string;
    headers[name] = value;
    const list = multiValueHeaders[name];
    if (list) list.push(value);
    else multiValueHeaders[name] = [value];
  }
  return { headers, multiValueHeaders };
}

/** Payload 2.0 headers: lower-cased, repeated values comma-joined; `cookie` moves to `cookies`. */
export function headersV2(raw: string[]): { headers: Record<string, string>; cookies: string[] | undefined } {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name === 'cookie') {
      cookies ??= [];
      for (const c of value.split(';')) {
        const t = c.trim();
        if (t !== '') cookies.push(t);
      }
      continue;
    }
    const prev = headers[name];
    headers[name] = prev === undefined ? value : `${prev},${value}`;
  }
  return { headers, cookies };
}

function decodeQueryPart(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Query string → decoded name → values (in order). `+` is kept as is, as API Gateway does. */
export function parseQuery(raw: string): Map<string, string[]> | undefined {
  if (raw === '') return undefined;
  const out = new Map<string, string[]>();
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeQueryPart(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeQueryPart(pair.slice(eq + 1));
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out.size === 0 ? undefined : out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let cachedSecond = -1;
let cachedTime = '';

/** `15/May/2020:06:01:09 +0000`, API Gateway's `requestTime` (cached per second). */
export function formatRequestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second === cachedSecond) return cachedTime;
  const d = new Date(second * 1000);
  const p = (n: number): string => (n < 10 ? `0${n}` : String(n));
  cachedTime = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} +0000`;
  cachedSecond = second;
  return cachedTime;
}

/** API Gateway's `extendedRequestId` / `x-amz-apigw-id` look: 16 base64 characters ending in `=`. */
export function extendedRequestId(): string {
  return randomSlice(11).toString('base64').slice(0, 15) + '=';
}

/** `domainPrefix`: the first label of the domain name (`127.0.0.1:3000` → `127`, `localhost:3000` → `localhost`). */
export function domainPrefixOf(host: string): string {
  const colon = host.lastIndexOf(':');
  const name = colon > 0 && host.indexOf(']') < colon ? host.slice(0, colon) : host;
  const dot = name.indexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}
