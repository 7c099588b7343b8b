/**
 * One execution environment = one child process = one invocation at a time, driven by an explicit
 * state machine:
 *
 *   spawning → initializing → idle ⇄ invoking
 *        └──────────┴──────────┴────────┴──→ dead
 *
 * Both transports (HTTP Runtime API, fd-3 channel) call the same RuntimeApiTarget methods; each
 * validates the message against the current state before any transition (as the RIE does).
 * "idle" means no invocation is in flight; the runtime may not have called `next` yet (it does
 * right after answering), so an invocation assigned then is parked until `next` arrives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { FunctionModel } from '../project/model.ts';
import { AwsServiceError } from '../shared/errors.ts';
import { FrameChannel, type Frame } from './channel.ts';
import { killProcessGroup, PeakMemory } from './child.ts';
import type { EnvironmentCredentials } from './env-vars.ts';
import {
  describeExit,
  exitError,
  parseErrorPayload,
  responseTooLargeError,
  timeoutError,
} from './function-errors.ts';
import type { Invocation, InvocationOutcome } from './invocation.ts';
import { endLine, LineSplitter, reportLine, startLine, timeoutLine, type LogFormat } from './logs.ts';
import { startRuntimeApi, type RuntimeApiServer } from './runtime-api/router.ts';
import {
  ACCEPTED,
  HEADER_CLIENT_CONTEXT,
  HEADER_COGNITO_IDENTITY,
  HEADER_DEADLINE,
  HEADER_FUNCTION_ARN,
  HEADER_FUNCTION_ERROR_TYPE,
  HEADER_REQUEST_ID,
  HEADER_TRACE_ID,
  invalidRequestId,
  invalidStateTransition,
  WAITING,
  type ApiResult,
  type Deliverer,
  type RuntimeApiTarget,
} from './runtime-api/target.ts';
import { MAX_SYNC_RESPONSE_BYTES, type FunctionErrorPayload, type LogSink, type LogStream } from './types.ts';

export type EnvironmentState = 'spawning' | 'initializing' | 'idle' | 'invoking' | 'dead';

const TRANSITIONS: Record<EnvironmentState, readonly EnvironmentState[]> = {
  spawning: ['initializing', 'dead'],
  initializing: ['idle', 'dead'],
  idle: ['invoking', 'dead'],
  invoking: ['idle', 'dead'],
  dead: [],
};

/** AWS's init phase limit. */
export const INIT_TIMEOUT_MS = 10_000;
/** After `exit`, how long to wait for the child's pipes to drain before reporting. */
const EXIT_DRAIN_MS = 100;
const FAR_FUTURE_MS = 365 * 24 * 3600 * 1000;

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  /** Environment without the per-environment values (added here). */
  env: Record<string, string>;
  transport: 'fd' | 'http';
  runtimeKind?: 'node' | 'python' | 'provided';
  /** Undefined: no invocation deadline (debugging). */
  timeoutMs?: number;
  initTimeoutMs?: number;
  /** When set, the environment fails init with this error instead of spawning. */
  initFailure?: FunctionErrorPayload;
}

export interface EnvironmentHooks {
  /** Entered idle with nothing parked: ready for work. */
  onIdle(env: Environment): void;
  onDead(env: Environment): void;
  /** An invocation parked on an environment that died before it started: run it elsewhere. */
  requeue(inv: Invocation): void;
  warn(message: string): void;
}

export interface EnvironmentIdentity {
  fn: FunctionModel;
  /** 1-based within the function. */
  number: number;
  credentials: EnvironmentCredentials;
  logStreamName: string;
  logSink: LogSink;
  hooks: EnvironmentHooks;
}

export class Environment implements RuntimeApiTarget {
  state: EnvironmentState = 'spawning';
  readonly id: string;
  /** Code changed: finish what is in flight, then retire. */
  stale = false;
  lastUsed = Date.now();
  invocations = 0;
  /**
   * The handler's run time of the last invocation that completed here, in ms, as the runtime
   * reported it (Slipway's bootstraps do); NaN when it did not: deliver → answer as seen from here
   * would count this process's own event-loop delay under load, so it is not used.
   */
  lastDurationMs = Number.NaN;
  private reportedDurationMs?: number;

  private spec?: LaunchSpec;
  private child?: ChildProcess;
  private channel?: FrameChannel;
  private api?: RuntimeApiServer;
  private waiting?: Deliverer;
  private current?: Invocation;
  private parked?: Invocation;
  private logTarget?: Invocation;
  private timer?: NodeJS.Timeout;
  private timerFor?: Invocation;
  private initTimer?: NodeJS.Timeout;
  private launchedAt = 0;
  private initDurationMs?: number;
  private firstInvocation = true;
  private initErrorPayload?: FunctionErrorPayload;
  private outOfMemory = false;
  private readonly stdout = new LineSplitter();
  private readonly stderr = new LineSplitter();
  private readonly memory = new PeakMemory();
  /** Peak RSS the runtime reported with its last answer (fd channel), in kB. */
  private reportedPeakKb?: number;
  private exited?: Promise<void>;
  private readonly format: LogFormat;
  private readonly fdDeliver: Deliverer;

  constructor(private readonly identity: EnvironmentIdentity) {
    this.id = `${identity.fn.logicalId}-${identity.number}`;
    this.format = identity.fn.loggingConfig.logFormat;
    this.fdDeliver = (d) => {
      this.channel?.send({ op: 'invocation', headers: d.headers }, d.body);
    };
  }

  get fn(): FunctionModel {
    return this.identity.fn;
  }
  get accessKeyId(): string {
    return this.identity.credentials.accessKeyId;
  }
  get currentRequestId(): string | undefined {
    return this.current?.requestId;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  /** Can take an invocation now (it may be parked until init ends or `next` arrives). */
  get acceptsWork(): boolean {
    return (
      !this.stale &&
      this.parked === undefined &&
      (this.state === 'idle' || this.state === 'spawning' || this.state === 'initializing')
    );
  }
  get busy(): boolean {
    return this.state === 'invoking' || this.parked !== undefined;
  }

  private transition(to: EnvironmentState): void {
    if (!TRANSITIONS[this.state].includes(to))
      throw new Error(`environment ${this.id}: illegal transition ${this.state} -> ${to}`);
    this.state = to;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Starts the child once its launch spec is ready (code prepared). */
  async launch(specPromise: Promise<LaunchSpec>): Promise<void> {
    let spec: LaunchSpec;
    try {
      spec = await specPromise;
    } catch (err) {
      this.failInit({ errorType: 'Runtime.InitError', errorMessage: String(err) });
      return;
    }
    if (this.state !== 'spawning') return;
    this.spec = spec;
    if (spec.initFailure) {
      this.failInit(spec.initFailure);
      return;
    }
    const env: Record<string, string> = {
      ...spec.env,
      AWS_LAMBDA_LOG_STREAM_NAME: this.identity.logStreamName,
      AWS_ACCESS_KEY_ID: this.identity.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.identity.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: this.identity.credentials.sessionToken,
    };
    if (spec.transport === 'http') {
      try {
        this.api = await startRuntimeApi(this);
      } catch (err) {
        this.failInit({
          errorType: 'Runtime.InitError',
          errorMessage: `Runtime API listener: ${String(err)}`,
        });
        return;
      }
      if (this.state !== 'spawning') {
        this.api.close();
        return;
      }
      env.AWS_LAMBDA_RUNTIME_API = this.api.address;
    } else {
      env.AWS_LAMBDA_RUNTIME_API ??= '127.0.0.1:9001';
      env.SLIPWAY_RUNTIME_FD = '3';
    }
    this.spawnChild(spec, env);
  }

  private spawnChild(spec: LaunchSpec, env: Record<string, string>): void {
    this.launchedAt = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe', spec.transport === 'fd' ? 'pipe' : 'ignore'],
        detached: true,
      });
    } catch (err) {
      this.failInit(this.entrypointError(err));
      return;
    }
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (err) => {
      if (this.state === 'spawning') this.failInit(this.entrypointError(err));
    });
    child.once('spawn', () => {
      if (this.state !== 'spawning') return;
      this.transition('initializing');
      void this.memory.open(child.pid);
    });
    child.stdout?.on('data', (chunk: Buffer) => this.stdout.push(chunk, this.emitStdout));
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk, this.emitStderr));
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('error', () => undefined);
    if (spec.transport === 'fd') {
      const socket = child.stdio[3] as Socket | null;
      if (socket) this.channel = new FrameChannel(socket, this.onFrame, (err) => this.onChannelError(err));
    }
    let reported = false;
    const report = (code: number | null, signal: NodeJS.Signals | null) => {
      if (reported) return;
      reported = true;
      this.onExit(code, signal);
    };
    child.once('exit', (code, signal) => {
      setTimeout(() => report(code, signal), EXIT_DRAIN_MS).unref();
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => report(code, signal));
    const initTimeout = spec.initTimeoutMs;
    if (initTimeout !== undefined)
      this.initTimer = setTimeout(() => this.onInitTimeout(initTimeout), initTimeout);
  }

  private entrypointError(err: unknown): FunctionErrorPayload {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such file or directory' : String(err);
    return {
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage: `RequestId: ${this.parked?.requestId ?? ''} Error: fork/exec ${this.spec?.command ?? ''}: ${what}`,
    };
  }

  // ---- logs --------------------------------------------------------------------------------

  private readonly emitStdout = (line: string): void => this.childLine('stdout', line);
  private readonly emitStderr = (line: string): void => {
    if (line.includes('JavaScript heap out of memory')) this.outOfMemory = true;
    this.childLine('stderr', line);
  };

  private childLine(stream: LogStream, line: string): void {
    const inv = this.logTarget;
    inv?.log.add(line);
    this.identity.logSink({
      functionLogicalId: this.identity.fn.logicalId,
      requestId: inv?.requestId,
      stream,
      line,
      time: Date.now(),
    });
  }

  private platformLine(line: string, inv: Invocation | undefined): void {
    inv?.log.add(line);
    this.identity.logSink({
      functionLogicalId: this.identity.fn.logicalId,
      requestId: inv?.requestId,
      stream: 'platform',
      line,
      time: Date.now(),
    });
  }

  // ---- work from the pool ------------------------------------------------------------------

  assign(inv: Invocation): void {
    if (!this.acceptsWork) throw new Error(`environment ${this.id} cannot take work in state ${this.state}`);
    this.lastUsed = Date.now();
    if (this.state === 'idle') {
      const deliver = this.waiting;
      if (deliver) {
        this.waiting = undefined;
        this.deliver(inv, deliver);
        return;
      }
      this.parked = inv;
      this.armTimer(inv);
      return;
    }
    // Cold start: the invocation waits for init; init logs belong to it.
    this.parked = inv;
    this.logTarget = inv;
  }

  private armTimer(inv: Invocation): number {
    const timeoutMs = this.spec?.timeoutMs;
    if (timeoutMs === undefined) return Date.now() + FAR_FUTURE_MS;
    if (this.timerFor !== inv) {
      clearTimeout(this.timer);
      this.timerFor = inv;
      this.timer = setTimeout(this.onTimeout, timeoutMs);
      inv.deadline = Date.now() + timeoutMs;
    }
    return inv.deadline;
  }

  private deliver(inv: Invocation, deliver: Deliverer): void {
    this.transition('invoking');
    this.current = inv;
    this.logTarget = inv;
    this.invocations++;
    inv.startedAt = performance.now();
    if (this.firstInvocation) {
      this.firstInvocation = false;
      inv.initDurationMs = this.initDurationMs;
    }
    inv.startLogged = true;
    this.platformLine(startLine(this.format, inv.requestId, this.identity.fn.version ?? '$LATEST'), inv);
    const deadline = this.armTimer(inv);
    const req = inv.request;
    const headers: Record<string, string> = {
      [HEADER_REQUEST_ID]: inv.requestId,
      [HEADER_DEADLINE]: String(deadline),
      [HEADER_FUNCTION_ARN]: this.identity.fn.arn,
      [HEADER_TRACE_ID]: inv.traceId,
    };
    if (req.clientContext) headers[HEADER_CLIENT_CONTEXT] = decodeClientContext(req.clientContext);
    if (req.cognitoIdentity) headers[HEADER_COGNITO_IDENTITY] = req.cognitoIdentity;
    deliver({ requestId: inv.requestId, headers, body: req.payload });
  }

  // ---- Runtime API (both transports) -------------------------------------------------------

  next(deliver: Deliverer): ApiResult {
    switch (this.state) {
      case 'spawning':
      case 'initializing': {
        clearTimeout(this.initTimer);
        this.initDurationMs = performance.now() - this.launchedAt;
        this.transition('idle');
        return this.ready(deliver);
      }
      case 'idle':
        return this.ready(deliver);
      default:
        return invalidStateTransition(
          `State transition from ${stateName(this.state)} to InvocationNext failed`,
        );
    }
  }

  private ready(deliver: Deliverer): ApiResult {
    const parked = this.parked;
    if (parked) {
      this.parked = undefined;
      this.waiting = undefined;
      this.deliver(parked, deliver);
    } else {
      const first = this.waiting === undefined;
      this.waiting = deliver;
      if (first && this.stale) this.retire();
    }
    return WAITING;
  }

  reportDuration(ms: number): void {
    this.reportedDurationMs = ms;
  }

  nextAbandoned(deliver: Deliverer): void {
    if (this.waiting === deliver) this.waiting = undefined;
  }

  response(requestId: string, body: Buffer, bodyBytes = body.length): ApiResult {
    const inv = this.current;
    if (this.state !== 'invoking' || !inv)
      return invalidStateTransition(
        `State transition from ${stateName(this.state)} to InvocationResponse failed`,
      );
    if (requestId !== inv.requestId) return invalidRequestId(requestId);
    if (bodyBytes > MAX_SYNC_RESPONSE_BYTES) {
      const error = responseTooLargeError(MAX_SYNC_RESPONSE_BYTES);
      this.complete(inv, { error });
      return { status: 413, errorType: 'RequestEntityTooLarge', errorMessage: error.errorMessage };
    }
    this.complete(inv, { payload: body });
    return ACCEPTED;
  }

  error(requestId: string, body: Buffer, errorTypeHeader: string | undefined): ApiResult {
    const inv = this.current;
    if (this.state !== 'invoking' || !inv)
      return invalidStateTransition(
        `State transition from ${stateName(this.state)} to InvocationErrorResponse failed`,
      );
    if (requestId !== inv.requestId) return invalidRequestId(requestId);
    this.complete(inv, { error: parseErrorPayload(body, errorTypeHeader), errorBody: body });
    return ACCEPTED;
  }

  initError(body: Buffer, errorTypeHeader: string | undefined): ApiResult {
    if (this.state !== 'spawning' && this.state !== 'initializing')
      return invalidStateTransition(`State transition from ${stateName(this.state)} to InitError failed`);
    this.initErrorPayload = parseErrorPayload(body, errorTypeHeader ?? 'Runtime.InitError');
    this.failInit(this.initErrorPayload);
    return ACCEPTED;
  }

  private readonly onFrame = (frame: Frame): void => {
    const h = frame.header;
    if (typeof h.maxRssKb === 'number') this.reportedPeakKb = h.maxRssKb;
    if (typeof h.durationMs === 'number') this.reportDuration(h.durationMs);
    let result: ApiResult;
    switch (h.op) {
      case 'next':
        result = this.next(this.fdDeliver);
        break;
      case 'response':
        result = this.response(h.requestId ?? '', frame.body);
        break;
      case 'error':
        result = this.error(h.requestId ?? '', frame.body, h.headers?.[HEADER_FUNCTION_ERROR_TYPE]);
        break;
      case 'init-error':
        result = this.initError(frame.body, h.headers?.[HEADER_FUNCTION_ERROR_TYPE]);
        break;
      default:
        result = { status: 400, errorType: 'InvalidOperation', errorMessage: `unknown op "${h.op}"` };
    }
    if ('errorType' in result && this.state !== 'dead')
      this.identity.hooks.warn(
        `${this.id}: runtime protocol error: ${result.errorType}: ${result.errorMessage}`,
      );
  };

  private onChannelError(err: Error): void {
    this.identity.hooks.warn(
      `${this.id}: malformed message on the runtime channel: ${err.message}; replacing the environment`,
    );
    this.crash(`Runtime sent a malformed message: ${err.message}`);
  }

  // ---- endings -----------------------------------------------------------------------------

  private complete(inv: Invocation, outcome: InvocationOutcome): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerFor = undefined;
    this.current = undefined;
    this.transition('idle');
    this.lastUsed = Date.now();
    this.lastDurationMs = this.reportedDurationMs ?? Number.NaN;
    this.reportedDurationMs = undefined;
    this.finish(inv, outcome);
    if (this.stale) {
      this.retire();
      return;
    }
    this.identity.hooks.onIdle(this);
  }

  /** END/REPORT after the child's output so far, then resolve. */
  private finish(inv: Invocation, outcome: InvocationOutcome): void {
    if (inv.settled) return;
    inv.settled = true;
    const durationMs = inv.startLogged ? performance.now() - inv.startedAt : 0;
    const reportedKb = this.reportedPeakKb;
    this.reportedPeakKb = undefined;
    let peak: Promise<number>;
    if (reportedKb !== undefined && this.state !== 'dead') {
      const mb = this.memory.note(reportedKb);
      // One turn of the loop lets output the child wrote before answering reach its log.
      peak = new Promise((resolve) => setImmediate(() => resolve(mb)));
    } else {
      peak = this.memory.read();
    }
    void peak.then((maxMemoryUsedMB) => {
      if (this.state === 'dead') {
        this.stdout.flush(this.emitStdout);
        this.stderr.flush(this.emitStderr);
      }
      if (!inv.startLogged) {
        inv.startLogged = true;
        this.platformLine(startLine(this.format, inv.requestId, this.identity.fn.version ?? '$LATEST'), inv);
      }
      const billedDurationMs = Math.max(1, Math.ceil(durationMs));
      const memorySizeMB = this.identity.fn.memorySize;
      this.platformLine(endLine(this.format, inv.requestId), inv);
      this.platformLine(
        reportLine(this.format, {
          requestId: inv.requestId,
          durationMs,
          billedDurationMs,
          memorySizeMB,
          maxMemoryUsedMB,
          initDurationMs: inv.initDurationMs,
        }),
        inv,
      );
      if (this.logTarget === inv) this.logTarget = undefined;
      const error = outcome.error;
      const isEvent = inv.request.invocationType === 'Event';
      inv.resolve({
        requestId: inv.requestId,
        statusCode: isEvent ? 202 : 200,
        payload: error
          ? (outcome.errorBody ?? Buffer.from(JSON.stringify(error)))
          : (outcome.payload ?? Buffer.alloc(0)),
        functionError: error ? 'Unhandled' : undefined,
        error,
        logs: inv.log.text(),
        executedVersion: this.identity.fn.version ?? '$LATEST',
        durationMs,
        billedDurationMs,
        initDurationMs: inv.initDurationMs,
        maxMemoryUsedMB,
      });
    });
  }

  private readonly onTimeout = (): void => {
    const inv = this.timerFor;
    this.timer = undefined;
    this.timerFor = undefined;
    if (!inv || inv.settled || this.state === 'dead') return;
    const seconds = (this.spec?.timeoutMs ?? 0) / 1000;
    this.platformLine(timeoutLine(inv.requestId, seconds), inv);
    this.die();
    this.finish(inv, { error: timeoutError(inv.requestId, seconds) });
  };

  private onInitTimeout(initTimeoutMs: number): void {
    if (this.state !== 'spawning' && this.state !== 'initializing') return;
    const inv = this.parked;
    const seconds = initTimeoutMs / 1000;
    this.platformLine(
      `INIT_REPORT Init Duration: ${initTimeoutMs.toFixed(2)} ms\tPhase: init\tStatus: timeout`,
      inv,
    );
    this.die();
    if (inv) this.finish(inv, { error: timeoutError(inv.requestId, seconds) });
  }

  /** Init failed: the waiting invocation gets the error, the environment is discarded. */
  private failInit(error: FunctionErrorPayload): void {
    if (this.state === 'dead') return;
    const inv = this.parked;
    this.parked = undefined;
    this.die();
    if (inv) {
      if (error.errorType === 'Runtime.InvalidEntrypoint' && !error.errorMessage.includes(inv.requestId))
        error = {
          ...error,
          errorMessage: error.errorMessage.replace('RequestId:  ', `RequestId: ${inv.requestId} `),
        };
      this.finish(inv, { error });
    }
  }

  /** The runtime misbehaved or exited: fail what it was doing. */
  private crash(exit: string): void {
    if (this.state === 'dead') return;
    const wasState = this.state;
    const current = this.current;
    const parked = this.parked;
    this.parked = undefined;
    this.die();
    if (current && wasState === 'invoking') {
      const error = exitError(current.requestId, exit, this.outOfMemory);
      this.platformLine(
        `RequestId: ${current.requestId} Error: ${exit.startsWith('Runtime') ? exit : `Runtime exited with error: ${exit}`}`,
        current,
      );
      this.platformLine(error.errorType, current);
      this.finish(current, { error });
    }
    if (parked) {
      if (wasState === 'spawning' || wasState === 'initializing') {
        this.finish(parked, {
          error: this.initErrorPayload ?? exitError(parked.requestId, exit, this.outOfMemory),
        });
      } else {
        this.identity.hooks.requeue(parked);
      }
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.state !== 'dead') this.crash(describeExit(code, signal));
    this.memory.close();
  }

  /** Discard an environment that has nothing in flight (idle reaping, stale code, removal). */
  retire(): void {
    if (this.state === 'dead') return;
    const parked = this.parked;
    this.parked = undefined;
    this.die();
    if (parked) this.identity.hooks.requeue(parked);
  }

  /** Dispose: kill now; whatever is in flight fails with a service error. */
  retireNow(): void {
    const inFlight = [this.current, this.parked];
    this.current = undefined;
    this.parked = undefined;
    this.die();
    for (const inv of inFlight)
      inv?.reject(new AwsServiceError('ServiceException', 500, 'The Lambda runtime is shutting down.'));
  }

  private die(): void {
    if (this.state === 'dead') return;
    this.transition('dead');
    clearTimeout(this.timer);
    clearTimeout(this.initTimer);
    this.timer = undefined;
    this.waiting = undefined;
    this.current = undefined;
    this.channel?.close();
    this.api?.close();
    killProcessGroup(this.child);
    this.memory.close();
    this.identity.hooks.onDead(this);
  }

  /** Resolves once the child has exited (immediately when it never started). */
  async whenExited(capMs = 2000): Promise<void> {
    if (!this.exited) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, capMs)))]);
    clearTimeout(timer);
  }
}

function stateName(state: EnvironmentState): string {
  return state.charAt(0).toUpperCase() + state.slice(1);
}

/** The Invoke API takes base64 client context; the runtime header carries it decoded (JSON). */
function decodeClientContext(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return trimmed;
  return Buffer.from(trimmed, 'base64').toString('utf8');
}
