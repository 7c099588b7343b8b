/**
 * `Code.Location` of GetFunction: on AWS a presigned S3 URL that downloads the deployment package;
 * here a URL on the edge, `/_slipway/lambda/code/<sha256 hex>.zip`, that serves the stored package
 * (content-addressed, so the URL names exactly the bytes whose CodeSha256 GetFunction reports).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CodeRef } from './code-package.ts';

export const CODE_LOCATION_PATH = '/_slipway/lambda/code/';
const BLOB_RE = /^[0-9a-f]{64}\.zip$/;

export function codeLocationUrl(endpointUrl: string, code: CodeRef): string {
  return `${endpointUrl}${CODE_LOCATION_PATH}${code.hex}.zip`;
}

function notFound(res: ServerResponse): void {
  const body = 'No such deployment package.\n';
  res.writeHead(404, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Answers GET/HEAD of a package URL from `blobDir`; false for any other request. */
export async function serveCodeLocation(
  blobDir: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = req.url ?? '';
  if (!url.startsWith(CODE_LOCATION_PATH)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const name = url.slice(CODE_LOCATION_PATH.length).split('?')[0] ?? '';
  if (!BLOB_RE.test(name)) {
    notFound(res);
    return true;
  }
  const path = join(blobDir, name);
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) {
    notFound(res);
    return true;
  }
  res.writeHead(200, { 'content-type': 'application/zip', 'content-length': size });
  if (req.method === 'HEAD') res.end();
  else await pipeline(createReadStream(path), res).catch(() => res.destroy());
  return true;
}
