/**
 * Public and shared types of the local API Gateway.
 */
import type { ApiModel, FunctionModel } from '../project/model.ts';
import type { Invoker } from '../runtime/types.ts';

export interface StartApiGatewayOptions {
  apis: ApiModel[];
  functions: Map<string, FunctionModel>;
  invoker: Invoker;
  host: string;
  /** 0 = an ephemeral port. */
  port: number;
  region: string;
  accountId: string;
  /** One access-log line per request (when `accessLog` is not false) and one line per gateway error. */
  logger?: (line: string) => void;
  /** Epoch ms; injected so tests can move time (authorizer cache TTLs, requestTime). */
  clock?: () => number;
  /** Per-request access-log lines through `logger`; default true when a logger is given. */
  accessLog?: boolean;
  /**
   * API key values accepted for routes with `apiKeyRequired`. When empty or absent, any non-empty
   * `x-api-key` is accepted (the template declares no usage plans Slipway can read keys from).
   */
  apiKeys?: string[];
}

/** One served route, as printed by `formatRouteTable()`. */
export interface RouteTableEntry {
  apiLogicalId: string;
  protocol: 'REST' | 'HTTP';
  stage: string;
  /** Upper-case method or `ANY`. */
  method: string;
  /** Resource path as written (`/users/{id}`), or `$default`. */
  path: string;
  /** Full local URL of the route (path parameters left as written). */
  url: string;
  functionLogicalId: string;
  payloadFormatVersion: '1.0' | '2.0';
  /** Authorizer name in effect, if any. */
  authorizer?: string;
  apiKeyRequired: boolean;
}

export interface ApiGatewayHandle {
  url: string;
  port: number;
  /** The routes currently served (replaced by `setApis`). */
  readonly routes: RouteTableEntry[];
  formatRouteTable(): string;
  /** Hot-swap on template reload. Throws SlipwayError (e.g. `RouteConflict`) and keeps the old routes. */
  setApis(apis: ApiModel[], functions: Map<string, FunctionModel>): void;
  close(): Promise<void>;
}
