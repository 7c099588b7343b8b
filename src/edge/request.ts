/** Builds the AwsRequest a service receives from a raw Node request (edge/dispatch.ts decides which service). */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseSigV4 } from '../protocols/sigv4.ts';
import { AwsError, type AwsRequest, type Caller } from '../services/types.ts';

export function toAwsRequest(
  req: IncomingMessage,
  defaultRegion: string,
  resolveCaller: (accessKeyId: string) => Caller | undefined = (accessKeyId) => ({ accessKeyId }),
): AwsRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const query = new URLSearchParams(rawQuery);
  const scope = parseSigV4(req.headers, query);
  let consumed = false;
  return {
    requestId: randomUUID(),
    method: req.method ?? 'GET',
    rawPath,
    rawQuery,
    query,
    headers: req.headers,
    host: req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '',
    region: scope?.region ?? defaultRegion,
    signingService: scope?.service,
    caller: scope ? resolveCaller(scope.accessKeyId) : undefined,
    stream: req,
    async body(maxBytes = 64 * 1024 * 1024) {
      if (consumed) throw new Error('request body already read');
      consumed = true;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > maxBytes)
          throw new AwsError('RequestEntityTooLarge', `Request body exceeds ${maxBytes} bytes.`, 413);
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    },
  };
}
