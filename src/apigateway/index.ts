/**
 * The local API Gateway: serves every API of the template (REST and HTTP APIs) on one port, as
 * `sam local start-api` does, but with API Gateway's own behaviour (events, responses, errors,
 * authorizers, API keys, CORS, binary, timeouts) — see the module comments of each file.
 *
 * Routes are served at the root (`/hello`), as sam local does and as users expect locally. A path
 * prefixed with a REST API's stage name (`/Prod/hello`, the shape of an execute-api URL) is also
 * accepted when nothing matches at the root, so URLs copied from AWS work too; the event's
 * `requestContext.path` carries the stage either way, as on AWS.
 *
 * Local deviations, on purpose: `domainName` is the Host the client used (`127.0.0.1:3000`) so URLs
 * built from it work; JWT signatures are not verified (jwt.ts); any non-empty API key is accepted
 * unless keys are configured (api-keys.ts); IAM (`AWS_IAM`) authorization is not enforced.
 */
import { listen } from '../shared/net.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiModel, FunctionModel } from '../project/model.ts';
import { compileApis, formatRouteTable } from './compile.ts';
import { Pipeline } from './server.ts';
import type { ApiGatewayHandle, StartApiGatewayOptions } from './types.ts';

export type { ApiGatewayHandle, RouteTableEntry, StartApiGatewayOptions } from './types.ts';

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startApiGateway(options: StartApiGatewayOptions): Promise<ApiGatewayHandle> {
  const logger = options.logger;
  const log = logger ?? ((): void => {});
  const clock = options.clock ?? Date.now;
  // Compile before listening, so a template error never leaves a port open.
  let compiled = compileApis(options.apis, options.functions, 'http://placeholder');
  const pipeline = new Pipeline(compiled, {
    invoker: options.invoker,
    region: options.region,
    accountId: options.accountId,
    clock,
    log,
    accessLog: logger !== undefined && options.accessLog !== false,
    apiKeys: options.apiKeys,
  });
  const server = createServer({ keepAlive: true }, (req, res) => pipeline.handle(req, res));
  server.keepAliveTimeout = 65_000;
  await listen(server, options.port, options.host, '--api-port');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(options.host)}:${port}`;
  compiled = compileApis(options.apis, options.functions, url);
  pipeline.compiled = compiled;

  return {
    url,
    port,
    get routes() {
      return pipeline.compiled.routes;
    },
    formatRouteTable() {
      return formatRouteTable(pipeline.compiled.routes);
    },
    setApis(apis: ApiModel[], functions: Map<string, FunctionModel>) {
      pipeline.compiled = compileApis(apis, functions, url);
      pipeline.authorizers.clearCache();
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
