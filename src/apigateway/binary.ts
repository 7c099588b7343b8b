/**
 * When request bodies reach the function base64-encoded, and when response bodies are decoded.
 *
 * REST APIs: a request body is base64-encoded when its Content-Type matches one of the API's
 * `binaryMediaTypes` (wildcards such as `image/*` and `*\/*` allowed). A response with
 * `isBase64Encoded: true` is decoded to bytes only when the request's Accept header (or, when the
 * request has none, the response's Content-Type) matches a binary media type; otherwise the client receives
 * the base64 text, as on AWS (and `sam local start-api`).
 *
 * HTTP APIs: a request body is base64-encoded unless its Content-Type is textual (text/*, JSON,
 * XML, JavaScript, YAML, GraphQL, and `+json`/`+xml` suffixes; no Content-Type counts as text);
 * a response with `isBase64Encoded: true` is always decoded.
 */

export interface MediaTypeMatcher {
  /** True when `contentType` (parameters allowed) matches one of the configured media types. */
  matches(contentType: string | undefined): boolean;
  readonly empty: boolean;
  /** The normalised media types. */
  readonly types: readonly string[];
}

function essence(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** Precompiles a `binaryMediaTypes` list. */
export function mediaTypeMatcher(types: string[]): MediaTypeMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let any = false;
  // CloudFormation spells `/` as `~1` in BinaryMediaTypes (JSON pointer escaping); accept both.
  const normalised = types.map((t) => t.replace(/~1/g, '/').trim().toLowerCase());
  for (const type of normalised) {
    if (type === '*/*') any = true;
    else if (type.endsWith('/*')) prefixes.push(type.slice(0, -1));
    else exact.add(type);
  }
  const empty = types.length === 0;
  return {
    empty,
    types: normalised,
    matches(contentType) {
      if (empty || contentType === undefined || contentType === '') return false;
      if (any) return true;
      const e = essence(contentType);
      if (exact.has(e)) return true;
      for (const p of prefixes) if (e.startsWith(p)) return true;
      return false;
    },
  };
}

/** True when any media range of an Accept header matches a binary media type (either side may be a wildcard). */
export function acceptMatches(accept: string | undefined, matcher: MediaTypeMatcher): boolean {
  if (!accept || matcher.empty) return false;
  for (const part of accept.split(',')) {
    const e = essence(part);
    if (e === '') continue;
    if (matcher.matches(e)) return true;
    if (e === '*/*') return true;
    if (e.endsWith('/*')) {
      const prefix = e.slice(0, -1);
      if (matcher.types.some((t) => t.startsWith(prefix) || t === '*/*')) return true;
    }
  }
  return false;
}

const TEXT_TYPES = new Set([
  'application/json',
  'application/javascript',
  'application/ecmascript',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/graphql',
  'application/x-javascript',
]);

/** HTTP API rule: is this request Content-Type text (sent as is) rather than binary (base64)? */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === '') return true;
  const e = essence(contentType);
  if (e.startsWith('text/')) return true;
  if (TEXT_TYPES.has(e)) return true;
  return e.endsWith('+json') || e.endsWith('+xml');
}

/** The request body as the event carries it. */
export function encodeRequestBody(
  body: Buffer,
  binary: boolean,
): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  if (binary) return { body: body.toString('base64'), isBase64Encoded: true };
  return { body: body.toString('utf8'), isBase64Encoded: false };
}
