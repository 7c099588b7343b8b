/** What every S3 operation handler receives. */
import type { ServerResponse } from 'node:http';
import type { AwsRequest, ServiceContext } from '../types.ts';
import type { EventOrigin, S3Events } from './events.ts';
import { header } from './http.ts';
import type { S3State } from './state.ts';

export interface S3Deps {
  ctx: ServiceContext;
  state: S3State;
  events: S3Events;
  owner: { ID: string; DisplayName: string };
}

export interface S3Call {
  req: AwsRequest;
  res: ServerResponse;
  /** From the Host header (virtual-host style) or the first path segment. */
  bucket: string;
  /** Decoded object key ('' for bucket-level requests). */
  key: string;
}

export type Operation = (deps: S3Deps, call: S3Call) => Promise<void>;

export function originOf(req: AwsRequest): EventOrigin {
  const forwarded = header(req.headers, 'x-forwarded-for')?.split(',')[0]?.trim();
  return {
    requestId: req.requestId,
    sourceIPAddress: forwarded || '127.0.0.1',
    ...(req.caller ? { caller: req.caller } : {}),
  };
}
