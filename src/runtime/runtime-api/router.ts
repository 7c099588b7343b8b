/**
 * The HTTP Runtime API of one environment, on its own loopback listener (the port identifies the
 * environment). Reads like the API reference: four routes, anything else 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleError } from './error.ts';
import { sendResult } from './http-util.ts';
import { handleInitError } from './init-error.ts';
import { handleNext } from './next.ts';
import { handleResponse } from './response.ts';
import type { RuntimeApiTarget } from './target.ts';

const PREFIX = '/2018-06-01/runtime/';

export interface RuntimeApiServer {
  /** `127.0.0.1:<port>`, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  close(): void;
}

function notFound(res: ServerResponse): void {
  sendResult(res, { status: 404, errorType: 'NotFound', errorMessage: 'Not found' });
}

function route(target: RuntimeApiTarget, req: IncomingMessage, res: ServerResponse): Promise<void> | void {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.startsWith(PREFIX)) return notFound(res);
  const rest = path.slice(PREFIX.length);
  if (rest === 'invocation/next') {
    if (req.method !== 'GET') return notFound(res);
    return handleNext(target, req, res);
  }
  if (rest === 'init/error') {
    if (req.method !== 'POST') return notFound(res);
    return handleInitError(target, req, res);
  }
  if (rest.startsWith('invocation/') && req.method === 'POST') {
    const parts = rest.split('/');
    if (parts.length === 3 && parts[1]) {
      const requestId = decodeURIComponent(parts[1]);
      if (parts[2] === 'response') return handleResponse(target, requestId, req, res);
      if (parts[2] === 'error') return handleError(target, requestId, req, res);
    }
  }
  notFound(res);
}

export function startRuntimeApi(target: RuntimeApiTarget): Promise<RuntimeApiServer> {
  const server = createServer({ keepAliveTimeout: 0, requestTimeout: 0 }, (req, res) => {
    let pending: Promise<void> | void;
    try {
      pending = route(target, req, res);
    } catch {
      sendResult(res, { status: 500, errorType: 'ServiceException', errorMessage: 'Internal error' });
      return;
    }
    if (pending)
      pending.catch(() => {
        sendResult(res, { status: 500, errorType: 'ServiceException', errorMessage: 'Internal error' });
      });
  });
  server.headersTimeout = 0;
  server.on('clientError', (_err, socket) => {
    socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        address: `127.0.0.1:${port}`,
        close() {
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}
