/**
 * Serves ONE service over real HTTP on an ephemeral loopback port, so a service's protocol can be
 * tested with the real AWS SDK v3 clients and the `aws` CLI before (and besides) the full edge.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toAwsRequest } from '../../src/edge/request.ts';
import type { AwsService, ServiceContext, ServiceEvent } from '../../src/services/types.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { systemClock } from '../../src/shared/clock.ts';

export interface ServedService<S extends AwsService> {
  service: S;
  endpoint: string;
  events: ServiceEvent[];
  close(): Promise<void>;
}

export async function serveService<S extends AwsService>(
  create: (ctx: ServiceContext) => S,
  region = 'us-east-1',
): Promise<ServedService<S>> {
  const events: ServiceEvent[] = [];
  const store = createMemoryStore();
  let endpoint = '';
  const ctx: ServiceContext = {
    region,
    accountId: '123456789012',
    clock: systemClock,
    store,
    endpointUrl: () => endpoint,
    emit: (e) => events.push(e),
    log: () => undefined,
  };
  const service = create(ctx);
  const server = createServer((req, res) => {
    service.handle(toAwsRequest(req, region), res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    service,
    endpoint,
    events,
    close: async () => {
      await service.close?.();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
