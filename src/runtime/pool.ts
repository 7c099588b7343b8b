/**
 * The environments of one function: reuse warm idle ones (most recently used first), spawn more up
 * to the function's concurrency, throttle (reserved concurrency) or queue (bounded) beyond it,
 * reap idle ones, and roll over to new code without failing a request.
 */
import type { FunctionModel } from '../project/model.ts';
import { AwsServiceError } from '../shared/errors.ts';
import { credentialsFor, logStreamName } from './env-vars.ts';
import { Environment, type EnvironmentHooks, type EnvironmentState, type LaunchSpec } from './environment.ts';
import type { Invocation } from './invocation.ts';
import type { LogSink } from './types.ts';

export interface PoolOptions {
  /** Environments at most (reserved concurrency, else the local default; 1 while debugging). */
  maxConcurrency: number;
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
    if (this.envs.size < this.options.maxConcurrency) {
      this.spawn().assign(inv);
      return;
    }
    if (!front) {
      if (this.options.throttle)
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
    const next = this.queue.shift();
    if (next) env.assign(next);
    else this.idle.push(env);
  }

  onDead(env: Environment): void {
    this.envs.delete(env);
    const i = this.idle.indexOf(env);
    if (i !== -1) this.idle.splice(i, 1);
    this.options.onEnvironmentGone(env);
    if (!this.disposed) {
      while (this.queue.length > 0 && this.envs.size < this.options.maxConcurrency)
        this.spawn().assign(this.queue.shift() as Invocation);
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
    const queued = this.queue;
    this.queue = [];
    for (const inv of queued)
      inv.reject(new AwsServiceError('ServiceException', 500, 'The function was removed.'));
    const envs = [...this.envs];
    for (const env of envs) env.retireNow();
    await Promise.all(envs.map((env) => env.whenExited()));
  }
}
