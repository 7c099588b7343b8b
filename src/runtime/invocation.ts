/** One invocation in flight: its request, its logs, and the promise its caller awaits. */
import { randomBytes, randomUUID } from 'node:crypto';
import { InvocationLog } from './logs.ts';
import type { FunctionErrorPayload, InvokeRequest, InvokeResult } from './types.ts';

export interface InvocationOutcome {
  payload?: Buffer;
  error?: FunctionErrorPayload;
  /** The error document exactly as the runtime posted it, when it did. */
  errorBody?: Buffer;
}

/** X-Ray trace header: `Root=1-<8 hex epoch s>-<24 hex>;Parent=<16 hex>;Sampled=0`. */
const RANDOM_POOL_BYTES = 20 * 256;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** 20 random bytes as hex, drawn from a pool refilled every 256 calls (one syscall instead of 256). */
function randomHex20(): string {
  if (randomOffset + 20 > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + 20);
  randomOffset += 20;
  return hex;
}

export function newTraceId(): string {
  const hex = randomHex20();
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${hex.slice(0, 24)};Parent=${hex.slice(24, 40)};Sampled=0`;
}

export class Invocation {
  readonly requestId: string;
  readonly traceId: string;
  readonly log = new InvocationLog();
  readonly promise: Promise<InvokeResult>;
  /** performance.now() when handed to the runtime (or queued, until then). */
  startedAt = performance.now();
  startLogged = false;
  /** Epoch ms of the deadline handed to the runtime. */
  deadline = 0;
  settled = false;
  initDurationMs?: number;
  private resolveFn!: (r: InvokeResult) => void;
  private rejectFn!: (e: unknown) => void;

  constructor(readonly request: InvokeRequest) {
    this.requestId = request.requestId ?? randomUUID();
    this.traceId = request.traceId ?? newTraceId();
    this.promise = new Promise<InvokeResult>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  resolve(result: InvokeResult): void {
    this.settled = true;
    this.resolveFn(result);
  }

  /** For service errors only (AwsServiceError); function errors resolve. */
  reject(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(err);
  }
}
