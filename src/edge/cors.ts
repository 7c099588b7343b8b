/**
 * CORS for the AWS SDKs in a browser: preflights are answered permissively (local development),
 * and every answer to a request that carries `Origin` lets the page read it, including the headers
 * the SDKs need (ETag for multipart uploads, x-amz-* for request ids, versions, checksums).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOW_METHODS = 'GET, PUT, POST, DELETE, HEAD, PATCH, OPTIONS';
const EXPOSE_HEADERS = [
  'ETag',
  'Content-Length',
  'Content-Type',
  'Content-Range',
  'Last-Modified',
  'x-amz-request-id',
  'x-amz-id-2',
  'x-amz-version-id',
  'x-amz-delete-marker',
  'x-amz-meta-*',
  'x-amz-server-side-encryption',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
  'x-amz-expiration',
  'x-amz-log-result',
  'x-amz-function-error',
  'x-amz-executed-version',
  'x-amzn-requestid',
  'x-amzn-errortype',
  'x-amzn-error-message',
].join(', ');
const PREFLIGHT_MAX_AGE = '86400';

/** Adds the response CORS headers when the request came from a browser page (it has `Origin`). */
export function addCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  res.setHeader('access-control-allow-origin', origin || '*');
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  res.setHeader('vary', 'Origin');
}

/** Answers an OPTIONS preflight: any origin, method and requested headers. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(200, {
    'access-control-allow-origin': req.headers.origin || '*',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': ALLOW_METHODS,
    'access-control-allow-headers': typeof requested === 'string' && requested ? requested : '*',
    'access-control-expose-headers': EXPOSE_HEADERS,
    'access-control-max-age': PREFLIGHT_MAX_AGE,
    vary: 'Origin, Access-Control-Request-Headers',
    'x-amzn-requestid': requestId,
    'content-length': 0,
  });
  res.end();
}
