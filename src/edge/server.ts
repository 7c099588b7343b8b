/**
 * The one HTTP front door for the AWS APIs (default http://127.0.0.1:4566): Slipway's health
 * check, CORS for browser SDKs, and every other request dispatched to the emulated service its
 * protocol names (./dispatch.ts), with the caller attributed from its access key (DESIGN.md).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { listen } from '../shared/net.ts';
import type { AwsRequest, AwsService, Caller } from '../services/types.ts';
import { answerPreflight, addCorsHeaders } from './cors.ts';
import { createDispatcher, isFormRequest, operationOf, withBufferedForm } from './dispatch.ts';
import { sendEdgeError, unknownOperation } from './errors.ts';
import { RecentCalls, type RecentCall } from './recent-calls.ts';
import { toAwsRequest } from './request.ts';

export type { RecentCall } from './recent-calls.ts';

/** A raw route tried before dispatch (returns true when it answered). */
export type EdgeRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface EdgeOptions {
  host: string;
  port: number;
  /** What `GET /_slipway/health` reports besides `status`. */
  health: () => Record<string, unknown>;
  /** The emulated services; requests are dispatched among them. */
  services?: AwsService[];
  /** Region of unsigned requests (default us-east-1). */
  region?: string;
  /** Who owns an access key (the app passes one built from runtime.environmentByAccessKey). */
  resolveCaller?: (accessKeyId: string) => Caller | undefined;
  /** Raw routes tried before dispatch (rarely needed). */
  routes?: EdgeRoute[];
  /** Size of the recent attributed calls ring (default 1000). */
  recentCallsLimit?: number;
  /** Called with faults inside a service (after the client got a 500). */
  onError?: (err: unknown, req: AwsRequest) => void;
}

export interface EdgeHandle {
  url: string;
  port: number;
  /** Recent calls attributed to a function environment (caller.functionLogicalId), oldest first. */
  recentCalls(): RecentCall[];
  /** Push each attributed call as it completes; returns the unsubscribe function. */
  onCall(listener: (call: RecentCall) => void): () => void;
  close(): Promise<void>;
}

export const HEALTH_PATH = '/_slipway/health';
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_RECENT_CALLS = 1000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function isHealthCheck(req: IncomingMessage): boolean {
  const url = req.url ?? '/';
  if (!url.startsWith(HEALTH_PATH)) return false;
  const rest = url.length === HEALTH_PATH.length ? '' : url[HEALTH_PATH.length];
  return (rest === '' || rest === '?') && (req.method === 'GET' || req.method === 'HEAD');
}

export async function startEdge(options: EdgeOptions): Promise<EdgeHandle> {
  const routes = options.routes ?? [];
  const region = options.region ?? DEFAULT_REGION;
  const resolveCaller = options.resolveCaller ?? ((accessKeyId: string): Caller => ({ accessKeyId }));
  const dispatch = createDispatcher(options.services ?? []);
  const recent = new RecentCalls(options.recentCallsLimit ?? DEFAULT_RECENT_CALLS);
  const listeners = new Set<(call: RecentCall) => void>();

  const record = (req: AwsRequest, service: AwsService | undefined, res: ServerResponse): void => {
    const caller = req.caller;
    // Only calls made from a function environment belong to a chain; plain clients are not kept.
    if (!caller?.functionLogicalId) return;
    const time = Date.now();
    res.once('close', () => {
      const call: RecentCall = {
        time,
        requestId: req.requestId,
        service: service?.signingName ?? req.signingService ?? 'unknown',
        operation: operationOf(req),
        caller,
        status: res.statusCode,
      };
      recent.push(call);
      for (const listener of listeners) {
        try {
          listener(call);
        } catch {
          // A trace listener's fault must not affect the edge.
        }
      }
    });
  };

  const serve = async (raw: IncomingMessage, res: ServerResponse): Promise<void> => {
    let req = toAwsRequest(raw, region, resolveCaller);
    res.setHeader('x-amzn-requestid', req.requestId);
    let service: AwsService | undefined;
    try {
      // Form bodies (query protocol) are small: buffered so dispatch and traces see `Action`,
      // while the service still reads every byte.
      if (isFormRequest(req)) req = await withBufferedForm(req);
      service = dispatch(req);
      record(req, service, res);
      if (!service) {
        sendEdgeError(res, req, undefined, unknownOperation(req));
        return;
      }
      await service.handle(req, res);
    } catch (err) {
      const status = res.headersSent ? res.statusCode : 0;
      sendEdgeError(res, req, service, err);
      if (status === 0 && res.statusCode >= 500) options.onError?.(err, req);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (isHealthCheck(req)) {
      res.setHeader('x-amzn-requestid', randomUUID());
      sendJson(res, 200, { status: 'ready', ...options.health() });
      return;
    }
    if (req.method === 'OPTIONS' && req.headers.origin !== undefined) {
      answerPreflight(req, res, randomUUID());
      return;
    }
    addCorsHeaders(req, res);
    void (async () => {
      try {
        for (const route of routes) if (await route(req, res)) return;
        await serve(req, res);
      } catch (err) {
        // Only reachable if rendering the error itself failed: never let it take the server down.
        if (!res.headersSent) sendJson(res, 500, { __type: 'InternalFailure', message: String(err) });
        else res.destroy();
      }
    })();
  };

  // HTTP/1.1 and cleartext HTTP/2 on one port: the AWS SDK v3 Kinesis client opens HTTP/2 with
  // prior knowledge (no upgrade) against an http:// endpoint, while the other SDK clients and the
  // aws CLI speak HTTP/1.1. Node's cleartext http2 server has no HTTP/1 fallback, so the first
  // bytes of each connection choose: the HTTP/2 connection preface starts with "PRI".
  const http1: Server = createServer(onRequest);
  http1.keepAliveTimeout = 65_000;
  // The compatibility request/response objects offer what the edge and services use.
  const http2 = createHttp2Server((req, res) =>
    onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse),
  );
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const pick = (): void => {
      const head = socket.read(3) as Buffer | null;
      if (head === null) {
        socket.once('readable', pick);
        return;
      }
      socket.unshift(head);
      (head.toString('latin1') === 'PRI' ? http2 : http1).emit('connection', socket);
    };
    socket.once('readable', pick);
  });
  await listen(server, options.port, options.host, '--port');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host}:${port}`,
    port,
    recentCalls: () => recent.list(),
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        http1.closeAllConnections();
        http2.close();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
