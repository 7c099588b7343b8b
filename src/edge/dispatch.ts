/**
 * Which emulated service a request is for, decided from the protocol's own signals in the order
 * LocalStack's service router uses (DESIGN.md "One endpoint"):
 *
 *  1. `X-Amz-Target` (JSON protocols: `AmazonSQS.SendMessage`, `Kinesis_20131202.PutRecord`,
 *     `AWSEvents.PutEvents`) matched to a service's `targetPrefixes`;
 *  2. the SigV4 signing service (Authorization credential scope or presigned `X-Amz-Credential`)
 *     matched to `signingName`;
 *  3. the query protocol's `Action` (URL query, or a form-encoded POST body the edge buffered with
 *     `withBufferedForm`) matched to `queryActions`;
 *  4. Lambda's REST paths (`/2015-03-31/functions...`, `/2015-03-31/event-source-mappings...`);
 *  5. otherwise S3: path style `/bucket/key`, virtual-host style `<bucket>.s3.<anything>` or
 *     `<bucket>.localhost[:port]`. Unsigned requests (presigned URLs, plain curl) land here too.
 *
 * A request that names something Slipway does not serve (an unknown target, a signature for a
 * service that is not registered) is `undefined`, never guessed to be S3.
 */
import { Readable } from 'node:stream';
import { AwsError, type AwsRequest, type AwsService } from '../services/types.ts';

export type Dispatcher = ((req: AwsRequest) => AwsService | undefined) & {
  /**
   * True when only the form body's `Action` can decide (no target, no known signing service, a
   * form-encoded POST not yet buffered): the edge then calls `withBufferedForm` and dispatches again.
   */
  needsForm(req: AwsRequest): boolean;
};

/** Bound on a buffered form body (SQS SendMessageBatch carries up to 1 MiB, URL-encoded). */
export const MAX_FORM_BYTES = 8 * 1024 * 1024;

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Lambda's REST resources: `/<api-version>/<resource>...`. */
const LAMBDA_RESOURCES = new Set([
  'functions',
  'event-source-mappings',
  'tags',
  'account-settings',
  'layers',
  'code-signing-configs',
]);

/** Form bodies already buffered (and their parsed `Action`), per request. */
const bufferedActions = new WeakMap<AwsRequest, string | undefined>();

export function isFormRequest(req: AwsRequest): boolean {
  if (req.method !== 'POST') return false;
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith(FORM_CONTENT_TYPE);
}

/**
 * Reads a form-encoded body once (bounded) and returns a request whose `body()` / `stream` hand the
 * same bytes to the service, so looking at `Action` consumes nothing.
 */
export async function withBufferedForm(req: AwsRequest, maxBytes = MAX_FORM_BYTES): Promise<AwsRequest> {
  const bytes = await req.body(maxBytes);
  let streamed: Readable | undefined;
  const buffered: AwsRequest = {
    ...req,
    body(limit?: number) {
      if (limit !== undefined && bytes.length > limit)
        return Promise.reject(
          new AwsError('RequestEntityTooLarge', `Request body exceeds ${limit} bytes.`, 413),
        );
      return Promise.resolve(bytes);
    },
    get stream(): Readable {
      streamed ??= Readable.from([bytes]);
      return streamed;
    },
  };
  bufferedActions.set(buffered, new URLSearchParams(bytes.toString('latin1')).get('Action') ?? undefined);
  return buffered;
}

/** `<bucket>.s3.<anything>` or `<bucket>.localhost[:port]` → bucket; anything else → undefined. */
export function virtualHostBucket(host: string): string | undefined {
  const colon = host.lastIndexOf(':');
  const name = (colon > host.lastIndexOf(']') ? host.slice(0, colon) : host).toLowerCase();
  const s3 = name.indexOf('.s3.');
  if (s3 > 0) return name.slice(0, s3);
  if (name.endsWith('.s3')) return undefined;
  if (name.endsWith('.localhost') && name.length > '.localhost'.length) {
    const bucket = name.slice(0, -'.localhost'.length);
    // `s3.localhost` / `sqs.localhost` style hosts name a service, not a bucket.
    return bucket === 's3' ? undefined : bucket;
  }
  return undefined;
}

/** `/2015-03-31/functions/...` and Lambda's other dated REST roots. */
export function isLambdaPath(rawPath: string): boolean {
  // '/' + 'yyyy-mm-dd' + '/' = 12 characters before the resource name.
  if (rawPath.length < 13 || rawPath.charCodeAt(0) !== 47 || rawPath.charCodeAt(11) !== 47) return false;
  if (rawPath.charCodeAt(1) !== 50 /* 2 */ || rawPath.charCodeAt(5) !== 45 || rawPath.charCodeAt(8) !== 45)
    return false;
  const end = rawPath.indexOf('/', 12);
  return LAMBDA_RESOURCES.has(end === -1 ? rawPath.slice(12) : rawPath.slice(12, end));
}

/** The operation a request names on the wire, when its protocol says it cheaply (target or Action). */
export function operationOf(req: AwsRequest): string | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const dot = target.lastIndexOf('.');
    return dot === -1 ? target : target.slice(dot + 1);
  }
  return (req.rawQuery ? req.query.get('Action') : null) ?? bufferedActions.get(req) ?? undefined;
}

export function createDispatcher(services: AwsService[]): Dispatcher {
  const byPrefix = new Map<string, AwsService>();
  const bySigningName = new Map<string, AwsService>();
  const byAction = new Map<string, AwsService>();
  for (const service of services) {
    for (const prefix of service.targetPrefixes ?? [])
      if (!byPrefix.has(prefix)) byPrefix.set(prefix, service);
    if (!bySigningName.has(service.signingName)) bySigningName.set(service.signingName, service);
    for (const action of service.queryActions ?? []) if (!byAction.has(action)) byAction.set(action, service);
  }
  const prefixes = [...byPrefix.entries()];
  const s3 = bySigningName.get('s3');
  const lambda = bySigningName.get('lambda');

  const byTarget = (target: string): AwsService | undefined => {
    const dot = target.lastIndexOf('.');
    const exact = dot === -1 ? undefined : byPrefix.get(target.slice(0, dot + 1));
    if (exact) return exact;
    for (const [prefix, service] of prefixes) if (target.startsWith(prefix)) return service;
    return undefined;
  };

  const dispatch = ((req: AwsRequest): AwsService | undefined => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.length > 0) {
      const service = byTarget(target);
      if (service) return service;
    }
    if (req.signingService !== undefined) {
      const service = bySigningName.get(req.signingService);
      if (service) return service;
    }
    const action =
      (req.rawQuery ? req.query.get('Action') : null) ??
      (bufferedActions.has(req) ? bufferedActions.get(req) : undefined);
    if (action) {
      const service = byAction.get(action);
      if (service) return service;
    }
    // A target or a signature names a service we do not serve: do not guess.
    if (typeof target === 'string' && target.length > 0) return undefined;
    const vhostBucket = virtualHostBucket(req.host);
    if (vhostBucket === undefined && isLambdaPath(req.rawPath)) return lambda;
    if (req.signingService !== undefined && req.signingService !== 's3') return undefined;
    if (action && vhostBucket === undefined && byAction.size > 0 && !isS3Looking(req)) return undefined;
    return s3;
  }) as Dispatcher;

  dispatch.needsForm = (req: AwsRequest): boolean => {
    if (bufferedActions.has(req) || !isFormRequest(req)) return false;
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.length > 0 && byTarget(target)) return false;
    if (req.signingService !== undefined && bySigningName.has(req.signingService)) return false;
    if (req.rawQuery && req.query.has('Action')) return false;
    return byAction.size > 0;
  };
  return dispatch;
}

/**
 * An `Action=` that no service answers on a request that otherwise looks like a query-protocol call
 * (root path or an SQS queue URL, no bucket in the host) is an unknown operation, not an S3 key.
 */
function isS3Looking(req: AwsRequest): boolean {
  return req.rawPath.length > 1 && !isQueueUrlPath(req.rawPath);
}

/** `/<12-digit account>/<queue name>`. */
function isQueueUrlPath(rawPath: string): boolean {
  if (rawPath.length < 15 || rawPath.charCodeAt(13) !== 47) return false;
  for (let i = 1; i < 13; i++) {
    const c = rawPath.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return rawPath.indexOf('/', 14) === -1;
}
