/**
 * Test helper: serves the Kinesis service on one loopback port over HTTP/1.1 AND cleartext HTTP/2
 * (prior knowledge, "h2c"). The AWS SDK for JavaScript v3 Kinesis client uses its HTTP/2 handler
 * by default (for SubscribeToShard), so against an `http://` endpoint it opens HTTP/2 without an
 * upgrade; the aws CLI speaks HTTP/1.1. Node's cleartext http2 server has no HTTP/1 fallback,
 * so the first bytes of each connection pick the server: the HTTP/2 preface starts with "PRI ".
 * (The edge needs the same for the unmodified SDK to reach Kinesis: reported to its owner.)
 */
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { toAwsRequest } from '../../edge/request.ts';
import { systemClock } from '../../shared/clock.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/types.ts';
import type { ServiceContext, ServiceEvent } from '../types.ts';
import { createKinesisService, type KinesisService } from './index.ts';

export interface DualServed {
  service: KinesisService;
  endpoint: string;
  events: ServiceEvent[];
  close(): Promise<void>;
}

export async function serveKinesis(
  options: { store?: Store; clock?: ServiceContext['clock'] } = {},
): Promise<DualServed> {
  const events: ServiceEvent[] = [];
  const store = options.store ?? createMemoryStore();
  let endpoint = '';
  const ctx: ServiceContext = {
    region: 'us-east-1',
    accountId: '123456789012',
    clock: options.clock ?? systemClock,
    store,
    endpointUrl: () => endpoint,
    emit: (e) => events.push(e),
    log: () => undefined,
  };
  const service = createKinesisService(ctx);
  const onRequest = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void => {
    // The HTTP/2 compatibility objects offer what the service uses (headers, body stream, writeHead, end).
    service
      .handle(toAwsRequest(req as IncomingMessage, ctx.region), res as ServerResponse)
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
  };
  const h1 = createHttp1Server(onRequest);
  const h2 = createHttp2Server(onRequest);
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('readable', function pick() {
      const head = socket.read(3) as Buffer | null;
      if (head === null) {
        socket.once('readable', pick);
        return;
      }
      socket.unshift(head);
      (head.toString('latin1') === 'PRI' ? h2 : h1).emit('connection', socket);
    });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  return {
    service,
    endpoint,
    events,
    async close() {
      await service.close?.();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => front.close(() => r()));
      h1.close();
      h2.close();
      if (!options.store) await store.close();
    },
  };
}
