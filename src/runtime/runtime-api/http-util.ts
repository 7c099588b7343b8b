import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiResult } from './target.ts';

/** Reads a request body up to `limit` bytes; beyond it, drains and reports the size only. */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; bytes: number }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) parts.push(chunk);
    });
    req.on('end', () => {
      resolve({ body: bytes <= limit ? Buffer.concat(parts, bytes) : Buffer.alloc(0), bytes });
    });
    req.on('error', reject);
  });
}

export function sendResult(res: ServerResponse, result: ApiResult): void {
  if (res.headersSent || res.destroyed) return;
  const body =
    'errorType' in result
      ? JSON.stringify({ errorMessage: result.errorMessage, errorType: result.errorType })
      : '{"status":"OK"}';
  res.writeHead(result.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
