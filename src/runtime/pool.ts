/**
 * The environments of one function: reuse warm idle ones (most recently used first), spawn more up
 * to the function's concurrency, throttle (reserved concurrency) or queue (bounded) beyond it,
 * reap idle ones, and roll over to new code without failing a request.
 *
 * Concurrent invocations get their own environments up to `eagerConcurrency` (about the number of
 * CPU cores): beyond it they wait for the next free environment, because on a small machine more
 * processes than cores running short invocations only contend for CPU and memory. More environments
 * are started (one at a time, up to `maxConcurrency`) when queueing would not pay: invocations are
 * slow (they wait on I/O, so more of them can run at once), or none has finished for a while (e.g.
 * every environment waits on a nested synchronous invoke of this same function).
 */
import type { FunctionModel } from '../project/model.ts';
import { AwsServiceError } from '../shared/errors.ts';
import { credentialsFor, logStreamName } from './env-vars.ts';
import { Environment, type EnvironmentHooks, type EnvironmentState, type LaunchSpec } from './environment.ts';
import type { Invocation } from './invocation.ts';
import type { LogSink } from './types.ts';

/**
 * Invocations slower than this (most of the recent ones, as their runtime reported them) are worth
 * an environment each. Runtimes that report no duration (custom bootstraps) rely on the stall rule.
 */
export const SLOW_INVOCATION_MS = 10;
/** Invocations queued and none finished for this long: start one more environment. */
export const STALL_MS = 250;
const RECENT = 16;

export interface PoolOptions {
  /** Environments at most (reserved concurrency, else the local default; 1 while debugging). */
  maxConcurrency: number;
  /** Environments started at once for concurrent invocations before they queue (≤ maxConcurrency). */
  eagerConcurrency: number;
  /** Beyond maxConcurrency: throttle (true: reserved concurrency) or queue (false). */
  throttle: boolean;
  maxQueueLength: number;
  logSink: LogSink;
  warn: (message: string) => void;
  /** Launch spec of the current code version (cached by the pool until invalidated). */
  makeSpec: (fn: FunctionModel) => Promise<LaunchSpec>;
  /** Per-environment launch additions (debug port). */
  decorate?: (spec: LaunchSpec, env: Environment) => LaunchSpec;
  onEnvironmentCreated: (env: Environment) => void;
  onEnvironmentGone: (env: Environment) => void;
  /** Distinguishes credentials of different Slipway runs. */
  credentialSalt: string;
}

export interface PoolStats {
  logicalId: string;
  functionName: string;
  environments: Record<EnvironmentState, number>;
  queued: number;
  invocations: number;
  coldStarts: number;
}

export class Pool implements EnvironmentHooks {
  readonly envs = new Set<Environment>();
  private idle: Environment[] = [];
  private queue: Invocation[] = [];
  private spec?: Promise<LaunchSpec>;
  private nextNumber = 1;
  private invocations = 0;
  private coldStarts = 0;
  private disposed = false;
  /** Of the last RECENT invocations, which were slow (1) — a median, robust to one long pause. */
  private readonly recentSlow = new Uint8Array(RECENT);
  private recentIndex = 0;
  private slowCount = 0;
  /** Last time an invocation finished or the queue started filling (performance.now()). */
  private progressAt = 0;
  private stallTimer?: NodeJS.Timeout;

  constructor(
    public fn: FunctionModel,
    private options: PoolOptions,
  ) {}

  updateOptions(fn: FunctionModel, options: PoolOptions): void {
    this.fn = fn;
    this.options = options;
  }

  dispatch(inv: Invocation): void {
    if (this.disposed) throw new AwsServiceError('ServiceException', 500, 'The function is being removed.');
    this.invocations++;
    this.place(inv, false);
  }

  private place(inv: Invocation, front: boolean): void {
    const env = this.takeIdle();
    if (env) {
      env.assign(inv);
      return;
    }
    if (this.mayGrow()) {
      this.spawn().assign(inv);
      return;
    }
    if (!front) {
      if (this.options.throttle && this.inFlight() >= this.options.maxConcurrency)
        throw new AwsServiceError('TooManyRequestsException', 429, 'Rate Exceeded.', {
          Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        });
      if (this.queue.length >= this.options.maxQueueLength)
        throw new AwsServiceError('TooManyRequestsException', 429, 'Rate Exceeded.', {
          Reason: 'ConcurrentInvocationLimitExceeded',
        });
      this.queue.push(inv);
    } else {
      this.queue.unshift(inv);
    }
    if (this.queue.length === 1) this.progressAt = performance.now();
    this.watchStall();
  }

  /** Another environment now: under the eager bound, or invocations are slow enough to pay for it. */
  private mayGrow(): boolean {
    const { maxConcurrency, eagerConcurrency } = this.options;
    const size = this.envs.size;
    return size < maxConcurrency && (size < eagerConcurrency || this.slowCount * 2 > RECENT);
  }

  /** Every environment runs an invocation (none is still starting: its first answer is coming). */
  private allInvoking(): boolean {
    for (const env of this.envs) if (env.state !== 'invoking') return false;
    return true;
  }

  /** Invocations running, parked on an environment or queued (what reserved concurrency counts). */
  private inFlight(): number {
    let n = this.queue.length;
    for (const env of this.envs) if (env.busy) n++;
    return n;
  }

  /** While invocations wait, start one more environment whenever none finished for STALL_MS. */
  private watchStall(): void {
    if (this.stallTimer || this.disposed || this.envs.size >= this.options.maxConcurrency) return;
    const wait = Math.max(1, this.progressAt + STALL_MS - performance.now());
    const check = (): void => {
      this.stallTimer = undefined;
      if (this.queue.length === 0 || this.disposed) return;
      if (!this.allInvoking()) {
        // An environment still starting will take work soon: the stall clock starts after it.
        this.progressAt = performance.now();
      } else if (
        performance.now() - this.progressAt >= STALL_MS &&
        this.envs.size < this.options.maxConcurrency
      ) {
        this.progressAt = performance.now();
        this.spawn().assign(this.queue.shift() as Invocation);
      }
      if (this.queue.length > 0) this.watchStall();
    };
    // Timers run before pending I/O: after a pause of this process, let finished invocations
    // that are already waiting on their sockets count before calling it a stall.
    this.stallTimer = setTimeout(() => setImmediate(check), wait);
    this.stallTimer.unref();
  }

  private takeIdle(): Environment | undefined {
    while (this.idle.length > 0) {
      const env = this.idle.pop() as Environment;
      if (env.acceptsWork && env.state === 'idle') return env;
    }
    return undefined;
  }

  private spawn(): Environment {
    const number = this.nextNumber++;
    const env = new Environment({
      fn: this.fn,
      number,
      credentials: credentialsFor(this.fn.logicalId, number, this.options.credentialSalt),
      logStreamName: logStreamName(),
      logSink: this.options.logSink,
      hooks: this,
    });
    this.envs.add(env);
    this.coldStarts++;
    this.options.onEnvironmentCreated(env);
    this.spec ??= this.options.makeSpec(this.fn);
    const decorate = this.options.decorate;
    void env.launch(decorate ? this.spec.then((s) => decorate(s, env)) : this.spec);
    return env;
  }

  // ---- EnvironmentHooks ----------------------------------------------------------------------

  onIdle(env: Environment): void {
    const slow = env.lastDurationMs >= SLOW_INVOCATION_MS ? 1 : 0;
    this.slowCount += slow - (this.recentSlow[this.recentIndex] as number);
    this.recentSlow[this.recentIndex] = slow;
    this.recentIndex = (this.recentIndex + 1) % RECENT;
    if (this.queue.length > 0) this.progressAt = performance.now();
    const next = this.queue.shift();
    if (next) {
      env.assign(next);
      // Slow invocations waiting: one more environment per completion, while it pays.
      if (this.queue.length > 0 && this.mayGrow()) this.spawn().assign(this.queue.shift() as Invocation);
    } else this.idle.push(env);
  }

  onDead(env: Environment): void {
    this.envs.delete(env);
    const i = this.idle.indexOf(env);
    if (i !== -1) this.idle.splice(i, 1);
    this.options.onEnvironmentGone(env);
    if (!this.disposed) {
      while (this.queue.length > 0 && this.mayGrow()) this.spawn().assign(this.queue.shift() as Invocation);
      if (this.queue.length > 0) this.watchStall();
    }
  }

  requeue(inv: Invocation): void {
    if (this.disposed) {
      inv.reject(new AwsServiceError('ServiceException', 500, 'The function was removed.'));
      return;
    }
    this.place(inv, true);
  }

  warn(message: string): void {
    this.options.warn(message);
  }

  // ---- management ----------------------------------------------------------------------------

  /** New code: idle environments go now, busy ones after their invocation; new ones load it. */
  invalidate(): void {
    this.spec = undefined;
    for (const env of [...this.envs]) {
      env.stale = true;
      if (!env.busy) env.retire();
    }
  }

  reap(now: number, idleTimeoutMs: number): void {
    for (const env of [...this.idle]) {
      if (env.state === 'idle' && !env.busy && now - env.lastUsed >= idleTimeoutMs) env.retire();
    }
  }

  stats(): PoolStats {
    const environments: Record<EnvironmentState, number> = {
      spawning: 0,
      initializing: 0,
      idle: 0,
      invoking: 0,
      dead: 0,
    };
    for (const env of this.envs) environments[env.state]++;
    return {
      logicalId: this.fn.logicalId,
      functionName: this.fn.functionName,
      environments,
      queued: this.queue.length,
      invocations: this.invocations,
      coldStarts: this.coldStarts,
    };
  }

  /** Kill every environment; queued invocations fail with a service error. */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.stallTimer);
    const queued = this.queue;
    this.queue = [];
    for (const inv of queued)
      inv.reject(new AwsServiceError('ServiceException', 500, 'The function was removed.'));
    const envs = [...this.envs];
    for (const env of envs) env.retireNow();
    await Promise.all(envs.map((env) => env.whenExited()));
  }
}
