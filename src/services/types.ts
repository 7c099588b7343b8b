/**
 * The contract between the edge and the emulated AWS services (DESIGN.md, STYLE.md habit 2).
 *
 * A service is registered once by app/ with a ServiceContext and answers the requests the edge
 * dispatches to it (by X-Amz-Target, the SigV4 credential scope's service, the query protocol's
 * Action, or S3's path/host style). A service never imports another service, runtime/ or
 * triggers/: it changes its own state, answers in its own wire format, and `emit`s what happened
 * (an object created, a message sent...). The triggers layer routes those events to functions and
 * to other services through the small interfaces each service exports for that purpose.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Clock } from '../shared/clock.ts';
import type { Store } from '../store/types.ts';

/** Who made an AWS call: the function invocation behind the access key, when it came from one. */
export interface Caller {
  accessKeyId: string;
  /** Present when the key belongs to a function environment (each environment has its own key). */
  functionLogicalId?: string;
  environmentId?: string;
  /** The invocation in flight in that environment when the call arrived. */
  invocationRequestId?: string;
}

/** One request as the edge hands it over. The body is read at most once: `body()` or `stream`. */
export interface AwsRequest {
  /** Edge-generated request id (also sent back as x-amzn-RequestId / x-amz-request-id). */
  requestId: string;
  method: string;
  /** Decoded-once raw path as received (e.g. `/bucket/my%20key`): services decode what they need. */
  rawPath: string;
  /** The raw query string without `?`. */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Host header value (S3 virtual-host style uses it). */
  host: string;
  /** SigV4 signing region (credential scope or presigned X-Amz-Credential), else the app's region. */
  region: string;
  /** SigV4 signing service name from the credential scope, when signed. */
  signingService?: string;
  caller?: Caller;
  /** Reads the whole body (bounded by `maxBytes`; throws a 413-style AwsError beyond it). */
  body(maxBytes?: number): Promise<Buffer>;
  /** The raw body stream, for services that stream (S3 object bodies). */
  stream: Readable;
}

/** An AWS API error: rendered by each protocol in its own format with AWS's code and status. */
export class AwsError extends Error {
  override readonly name = 'AwsError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** Extra fields some protocols include (S3: BucketName, Key, Resource...). */
    readonly fields: Record<string, string> = {},
    /** Client (Sender) or Server (Receiver) fault for query/XML protocols. */
    readonly fault: 'Sender' | 'Receiver' = statusCode >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

/** Something that happened in a service, for the triggers layer (and traces). */
export interface ServiceEvent {
  /** Service name, e.g. `s3`. */
  source: string;
  /** e.g. `ObjectCreated:Put`, `MessageSent`, `RecordsPut`, `Publish`, `PutEvents`. */
  type: string;
  /** The resource it happened to (bucket ARN, queue ARN, stream ARN, topic ARN, bus ARN). */
  resourceArn: string;
  /** Service-specific details (documented next to each service's emit calls in its events.ts). */
  detail: Record<string, unknown>;
  /** Who caused it (for chains and loop detection). */
  caller?: Caller;
  /** Epoch ms. */
  time: number;
}

export interface ServiceContext {
  region: string;
  accountId: string;
  clock: Clock;
  store: Store;
  /** The edge's base URL as clients reach it (e.g. http://127.0.0.1:4566), for queue URLs etc. */
  endpointUrl(): string;
  emit(event: ServiceEvent): void;
  /** One-line notices for the user (e.g. a resource created from the template). */
  log(line: string): void;
}

export interface AwsService {
  /** The SigV4 signing name: `s3`, `sqs`, `sns`, `kinesis`, `events`, `lambda`. */
  readonly signingName: string;
  /** X-Amz-Target prefixes this service answers (JSON protocols), e.g. `AmazonSQS.`, `Kinesis_20131202.`. */
  readonly targetPrefixes?: string[];
  /** Query-protocol Action names this service answers (form-encoded POST or GET with Action=). */
  readonly queryActions?: ReadonlySet<string>;
  handle(req: AwsRequest, res: ServerResponse): Promise<void>;
  /** Stops timers, flushes state. */
  close?(): Promise<void>;
}
