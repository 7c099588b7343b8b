/**
 * The one HTTP front door for the AWS APIs (default http://127.0.0.1:4566). Today it answers
 * Slipway's own health check; the emulated services register here as they land (DESIGN.md).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../shared/net.ts';

export type EdgeRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface EdgeOptions {
  host: string;
  port: number;
  /** What `GET /_slipway/health` reports besides `status`. */
  health: () => Record<string, unknown>;
  routes?: EdgeRoute[];
}

export interface EdgeHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const HEALTH_PATH = '/_slipway/health';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startEdge(options: EdgeOptions): Promise<EdgeHandle> {
  const routes = options.routes ?? [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const path = (req.url ?? '/').split('?')[0];
        if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
          sendJson(res, 200, { status: 'ready', ...options.health() });
          return;
        }
        for (const route of routes) if (await route(req, res)) return;
        sendJson(res, 404, {
          __type: 'UnknownOperationException',
          message: `Slipway does not serve ${req.method ?? 'GET'} ${path} on this endpoint yet`,
        });
      } catch (err) {
        if (!res.headersSent) sendJson(res, 500, { __type: 'InternalFailure', message: String(err) });
        else res.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, options.port, options.host, '--port');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
